/**
 * Large unordered flows on RabbitMQ and Redis: the engine in a process of its own, two
 * tf-worker processes (concurrency 64 each), trivial tasks. Per run: tasks/s, the engine's
 * peak RSS, each worker's peak RSS (VmHWM), and the deepest the topic's queue got (sampled
 * every 250 ms: RabbitMQ's ready messages, the Redis stream's length). With `--python`, the
 * same flow with Python TaskFlow's worker-based engine and two Python workers on RabbitMQ,
 * stopped after `--python-limit` seconds (its peak RSS and elapsed time reported either way).
 *
 *   pnpm bench:scale                                  # 100,000 tasks, RabbitMQ and Redis
 *   pnpm bench:scale --tasks 1000000 --transports redis
 *   pnpm bench:scale --python --python-limit 900
 *   pnpm bench:scale --tasks 1000000 --transports redis --engine-heap-mib 1536   # the engine under --max-old-space-size
 *   pnpm bench:scale --engine-node-args=--heap-growing-percent=100               # V8's growth factor 2 (docs/operations.md)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { deleteKeys } from '../redis-keys';
import { noopWorkerArgs, root, startWorkers, stopProcesses } from '../workers';

const { values } = parseArgs({
  options: {
    tasks: { type: 'string', default: '100000' },
    transports: { type: 'string', default: 'amqp,redis' },
    python: { type: 'boolean', default: false },
    'python-limit': { type: 'string', default: '600' },
    // The engine process's V8 heap limit (--max-old-space-size), the documented option for
    // very large flows (docs/operations.md); reported with the row. Default: V8's own.
    'engine-heap-mib': { type: 'string' },
    // Any other node flags for the engine process (say '--max-semi-space-size=4'); reported with the row.
    'engine-node-args': { type: 'string', default: '' },
  },
});
const tasks = Number(values.tasks);
const transports = values.transports.split(',').filter((t) => t === 'amqp' || t === 'redis');
const pythonLimitS = Number(values['python-limit']);
const engineHeapMiB = values['engine-heap-mib'] === undefined ? undefined : Number(values['engine-heap-mib']);
if (engineHeapMiB !== undefined && !(Number.isInteger(engineHeapMiB) && engineHeapMiB > 0))
  throw new Error('--engine-heap-mib: a positive integer (MiB)');
const engineNodeArgs = [
  ...(engineHeapMiB === undefined ? [] : [`--max-old-space-size=${engineHeapMiB}`]),
  ...values['engine-node-args'].split(' ').filter(Boolean),
];
const AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672//';
const REDIS_URL = process.env.TF_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Peak RSS (VmHWM) of a live process, in MiB. */
function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kib / 1024;
}

/** Samples the topic's depth every 250 ms until stopped; returns the highest seen. */
function sampleDepth(read: () => Promise<number>): { stop(): Promise<number> } {
  let highest = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        highest = Math.max(highest, await read());
      } catch {
        // The queue may not exist yet (declared by the first consumer or publish).
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return highest;
    },
  };
}

/** Runs a child to its end (bounded by `limitMs`); its last stdout line, or undefined when killed at the limit. */
function runChild(
  command: string,
  args: string[],
  cwd: string,
  limitMs: number,
  onSpawn?: (child: ChildProcess) => void,
): Promise<{ last: string | undefined; peakMiB: number; elapsedMs: number; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
    onSpawn?.(child);
    let out = '';
    let peakMiB = 0;
    let timedOut = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const watch = setInterval(() => {
      try {
        // NaN once the process is a zombie (no VmHWM line): kept out of the maximum.
        const now = peakRssMiB(child.pid!);
        if (!Number.isNaN(now)) peakMiB = Math.max(peakMiB, now);
      } catch {
        // exited
      }
    }, 500);
    const limit = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, limitMs);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearInterval(watch);
      clearTimeout(limit);
      const elapsedMs = performance.now() - started;
      if (!timedOut && code !== 0) return reject(new Error(`${command} ${args.join(' ')} exited ${code}`));
      resolve({ last: timedOut ? undefined : out.trim().split('\n').at(-1), peakMiB, elapsedMs, timedOut });
    });
  });
}

interface Row {
  system: string;
  transport: string;
  tasks: number;
  runMs: number | undefined;
  buildMs?: number;
  enginePeakMiB: number;
  workerPeakMiB: number[];
  depth: number;
  note?: string;
}
const rows: Row[] = [];

