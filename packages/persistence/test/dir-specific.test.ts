import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TfError } from '@tf/core';
import { DirBackend, resolveBackend } from '@tf/persistence';
import { afterAll, describe, expect, it } from 'vitest';

const root = mkdtempSync(join(tmpdir(), 'tf-dir-specific-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}`);

const flow = (uuid: string) => ({ uuid, name: 'f', state: 'RUNNING' as const, store: {} });

describe('dir backend: files on disk', () => {
  it('lays out schema.json, logbooks/, flows/ and locks/, one JSON file per flow detail, no temporary files left', async () => {
    const dir = fresh();
    const b = (await resolveBackend(`dir://${dir}`)) as DirBackend;
    await b.saveBatch('f1', {
      flow: flow('f1'),
      atoms: [{ name: 'a', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 5 }],
    });
    await b.saveLogbook({ uuid: 'b1', name: 'book' });
    await b.close();
    expect(readdirSync(dir).sort()).toEqual(['flows', 'locks', 'logbooks', 'schema.json']);
    expect(JSON.parse(readFileSync(join(dir, 'schema.json'), 'utf8'))).toEqual({ format: 'tf-persistence-dir', version: 1 });
    expect(readdirSync(join(dir, 'flows'))).toEqual(['f1.json']);
    expect(readdirSync(join(dir, 'logbooks'))).toEqual(['b1.json']);
    const file = JSON.parse(readFileSync(join(dir, 'flows', 'f1.json'), 'utf8')) as { atoms: Record<string, { result: number }> };
    expect(file.atoms['a']?.result).toBe(5);
  });

  it('an id that is not a safe file name is stored under a hash, and loads back', async () => {
    const dir = fresh();
    const b = new DirBackend(dir);
    const id = '../../etc/passwd\u0000 and more';
    await b.saveFlow(flow(id));
    expect((await b.loadFlow(id))?.uuid).toBe(id);
    expect(readdirSync(join(dir, 'flows'))[0]).toMatch(/^h-[0-9a-f]{64}\.json$/);
    await b.close();
  });

  it('a folder that is not ours is refused and left as it was', async () => {
    const dir = fresh();
    await mkdir(dir);
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const error = await new DirBackend(dir).ready().catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_BACKEND_SCHEMA')).toBe(true);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
  });

  it('a schema.json of another format is refused', async () => {
    const dir = fresh();
    await mkdir(dir);
    writeFileSync(join(dir, 'schema.json'), JSON.stringify({ format: 'something-else', version: 1 }));
    expect(TfError.is(await new DirBackend(dir).ready().catch((e: unknown) => e), 'TF_BACKEND_SCHEMA')).toBe(true);
  });

  it('a flow file over maxFileBytes is refused before it is read', async () => {
    const dir = fresh();
    const b = new DirBackend(dir, { maxFileBytes: 1024 });
    await b.saveAtom('big', { name: 'a', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 'z'.repeat(4096) });
    const error = await b.loadAtoms('big').catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_BACKEND_TOO_LARGE')).toBe(true);
    await b.close();
  });

  it('a flow file whose atoms are not atom details is TF_BACKEND_SCHEMA naming the file', async () => {
    const dir = fresh();
    const b = new DirBackend(dir);
    await b.saveFlow(flow('f'));
    writeFileSync(
      join(dir, 'flows', 'f.json'),
      JSON.stringify({ format: 'tf-flow-detail', uuid: 'f', flow: null, atoms: { a: { name: 'a' } } }),
    );
    const error = await b.loadAtoms('f').catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_BACKEND_SCHEMA')).toBe(true);
    expect((error as Error).message).toContain(join(dir, 'flows', 'f.json'));
    await b.close();
  });

  it('a lock file left by a dead process on this host is taken over; one from another host is not', async () => {
    const dir = fresh();
    const b = new DirBackend(dir);
    await b.ready();
    const dead = Number(
      spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8', timeout: 10_000 }).stdout,
    );
    writeFileSync(join(dir, 'locks', 'f1.lock'), JSON.stringify({ pid: dead, host: hostname(), since: 'then', token: 't' }));
    const lock = await b.lockFlow('f1');
    expect(JSON.parse(readFileSync(join(dir, 'locks', 'f1.lock'), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname() });
    await lock.release();
    expect(readdirSync(join(dir, 'locks'))).toEqual([]);

    writeFileSync(join(dir, 'locks', 'f2.lock'), JSON.stringify({ pid: dead, host: 'elsewhere', since: 'then', token: 't' }));
    const error = await b.lockFlow('f2').catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_FLOW_LOCKED')).toBe(true);
    expect((error as Error).message).toContain('on elsewhere');
    await b.close();
  });

  it('a torn temporary file left by a crash is ignored by readers', async () => {
    const dir = fresh();
    const b = new DirBackend(dir);
    await b.saveFlow(flow('f'));
    writeFileSync(join(dir, 'flows', '.tmp-123-abc-g.json'), '{"torn');
    expect((await b.listFlows()).map((f) => f.uuid)).toEqual(['f']);
    await b.close();
  });
});
