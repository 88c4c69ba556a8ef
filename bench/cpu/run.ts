/**
 * CPU time per task of the worker-based engine and its two tf-worker processes, over RabbitMQ
 * and Redis: a linear and an unordered flow of trivial tasks (`bench.Noop`), the same flows as
 * bench/amqp and bench/redis. CPU time (user + system) is far less sensitive than wall time to
 * other jobs on the machine, so it shows what a change to the per-message path saves.
 *
 *   pnpm bench:cpu                       # both transports, 5 runs each (median)
 *   pnpm bench:cpu -- --only redis       # one transport
 *   pnpm bench:cpu -- --runs 3
 *
 * Engine: `process.cpuUsage()` around `engine.run()` (compile and load not included). Workers:
 * utime + stime from /proc/<pid>/stat (Linux only) over the same span, summed over both.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { load } from '@tf/engine';
import { noopFlow, noopWorkerArgs, startWorkers } from '../workers';

const argv = process.argv.slice(2);
const arg = (flag: string): string | undefined => (argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined);
const runs = Number(arg('--runs') ?? 5) || 5;
const only = (arg('--only') ?? 'amqp,redis').split(',');
const LINEAR = 2_000;
const UNORDERED = 10_000;
const amqpUrl = process.env.TF_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';
const redisUrl = process.env.TF_REDIS_URL ?? 'redis://127.0.0.1:6379';
const TICK_US = 1e6 / 100; // USER_HZ is 100 on Linux

/** CPU microseconds (user + system) a process has used so far. */
function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US; // utime, stime (fields 14 and 15)
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Sample {
  engineUs: number;
  workersUs: number;
  ms: number;
}

async function measure(transport: 'amqp' | 'redis'): Promise<void> {
  const exchange = `cpu-${randomUUID().slice(0, 8)}`;
  const url = transport === 'amqp' ? amqpUrl : redisUrl;
  const workers = await startWorkers(2, [
    '--transport',
    transport,
    '--url',
    url,
    ...noopWorkerArgs(exchange, transport === 'amqp' ? 64 : 16),
  ]);
  const once = async (kind: 'linear' | 'unordered', n: number): Promise<Sample> => {
    const engine = load(noopFlow(kind, n), {
      engine: 'worker-based',
      exchange,
      topics: ['noop'],
      transport,
      url,
      transitionTimeoutMs: 600_000,
    });
    await engine.waitForWorkers(1, 30_000);
    const w0 = workers.pids.reduce((sum, pid) => sum + processCpuUs(pid), 0);
    const e0 = process.cpuUsage();
    const t0 = performance.now();
    await engine.run();
    const ms = performance.now() - t0;
    const e = process.cpuUsage(e0);
    const w = workers.pids.reduce((sum, pid) => sum + processCpuUs(pid), 0) - w0;
    return { engineUs: (e.user + e.system) / n, workersUs: w / n, ms };
  };
  try {
    // Warm-up, as bench/amqp and bench/redis: the JIT needs a few thousand round trips.
    await once('unordered', UNORDERED);
    for (let i = 0; i < 3; i++) await once('linear', LINEAR);
    for (const [kind, n] of [
      ['linear', LINEAR],
      ['unordered', UNORDERED],
    ] as const) {
      const samples: Sample[] = [];
      for (let r = 0; r < runs; r++) samples.push(await once(kind, n));
      const e = median(samples.map((s) => s.engineUs));
      const w = median(samples.map((s) => s.workersUs));
      const tps = (n * 1000) / median(samples.map((s) => s.ms));
      console.log(
        `| ${transport} | ${kind} | ${n} | ${e.toFixed(0)} | ${w.toFixed(0)} | ${(e + w).toFixed(0)} | ${tps.toFixed(0)} | ${samples
          .map((s) => (s.engineUs + s.workersUs).toFixed(0))
          .join(', ')} |`,
      );
    }
  } finally {
    await workers.stop();
  }
}

console.log(
  `node ${process.version}, ${cpus().length} cores; load average before ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(`\n| transport | flow | tasks | engine CPU µs/task | workers CPU µs/task (both) | total | tasks/s | runs (total µs/task) |`);
console.log('|---|---|---:|---:|---:|---:|---:|---|');
for (const t of only) await measure(t as 'amqp' | 'redis');
console.log(
  `\nload average after ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
process.exit(0);
