import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AtomRecord } from '@tf/core';
import { DirBackend } from '@tf/persistence';
import { afterAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'tf-dir-journal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}`);
const task = (name: string, result: unknown): AtomRecord => ({
  name,
  kind: 'task',
  state: 'SUCCESS',
  intention: 'EXECUTE',
  progress: 1,
  result,
});

describe('dir backend: snapshot and journal', () => {
  it('batches after the first are appended to a journal; a new backend reads snapshot and journal together', async () => {
    const dir = fresh();
    const writer = new DirBackend(dir);
    await writer.saveFlow({ uuid: 'f', name: 'n', state: 'RUNNING', store: {} });
    for (let i = 0; i < 300; i++) await writer.saveAtom('f', task(`t${i}`, i));
    await writer.saveFlow({ uuid: 'f', name: 'n', state: 'SUCCESS', store: {} });
    expect(readdirSync(join(dir, 'flows')).sort()).toEqual(['f.0.journal', 'f.json']);
    expect(readFileSync(join(dir, 'flows', 'f.0.journal'), 'utf8').split('\n')).toHaveLength(302);
    const reader = new DirBackend(dir);
    expect((await reader.loadFlow('f'))?.state).toBe('SUCCESS');
    const atoms = await reader.loadAtoms('f');
    expect(atoms).toHaveLength(300);
    expect(atoms.find((a) => a.name === 't299')?.result).toBe(299);
    await writer.close();
    await reader.close();
  });

  it('a torn last line (a crash mid-append) is ignored, then cut off by the next writer', async () => {
    const dir = fresh();
    const first = new DirBackend(dir);
    await first.saveAtom('f', task('a', 1));
    await first.saveAtom('f', task('b', 2));
    await first.close();
    appendFileSync(join(dir, 'flows', 'f.0.journal'), '{"flow":null,"atoms":{"c":{"name":"c","ki');
    const second = new DirBackend(dir);
    expect((await second.loadAtoms('f')).map((a) => a.name).sort()).toEqual(['a', 'b']);
    await second.saveAtom('f', task('d', 4));
    await second.close();
    const third = new DirBackend(dir);
    expect((await third.loadAtoms('f')).map((a) => a.name).sort()).toEqual(['a', 'b', 'd']);
    const lines = readFileSync(join(dir, 'flows', 'f.0.journal'), 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    for (const line of lines.slice(0, -1)) expect(() => JSON.parse(line)).not.toThrow();
    await third.close();
  });

  it('a corrupt line before the last one is TF_BACKEND_SCHEMA naming the journal and line', async () => {
    const dir = fresh();
    const b = new DirBackend(dir);
    await b.saveAtom('f', task('a', 1));
    await b.saveAtom('f', task('b', 2));
    await b.close();
    const journal = join(dir, 'flows', 'f.0.journal');
    writeFileSync(journal, `garbage\n${readFileSync(journal, 'utf8')}`);
    const error = await new DirBackend(dir).loadAtoms('f').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'TF_BACKEND_SCHEMA' });
    expect((error as Error).message).toContain('f.0.journal line 1');
  });

  it('a journal larger than its snapshot and 1 MiB is folded into a snapshot of the next generation', async () => {
    const dir = fresh();
    const b = new DirBackend(dir, { durable: false });
    await b.saveAtom('f', task('first', 0));
    const big = 'x'.repeat(40 * 1024);
    for (let i = 0; i < 40; i++) await b.saveAtom('f', task(`t${i}`, big));
    const files = readdirSync(join(dir, 'flows')).sort();
    expect(files).not.toContain('f.0.journal');
    const generation = (JSON.parse(readFileSync(join(dir, 'flows', 'f.json'), 'utf8')) as { generation: number }).generation;
    expect(generation).toBeGreaterThanOrEqual(1);
    await b.close();
    const atoms = await new DirBackend(dir).loadAtoms('f');
    expect(atoms).toHaveLength(41);
  });

  it('a version 1 folder is migrated to version 2 on open and its flow details read as before', async () => {
    const dir = fresh();
    await mkdir(join(dir, 'flows'), { recursive: true });
    await mkdir(join(dir, 'logbooks'));
    await mkdir(join(dir, 'locks'));
    writeFileSync(join(dir, 'schema.json'), JSON.stringify({ format: 'tf-persistence-dir', version: 1 }));
    const atom = { name: 'a', kind: 'task', uuid: 'u', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 7 };
    writeFileSync(
      join(dir, 'flows', 'old.json'),
      JSON.stringify({ format: 'tf-flow-detail', uuid: 'old', flow: null, atoms: { a: atom } }),
    );
    const b = new DirBackend(dir);
    expect((await b.loadAtoms('old'))[0]?.result).toBe(7);
    expect(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'))).toEqual({ format: 'tf-persistence-dir', version: 2 });
    await b.saveAtom('old', task('b', 8));
    expect((await new DirBackend(dir).loadAtoms('old')).map((a) => a.result).sort()).toEqual([7, 8]);
    await b.close();
  });
});