async function ours(transport: 'amqp' | 'redis'): Promise<void> {
  const exchange = `scale-${randomUUID().slice(0, 8)}`;
  const url = transport === 'amqp' ? AMQP_URL : REDIS_URL;
  const workers = await startWorkers(2, ['--transport', transport, '--url', url, ...noopWorkerArgs(exchange, 64)]);
  const redis = transport === 'redis' ? new Redis(REDIS_URL, { lazyConnect: true }) : undefined;
  const connection = transport === 'amqp' ? await amqp.connect(AMQP_URL) : undefined;
  const channel = connection ? await connection.createChannel() : undefined;
  channel?.on('error', () => undefined);
  try {
    await redis?.connect();
    const depth = sampleDepth(async () => {
      if (redis) return redis.xlen(`tf:${exchange}:noop`);
      return (await channel!.checkQueue(`${exchange}_noop`)).messageCount;
    });
    const result = await runChild(
      process.execPath,
      [...engineNodeArgs, 'bench/scale/engine.mjs', transport, url, exchange, String(tasks)],
      root,
      3_600_000,
    );
    const highest = await depth.stop();
    const parsed = JSON.parse(result.last!) as { runMs: number; buildMs: number; peakRssMiB: number };
    rows.push({
      system: 'tf (engine + 2 tf-worker)',
      transport: transport === 'amqp' ? 'RabbitMQ' : 'Redis',
      tasks,
      runMs: parsed.runMs,
      buildMs: parsed.buildMs,
      enginePeakMiB: parsed.peakRssMiB,
      workerPeakMiB: workers.pids.map(peakRssMiB),
      depth: highest,
      ...(engineNodeArgs.length === 0 ? {} : { note: `engine run with ${engineNodeArgs.join(' ')}` }),
    });
  } finally {
    await workers.stop();
    if (redis) {
      await deleteKeys(redis, `tf:${exchange}:*`);
      redis.disconnect();
    }
    await connection?.close().catch(() => undefined);
  }
}

async function python(): Promise<void> {
  const py = '/usr/bin/python3';
  const exchange = `pyscale-${randomUUID().slice(0, 8)}`;
  const amqpDir = fileURLToPath(new URL('../amqp/', import.meta.url));
  const workers = ['w1', 'w2'].map((topic) =>
    spawn(py, ['taskflow_wbe.py', 'worker', AMQP_URL, exchange, topic], { cwd: amqpDir, stdio: ['ignore', 'pipe', 'inherit'] }),
  );
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('a Python worker did not start in 60 s')), 60_000);
          w.stdout!.on('data', (c: Buffer) => {
            if (c.toString().includes('ready')) {
              clearTimeout(timer);
              resolve();
            }
          });
        }),
    ),
  );
  try {
    const result = await runChild(
      py,
      ['taskflow_wbe.py', 'engine', AMQP_URL, exchange, 'w1,w2', 'unordered', String(tasks)],
      amqpDir,
      pythonLimitS * 1000,
    );
    const seconds = result.last ? (JSON.parse(result.last) as { seconds: number }).seconds : undefined;
    rows.push({
      system: 'Python TaskFlow 5 (engine + 2 workers)',
      transport: 'RabbitMQ',
      tasks,
      runMs: seconds === undefined ? undefined : seconds * 1000,
      enginePeakMiB: result.peakMiB,
      workerPeakMiB: workers.map((w) => peakRssMiB(w.pid!)),
      depth: Number.NaN,
      ...(result.timedOut ? { note: `stopped at the ${pythonLimitS} s limit, not finished` } : {}),
    });
  } finally {
    await stopProcesses(workers);
  }
}

const before = loadavg()
  .map((x) => x.toFixed(2))
  .join(', ');
for (const transport of transports) await ours(transport as 'amqp' | 'redis');
if (values.python) await python();
const after = loadavg()
  .map((x) => x.toFixed(2))
  .join(', ');
const f0 = (x: number) => Math.round(x).toLocaleString('en-US');
console.log(
  `\nNode ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average before ${before}, after ${after}.\n`,
);
console.log('| system | broker | tasks | tasks/s | run s | engine peak RSS MiB | worker peak RSS MiB | deepest queue |');
console.log('|---|---|---:|---:|---:|---:|---|---:|');
for (const r of rows) {
  if (r.note !== undefined && r.runMs !== undefined) console.log(`(${r.system}, ${r.transport}: ${r.note})`);
  const rate = r.runMs === undefined ? '-' : f0((r.tasks / r.runMs) * 1000);
  const secs = r.runMs === undefined ? (r.note ?? '-') : (r.runMs / 1000).toFixed(1);
  console.log(
    `| ${r.system} | ${r.transport} | ${f0(r.tasks)} | ${rate} | ${secs} | ${f0(r.enginePeakMiB)} | ${r.workerPeakMiB.map(f0).join(', ')} | ${Number.isNaN(r.depth) ? '-' : f0(r.depth)} |`,
  );
}
