/**
 * One engine process of bench/scale: builds an unordered flow of `tasks` trivial tasks, runs
 * it on the worker-based engine (workers already up), and prints one JSON line with its
 * times and its own peak RSS. A process of its own, so each size's peak is its own; plain
 * JavaScript on the built packages, as an engine is deployed (a TypeScript loader such as
 * tsx would add 25 to 45 MiB of its own to the peak).
 *
 *   node bench/scale/engine.mjs <amqp|redis> <url> <exchange> <tasks>
 */
import { Task, unorderedFlow } from '@tf/core';
import { load } from '@tf/engine';

/** The workers' `bench.Noop` (bench/fixtures/tasks.ts): the engine needs only its name. */
class Noop extends Task {
  static taskName = 'bench.Noop';
  execute() {
    return 1;
  }
}

const [transport, url, exchange, tasksArg] = process.argv.slice(2);
const tasks = Number(tasksArg);
if (!transport || !url || !exchange || !Number.isInteger(tasks) || tasks <= 0)
  throw new Error('usage: engine.mjs <amqp|redis> <url> <exchange> <tasks>');

const built = performance.now();
const flow = unorderedFlow('u');
// In slices: a million arguments in one call overflow the stack.
for (let from = 0; from < tasks; from += 10_000) {
  flow.add(...Array.from({ length: Math.min(10_000, tasks - from) }, (_, i) => new Noop({ name: `t${from + i}` })));
}
const engine = load(flow, { engine: 'worker-based', transport, url, exchange, topics: ['noop'], transitionTimeoutMs: 3_600_000 });
const buildMs = performance.now() - built;
// Discovery counts topics, not processes: both workers serve `noop`, so one answer is enough.
await engine.waitForWorkers(1, 60_000);
const started = performance.now();
await engine.run();
const runMs = performance.now() - started;
if (engine.storage.flowState !== 'SUCCESS') throw new Error(`the flow ended ${engine.storage.flowState}`);
await engine.close();
// maxRSS is in KiB.
console.log(JSON.stringify({ tasks, buildMs, runMs, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
