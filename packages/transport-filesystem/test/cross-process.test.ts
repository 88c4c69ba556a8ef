import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FilesystemTransport } from '@tf/transport-filesystem';
import { Recorder, waitFor } from '@tf/transport-testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { topicPaths } from '../src/layout';

// Separate OS processes (node with the tsx loader running test/fixtures/consumer.ts) competing on
// one folder. `node --import tsx`, not the tsx CLI: one process per worker, so kill -9 hits it.
const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const script = fileURLToPath(new URL('./fixtures/consumer.ts', import.meta.url));

interface Line {
  pid: number;
  body: string;
  redelivered: boolean;
  deliveryCount: number;
}

class Child {
  readonly proc: ChildProcess;
  readonly lines: Line[] = [];
  ready = false;
  stderr = '';
  constructor(args: string[]) {
    this.proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let buffer = '';
    this.proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line === 'ready') this.ready = true;
        else if (line.startsWith('{')) this.lines.push(JSON.parse(line) as Line);
      }
    });
    this.proc.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
  }
  exited(): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return Promise.resolve(this.proc.exitCode);
    return new Promise((r) => this.proc.once('exit', (code) => r(code)));
  }
}

let folder: string;
const children: Child[] = [];
const transports: FilesystemTransport[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tf-fs-xproc-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    await c.exited();
  }
  await Promise.allSettled(transports.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
  rmSync(folder, { recursive: true, force: true });
});

async function start(...args: string[]): Promise<Child> {
  const c = new Child([folder, ...args]);
  children.push(c);
  await waitFor(() => c.ready || c.proc.exitCode !== null, { timeoutMs: 30_000, message: 'a child process to start consuming' });
  if (!c.ready) throw new Error(`child failed: ${c.stderr}`);
  return c;
}

describe('across OS processes', () => {
  it('two worker processes competing on one folder each get distinct messages, all exactly once', { timeout: 90_000 }, async () => {
    const [a, b] = await Promise.all([start('ex', 'work', 'ack', '2'), start('ex', 'work', 'ack', '2')]);
    const engine = new FilesystemTransport({ dataFolder: folder });
    transports.push(engine);
    await engine.connect();
    const n = 200;
    const bodies = Array.from({ length: n }, (_, i) => JSON.stringify({ i }));
    for (const body of bodies) await engine.publish('ex', 'work', body);
    const all = () => [...(a as Child).lines, ...(b as Child).lines];
    await waitFor(() => all().length >= n, { timeoutMs: 30_000, message: `${n} deliveries over two processes` });
    await new Promise((r) => setTimeout(r, 300));
    const received = all().map((l) => l.body);
    expect(received).toHaveLength(n);
    expect(new Set(received)).toEqual(new Set(bodies));
    expect(a?.lines.length).toBeGreaterThan(0);
    expect(b?.lines.length).toBeGreaterThan(0);
    expect(all().every((l) => !l.redelivered)).toBe(true);
    // SIGTERM: both close gracefully; nothing is left claimed, and the last one out removes the
    // empty topic folder.
    a?.proc.kill('SIGTERM');
    b?.proc.kill('SIGTERM');
    expect(await a?.exited()).toBe(0);
    expect(await b?.exited()).toBe(0);
    const paths = topicPaths(folder, 'ex', 'work');
    expect(await readdir(paths.dir).catch((err: NodeJS.ErrnoException) => err.code)).toBe('ENOENT');
  });

  it('a kill -9ed worker loses nothing: what it held is taken back and delivered again', { timeout: 90_000 }, async () => {
    const victim = await start('ex', 'work', 'hold', '3');
    const engine = new FilesystemTransport({ dataFolder: folder });
    transports.push(engine);
    await engine.connect();
    for (const body of ['"a"', '"b"', '"c"', '"d"']) await engine.publish('ex', 'work', body);
    await waitFor(() => victim.lines.length === 3, { timeoutMs: 20_000, message: 'the victim to hold three' });
    expect(victim.lines.every((l) => l.pid === victim.proc.pid)).toBe(true);
    victim.proc.kill('SIGKILL');
    await victim.exited();
    expect((await readdir(topicPaths(folder, 'ex', 'work').claimed)).length).toBe(3); // nothing released
    const survivor = new Recorder();
    // The survivor's lease is long (60 s): the claims come back because their pid is dead.
    const worker = new FilesystemTransport({ dataFolder: folder, leaseMs: 60_000 });
    transports.push(worker);
    await worker.connect();
    await worker.consume('ex', 'work', survivor.handler);
    await waitFor(() => survivor.count === 4, { timeoutMs: 20_000, message: 'all four messages' });
    expect([...survivor.bodies].sort()).toEqual(['"a"', '"b"', '"c"', '"d"']);
    const held = new Set(victim.lines.map((l) => l.body));
    for (const d of survivor.deliveries) {
      expect(d.redelivered).toBe(held.has(d.body));
      expect(d.deliveryCount).toBe(held.has(d.body) ? 2 : 1);
    }
  });

  it('a live worker process keeps its claims past many leases by renewing them', { timeout: 90_000 }, async () => {
    const holder = await start('ex', 'work', 'hold', '1', '1000');
    const engine = new FilesystemTransport({ dataFolder: folder, leaseMs: 1_000 });
    transports.push(engine);
    await engine.connect();
    await engine.publish('ex', 'work', '"mine"');
    await waitFor(() => holder.lines.length === 1, { timeoutMs: 20_000, message: 'the holder to take it' });
    const rival = new Recorder();
    await engine.consume('ex', 'work', rival.handler);
    await new Promise((r) => setTimeout(r, 3_500)); // three and a half leases
    expect(rival.count).toBe(0);
    expect((await readdir(topicPaths(folder, 'ex', 'work').claimed)).length).toBe(1);
  });
});
