/**
 * One engine process of bench/scale: builds an unordered flow of `tasks` trivial tasks, runs
 * it on the worker-based engine (workers already up), and prints one JSON line with its
 * times and its own peak RSS. A process of its own, so each size's peak is its own.
 *
 *   node --import tsx bench/scale/engine.ts <amqp|redis> <url> <exchange> <tasks>
 */
import { load } from '@tf/engine';
import { noopFlow } from '../workers';

const [transport, url, exchange, tasksArg] = process.argv.slice(2);
const tasks = Number(tasksArg);
if (!transport || !url || !exchange || !Number.isInteger(tasks) || tasks <= 0)
  throw new Error('usage: engine.ts <amqp|redis> <url> <exchange> <tasks>');

const built = performance.now();
const flow = noopFlow('unordered', tasks);
const engine = load(flow, { engine: 'worker-based', transport, url, exchange, topics: ['noop'], transitionTimeoutMs: 3_600_000 });
const buildMs = performance.now() - built;
await engine.waitForWorkers(2, 60_000);
const started = performance.now();
await engine.run();
const runMs = performance.now() - started;
if (engine.storage.flowState !== 'SUCCESS') throw new Error(`the flow ended ${engine.storage.flowState}`);
await engine.close();
// maxRSS is in KiB.
console.log(JSON.stringify({ tasks, buildMs, runMs, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
