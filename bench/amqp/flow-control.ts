/**
 * Flow control's cost on the unordered case: the 10,000-task unordered flow of bench/amqp
 * (engine here, two tf-worker processes of concurrency 64, RabbitMQ) with the default
 * in-flight bound (`maxInFlight` 1,000) and without one (`null`, as before flow control),
 * alternated, the median of 3 each.
 *
 *   pnpm bench:amqp:flow-control
 *   pnpm bench:amqp:flow-control -- --unordered 20000 --runs 5 --bound 100
 */
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { noopFlow, noopWorkerArgs, startWorkers, timeFlow } from '../workers';

const url = 'amqp://guest:guest@127.0.0.1:5672//';
const argValue = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const UNORDERED = argValue('--unordered', 10_000);
const RUNS = argValue('--runs', 3);
const BOUND = argValue('--bound', 1_000);

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const load = () => execSync('uptime').toString().trim();

const loadBefore = load();
console.error(`bench/amqp flow control on ${url.replace(/:[^:@/]+@/, ':***@')} (node ${process.version})`);
const exchange = `bench-fc-${randomUUID().slice(0, 8)}`;
const workers = await startWorkers(2, ['--transport', 'amqp', '--url', url, ...noopWorkerArgs(exchange, 64)]);
const time = (maxInFlight: number | null) =>
  timeFlow(noopFlow('unordered', UNORDERED), {
    exchange,
    topics: ['noop'],
    transport: 'amqp',
    url,
    transitionTimeoutMs: 600_000,
    maxInFlight,
  });
const bounded: number[] = [];
const unbounded: number[] = [];
try {
  await time(null); // warm-up
  await time(BOUND);
  for (let r = 0; r < RUNS; r++) {
    unbounded.push(await time(null));
    bounded.push(await time(BOUND));
    console.error(`  run ${r + 1}: no bound ${unbounded.at(-1)!.toFixed(0)} ms, maxInFlight ${BOUND} ${bounded.at(-1)!.toFixed(0)} ms`);
  }
} finally {
  await workers.stop();
}
const b = median(bounded);
const u = median(unbounded);
const rate = (ms: number) => Math.round((UNORDERED / ms) * 1000);
console.log(`\n| unordered ${UNORDERED} | ms (median of ${RUNS}) | tasks/s | runs (ms) |`);
console.log('|---|---:|---:|---|');
console.log(`| no bound (before) | ${u.toFixed(0)} | ${rate(u)} | ${unbounded.map((x) => x.toFixed(0)).join(', ')} |`);
console.log(`| maxInFlight ${BOUND} (after) | ${b.toFixed(0)} | ${rate(b)} | ${bounded.map((x) => x.toFixed(0)).join(', ')} |`);
console.log(`\nafter / before throughput: ${(u / b).toFixed(2)}`);
console.log(`\nuptime before: ${loadBefore}\nuptime after:  ${load()}`);
