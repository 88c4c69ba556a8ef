/**
 * One process's messages to a topic arrive in the order they were published, even when
 * published without waiting for each other: a worker sends a task's progress events and
 * then its result that way, and the engine ignores progress that comes after the result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FilesystemTransport } from '@tf/transport-filesystem';
import { Recorder, waitFor } from '@tf/transport-testkit';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { RenameTurns } from '../src/rename-turns';

let folder: string;
const made: FilesystemTransport[] = [];

async function open(): Promise<FilesystemTransport> {
  const t = new FilesystemTransport({ dataFolder: folder, pollingIntervalMs: 50 });
  made.push(t);
  await t.connect();
  return t;
}

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tf-fs-order-'));
});
afterEach(async () => {
  await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
  rmSync(folder, { recursive: true, force: true });
});

it('delivers messages published without awaiting each other in publish order, a large one first', async () => {
  const consumer = await open();
  const producer = await open();
  const inbox = new Recorder();
  await consumer.consume('ex', 'replies', inbox.handler);
  // A large message takes longer to write than the small ones after it.
  const large = `"${'x'.repeat(2_000_000)}"`;
  const bodies = [large, '"progress 0.25"', '"progress 0.75"', '"result"'];
  await Promise.all(bodies.map((body) => producer.publish('ex', 'replies', body)));
  await waitFor(() => inbox.count === bodies.length, { timeoutMs: 10_000, message: 'every message' });
  expect(inbox.bodies.map((b) => b.slice(0, 20))).toEqual(bodies.map((b) => b.slice(0, 20)));
});

it('a turn waits for the one taken before it on the same folder only, and nothing is kept once all are done', async () => {
  const turns = new RenameTurns();
  const first = turns.take('/a');
  const second = turns.take('/a');
  const other = turns.take('/b');
  const settled: string[] = [];
  void second.ready.then(() => settled.push('second'));
  void other.ready.then(() => settled.push('other'));
  await new Promise((resolve) => setImmediate(resolve));
  expect(settled).toEqual(['other']);
  first.done();
  await new Promise((resolve) => setImmediate(resolve));
  expect(settled).toEqual(['other', 'second']);
  second.done();
  other.done();
  expect(turns.size).toBe(0);
});
