import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FilesystemTransport } from '@tf/transport-filesystem';
import { Recorder, waitFor } from '@tf/transport-testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const script = fileURLToPath(new URL('./fixtures/temporary-consumer.ts', import.meta.url));

let folder: string;
const made: FilesystemTransport[] = [];
const children: ChildProcess[] = [];

async function open(options: ConstructorParameters<typeof FilesystemTransport>[0] = {}): Promise<FilesystemTransport> {
  const t = new FilesystemTransport({ dataFolder: folder, ...options });
  made.push(t);
  await t.connect();
  return t;
}

/** A child process consuming `exchange/topic` as a temporary topic; resolves once it consumes. */
async function temporaryConsumer(exchange: string, topic: string, expiryMs: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, folder, exchange, topic, String(expiryMs)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  await waitFor(() => out.includes('ready'), { timeoutMs: 20_000, message: `the child to consume (stderr: ${err})` });
  return child;
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tf-fs-topics-'));
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
  rmSync(folder, { recursive: true, force: true });
});

describe('filesystem transport: topic folders that are not left behind', () => {
  it('the last consumer of an empty regular topic removes its folder; one holding messages or consumers stays', async () => {
    const t = await open();
    const a = await t.consume('ex', 'work', new Recorder().handler);
    const b = await t.consume('ex', 'work', new Recorder().handler);
    await a.cancel();
    expect(existsSync(join(folder, 'ex', 'work'))).toBe(true); // b still consumes
    await b.cancel();
    expect(existsSync(join(folder, 'ex', 'work'))).toBe(false);
    expect(existsSync(join(folder, 'ex'))).toBe(false);

    const held = await t.consume('ex', 'kept', new Recorder('hold').handler, { prefetch: 1 });
    await t.publish('ex', 'kept', '"1"');
    await t.publish('ex', 'kept', '"2"');
    await held.cancel();
    const left = (await readdir(join(folder, 'ex', 'kept'))).filter((n) => n.endsWith('.msg'));
    expect(left).toHaveLength(2);
  });

  it('publishes racing with the removal of an idle topic are never lost', async () => {
    const t = await open();
    const p = await open();
    const inbox = new Recorder();
    for (let round = 0; round < 10; round++) {
      const c = await t.consume('ex', 'work', inbox.handler);
      const sent = Array.from({ length: 10 }, (_, i) => `"${round}-${i}"`);
      await Promise.all([c.cancel(), ...sent.map((b) => p.publish('ex', 'work', b))]);
      // What the first consumer did not get before it was cancelled is still there for the next.
      const again = await t.consume('ex', 'work', inbox.handler);
      await waitFor(() => sent.every((b) => inbox.bodies.includes(b)), { message: `round ${round}: every message` });
      await again.cancel();
    }
  });

  it('createTopic: false never makes the folder of a temporary topic that was removed', async () => {
    const t = await open();
    const c = await t.consume('ex', 'reply', new Recorder().handler, { temporary: true });
    expect(existsSync(join(folder, 'ex', 'reply', '.temporary'))).toBe(true);
    await c.cancel();
    expect(existsSync(join(folder, 'ex', 'reply'))).toBe(false);
    await t.publish('ex', 'reply', '"late"', {}, { createTopic: false });
    expect(existsSync(join(folder, 'ex', 'reply'))).toBe(false);
  });

  it('after kill -9 of the process consuming a temporary topic, a transport consuming from the exchange removes its folder', async () => {
    const child = await temporaryConsumer('ex', 'reply', 1_000);
    const dir = join(folder, 'ex', 'reply');
    expect(existsSync(join(dir, '.temporary'))).toBe(true);
    const p = await open({ temporaryTopicExpiryMs: 1_000 });
    await p.publish('ex', 'reply', '"r1"', {}, { createTopic: false });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await p.consume('ex', 'work', new Recorder().handler);
    await waitFor(() => !existsSync(dir), { timeoutMs: 10_000, intervalMs: 50, message: 'the temporary topic folder to be removed' });
    await p.publish('ex', 'reply', '"late"', {}, { createTopic: false });
    expect(existsSync(dir)).toBe(false);
  });

  it('after kill -9, a transport connecting to the folder removes the expired temporary topic', async () => {
    const child = await temporaryConsumer('ex', 'reply', 500);
    const dir = join(folder, 'ex', 'reply');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await new Promise((r) => setTimeout(r, 600));
    const t = await open({ temporaryTopicExpiryMs: 500 });
    await waitFor(() => !existsSync(dir), {
      timeoutMs: 5_000,
      intervalMs: 50,
      message: 'the expired temporary topic folder to be removed',
    });
    expect(t.state).toBe('connected');
  });

  it('keeps a live temporary topic whose consumer renews its lease', async () => {
    const t = await open({ temporaryTopicExpiryMs: 300 });
    const inbox = new Recorder();
    await t.consume('ex', 'reply', inbox.handler, { temporary: true });
    const other = await open({ temporaryTopicExpiryMs: 300 });
    await other.consume('ex', 'work', new Recorder().handler);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(existsSync(join(folder, 'ex', 'reply'))).toBe(true);
    await other.publish('ex', 'reply', '"r"', {}, { createTopic: false });
    await waitFor(() => inbox.count === 1, { message: 'the reply' });
  });
});
