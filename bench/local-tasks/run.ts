/**
 * Light tasks at home: a flow of 10,000 trivial tasks of which 90% are marked `local` (they
 * run in the engine's process) against the same flow all remote, on RabbitMQ with two
 * tf-worker processes. Linear and unordered; runs alternate (mixed, remote, mixed, ...) so
 * that a change in the shared machine's load hits both alike; the median of 3 is kept.
 *
 *   pnpm bench:local-tasks
 *   pnpm bench:local-tasks -- --tasks 2000 --runs 5
 */
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { linearFlow, unorderedFlow, type Flow } from '@tf/core';
import { Noop } from '../fixtures/tasks';
import { noopWorkerArgs, startWorkers, timeFlow } from '../workers';

const url = 'amqp://guest:guest@127.0.0.1:5672//';
const argValue = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TASKS = argValue('--tasks', 10_000);
const RUNS = argValue('--runs', 3);
/** One task in this many is remote (10: 90% local). */
const EVERY = argValue('--remote-every', 10);

type Kind = 'linear' | 'unordered';
/** `n` Noop tasks; with `mixed`, all but one in `EVERY` are local. */
function flowOf(kind: Kind, n: number, mixed: boolean): Flow {
  const flow = kind === 'linear' ? linearFlow('l') : unorderedFlow('u');
  return flow.add(...Array.from({ length: n }, (_, i) => new Noop({ name: `t${i}`, local: mixed && i % EVERY !== 0 })));
}

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => execSync('uptime').toString().trim();

const loadBefore = load();
console.error(`bench/local-tasks on ${url.replace(/:[^:@/]+@/, ':***@')} (node ${process.version}): ${TASKS} tasks, 1 in ${EVERY} remote`);
const exchange = `bench-local-${randomUUID().slice(0, 8)}`;
const workers = await startWorkers(2, ['--transport', 'amqp', '--url', url, ...noopWorkerArgs(exchange, 64)]);
const time = (flow: Flow) => timeFlow(flow, { exchange, topics: ['noop'], transport: 'amqp', url, transitionTimeoutMs: 600_000 });
const results: { kind: Kind; mixed: number[]; remote: number[] }[] = [];
try {
  // Warm-up: the JIT needs a few thousand round trips in every process, and local runs too.
  await time(flowOf('unordered', TASKS, false));
  await time(flowOf('unordered', TASKS, true));
  for (const kind of ['linear', 'unordered'] as const) {
    const row = { kind, mixed: [] as number[], remote: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      row.mixed.push(await time(flowOf(kind, TASKS, true)));
      row.remote.push(await time(flowOf(kind, TASKS, false)));
      console.error(`  ${kind} run ${r + 1}: 90% local ${row.mixed.at(-1)!.toFixed(0)} ms, all remote ${row.remote.at(-1)!.toFixed(0)} ms`);
    }
    results.push(row);
  }
} finally {
  await workers.stop();
}

const fmt = (xs: readonly number[]) => xs.map((x) => x.toFixed(0)).join(', ');
console.log(
  `\n| flow (${TASKS} trivial tasks) | 90% local: ms (median of ${RUNS}) | all remote: ms | remote / local (speed-up) | runs local | runs remote |`,
);
console.log('|---|---:|---:|---:|---|---|');
for (const r of results) {
  const m = median(r.mixed);
  const a = median(r.remote);
  console.log(`| ${r.kind} | ${m.toFixed(0)} | ${a.toFixed(0)} | ${(a / m).toFixed(2)}x | ${fmt(r.mixed)} | ${fmt(r.remote)} |`);
}
console.log(`\nuptime before: ${loadBefore}\nuptime after:  ${load()}`);
