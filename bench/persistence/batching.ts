/**
 * What write batching saves: a 500-task linear flow (serial engine) and a 500-task unordered
 * flow (parallel engine, 32 at once, tasks that complete on the next tick) on the dir and
 * sqlite backends, with storage's batching on (`saveBatch`, the default) and off (one
 * backend call per change, in order). Prints backend round trips and run time, and the
 * ratios off/on; the in-memory run of the same flow for scale.
 *
 *   pnpm bench:persistence-batching
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Task, linearFlow, unorderedFlow, type StorageBackend } from '@tf/core';
import { Engine } from '@tf/engine';
import { DirBackend } from '@tf/persistence';
import { createBackend as createSqlite } from '@tf/persistence-sqlite';

const N = 500;
const repetitions = 3;

class Noop extends Task {
  static override taskName = 'bench.Noop';
  override execute(): number {
    return 1;
  }
}

class NextTick extends Task {
  static override taskName = 'bench.NextTick';
  override execute(): Promise<number> {
    return new Promise((resolve) => setImmediate(() => resolve(1)));
  }
}

type Pattern = 'linear' | 'unordered';
const flowOf = (pattern: Pattern) =>
  pattern === 'linear'
    ? linearFlow('l').add(...Array.from({ length: N }, (_, i) => new Noop({ name: `t${i}` })))
    : unorderedFlow('u').add(...Array.from({ length: N }, (_, i) => new NextTick({ name: `t${i}` })));

const folder = mkdtempSync(join(tmpdir(), 'tf-bench-batching-'));
let opened = 0;
const backends: Record<string, (() => Promise<StorageBackend & { close(): Promise<void> }>) | undefined> = {
  memory: undefined,
  dir: async () => {
    const dir = new DirBackend(join(folder, `dir-${opened++}`));
    await dir.ready();
    return dir;
  },
  sqlite: async () => createSqlite(new URL(`sqlite://${join(folder, `db-${opened++}.db`)}`)),
};

async function once(pattern: Pattern, open: (typeof backends)[string], batchWrites: boolean) {
  const backend = await open?.();
  const engine = new Engine(flowOf(pattern), {
    maxConcurrency: pattern === 'linear' ? 1 : 32,
    batchWrites,
    ...(backend ? { backend } : {}),
  });
  const started = performance.now();
  await engine.run();
  const ms = performance.now() - started;
  if (engine.storage.flowState !== 'SUCCESS') throw new Error(`${pattern}: ${engine.storage.flowState}`);
  const trips = engine.storage.writeStatistics.roundTrips;
  await engine.close();
  await backend?.close();
  return { ms, trips };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

console.log(`Node ${process.version}, ${N} tasks, median of ${repetitions}\n`);
console.log(
  '| pattern | backend | round trips (batched) | round trips (one by one) | trips ratio | ms (batched) | ms (one by one) | time ratio |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|');
for (const pattern of ['linear', 'unordered'] as const) {
  for (const [name, open] of Object.entries(backends)) {
    const results: Record<'on' | 'off', { ms: number[]; trips: number }> = { on: { ms: [], trips: 0 }, off: { ms: [], trips: 0 } };
    await once(pattern, open, true); // warm-up
    for (let r = 0; r < repetitions; r++) {
      for (const mode of ['on', 'off'] as const) {
        const { ms, trips } = await once(pattern, open, mode === 'on');
        results[mode].ms.push(ms);
        results[mode].trips = trips;
      }
    }
    const on = median(results.on.ms);
    const off = median(results.off.ms);
    const row = [pattern, name, results.on.trips, results.off.trips, (results.off.trips / results.on.trips).toFixed(2)];
    console.log(`| ${[...row, on.toFixed(1), off.toFixed(1), (off / on).toFixed(2)].join(' | ')} |`);
  }
}
rmSync(folder, { recursive: true, force: true });
