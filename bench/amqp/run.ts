/**
 * RabbitMQ, in one run on the same broker, two workers each time:
 *   (a) the floor: a bare amqplib request/reply loop (two responder processes, no tf),
 *       one request at a time and pipelined;
 *   (b) tf: the worker-based engine here, two tf-worker processes;
 *   (c) Python TaskFlow's worker-based engine with two Python workers.
 * Flows: 1,000-task linear and 10,000-task unordered, trivial tasks.
 *
 *   pnpm bench:amqp                      # everything
 *   pnpm bench:amqp -- --python-unordered 2000   # a shorter Python unordered run
 *   pnpm bench:amqp -- --skip-python     # floor and tf only (fast iterations)
 */
import { execSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import type { Flow } from '@tf/core';
import { noopFlow, noopWorkerArgs, root, startWorkers, stopProcesses, timeFlow } from '../workers';

const url = 'amqp://guest:guest@127.0.0.1:5672//';
const rawUrl = 'amqp://guest:guest@127.0.0.1:5672';
const argValue = (flag: string, fallback: number) => {
  const i = process.argv.indexOf(flag);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const LINEAR = argValue('--linear', 1_000);
const UNORDERED = argValue('--unordered', 10_000);
const PY_UNORDERED = argValue('--python-unordered', UNORDERED);
const SKIP_PYTHON = process.argv.includes('--skip-python');
const here = fileURLToPath(new URL('.', import.meta.url));

/** Floor and tf: each measure this many times, the median kept (Python: once, it is slow). */
const RUNS = argValue('--runs', 3);
type Row = { system: string; flow: string; tasks: number; ms: number; all: number[] };
const rows: Row[] = [];
const record = (system: string, flow: string, tasks: number, ms: number | number[]) => {
  const all = Array.isArray(ms) ? ms : [ms];
  const median = [...all].sort((a, b) => a - b)[Math.floor(all.length / 2)]!;
  rows.push({ system, flow, tasks, ms: median, all });
  console.error(
    `  ${system} ${flow} ${tasks}: ${median.toFixed(0)} ms (${Math.round((tasks / median) * 1000)}/s) runs ${all.map((x) => x.toFixed(0)).join(', ')}`,
  );
};
const repeat = async (fn: () => Promise<number>) => {
  const out: number[] = [];
  for (let r = 0; r < RUNS; r++) out.push(await fn());
  return out;
};

async function spawnReady(command: string, args: string[], cwd: string): Promise<ChildProcess> {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => c.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}`)));
  });
  return child;
}

const stop = stopProcesses;

// --- (a) the floor --------------------------------------------------------------------
async function floor(): Promise<void> {
  const queue = `floor-${randomUUID()}`;
  const responders = await Promise.all(
    [1, 2].map(() => spawnReady(process.execPath, ['--import', 'tsx', 'bench/amqp/responder.ts', rawUrl, queue], root)),
  );
  const connection = await amqp.connect(rawUrl, { noDelay: true });
  try {
    const channel = await connection.createChannel();
    const { queue: replyQueue } = await channel.assertQueue('', { exclusive: true });
    const waiting = new Map<string, () => void>();
    await channel.consume(replyQueue, (m) => m && waiting.get(m.properties.correlationId as string)?.(), { noAck: true });
    const body = Buffer.from(
      JSON.stringify({ task_cls: 'bench.Noop', task_name: 't', task_version: [1, 0], action: 'execute', arguments: {} }),
    );
    const request = () =>
      new Promise<void>((resolve) => {
        const id = randomUUID();
        waiting.set(id, () => {
          waiting.delete(id);
          resolve();
        });
        channel.sendToQueue(queue, body, { replyTo: replyQueue, correlationId: id, contentType: 'application/json' });
      });
    for (let i = 0; i < 2_000; i++) await request(); // warm-up
    await Promise.all(Array.from({ length: UNORDERED }, request));
    const oneAtATime = async () => {
      const started = performance.now();
      for (let i = 0; i < LINEAR; i++) await request();
      return performance.now() - started;
    };
    const pipelined = async () => {
      const started = performance.now();
      await Promise.all(Array.from({ length: UNORDERED }, request));
      return performance.now() - started;
    };
    record('floor (bare amqplib)', 'one at a time', LINEAR, await repeat(oneAtATime));
    record('floor (bare amqplib)', 'pipelined', UNORDERED, await repeat(pipelined));
    await channel.deleteQueue(queue);
  } finally {
    await connection.close();
    await stop(responders);
  }
}

// --- (b) tf ---------------------------------------------------------------------------
async function ours(): Promise<void> {
  const exchange = `bench-${randomUUID().slice(0, 8)}`;
  const workers = await startWorkers(2, ['--transport', 'amqp', '--url', url, ...noopWorkerArgs(exchange, 64)]);
  const build = noopFlow;
  const time = (flow: Flow) => timeFlow(flow, { exchange, topics: ['noop'], transport: 'amqp', url, transitionTimeoutMs: 600_000 });
  try {
    // Warm-up, as for the floor: the JIT needs a few thousand round trips in every process.
    await time(build('unordered', UNORDERED));
    await time(build('linear', LINEAR));
    await time(build('linear', LINEAR));
    record('tf (engine + 2 tf-worker)', 'linear', LINEAR, await repeat(() => time(build('linear', LINEAR))));
    record('tf (engine + 2 tf-worker)', 'unordered', UNORDERED, await repeat(() => time(build('unordered', UNORDERED))));
  } finally {
    await workers.stop();
  }
}

// --- (c) Python TaskFlow --------------------------------------------------------------
async function python(): Promise<boolean> {
  const python = '/usr/bin/python3';
  if (spawnSync(python, ['-c', 'import taskflow'], { stdio: 'ignore' }).status !== 0) {
    console.error('  python3-taskflow is not installed: skipping (c)');
    return false;
  }
  const exchange = `pybench-${randomUUID().slice(0, 8)}`;
  const workers = await Promise.all(
    ['w1', 'w2'].map((topic) => spawnReady(python, ['taskflow_wbe.py', 'worker', url, exchange, topic], here)),
  );
  const run = (pattern: string, n: number) => {
    const out = spawnSync(python, ['taskflow_wbe.py', 'engine', url, exchange, 'w1,w2', pattern, String(n)], {
      cwd: here,
      encoding: 'utf8',
      timeout: 1_800_000,
    });
    if (out.status !== 0) throw new Error(`python engine failed: ${out.stderr}`);
    return (JSON.parse(out.stdout.trim().split('\n').at(-1)!) as { seconds: number }).seconds * 1000;
  };
  try {
    run('unordered', 50); // warm-up
    record('Python TaskFlow 5 (engine + 2 workers)', 'linear', LINEAR, run('linear', LINEAR));
    record('Python TaskFlow 5 (engine + 2 workers)', 'unordered', PY_UNORDERED, run('unordered', PY_UNORDERED));
  } finally {
    await stop(workers);
  }
  return true;
}

const uptimeBefore = execSync('uptime').toString().trim();
console.error(`bench/amqp on ${url.replace(/:[^:@/]+@/, ':***@')} (node ${process.version})`);
await floor();
await ours();
const hadPython = SKIP_PYTHON ? false : await python();

const perSecond = (r: Row) => (r.tasks / r.ms) * 1000;
const find = (system: string, flow: string) => rows.find((r) => r.system.startsWith(system) && r.flow === flow);
console.log(`\n| system | flow | tasks | ms (median of ${RUNS} for floor and tf) | tasks/s | runs (ms) |`);
console.log('|---|---|---:|---:|---:|---|');
for (const r of rows)
  console.log(
    `| ${r.system} | ${r.flow} | ${r.tasks} | ${r.ms.toFixed(0)} | ${Math.round(perSecond(r))} | ${r.all.map((x) => x.toFixed(0)).join(', ')} |`,
  );
const ratio = (a?: Row, b?: Row) => (a && b ? (perSecond(a) / perSecond(b)).toFixed(2) : 'n/a');
console.log('\n| ratio | value | goal |');
console.log('|---|---:|---|');
console.log(`| tf linear / floor one at a time | ${ratio(find('tf', 'linear'), find('floor', 'one at a time'))} | >= 0.5 |`);
console.log(`| tf unordered / floor pipelined | ${ratio(find('tf', 'unordered'), find('floor', 'pipelined'))} | >= 0.5 |`);
if (hadPython) {
  console.log(`| tf linear / Python TaskFlow linear | ${ratio(find('tf', 'linear'), find('Python', 'linear'))} | >= 30 |`);
  console.log(`| tf unordered / Python TaskFlow unordered | ${ratio(find('tf', 'unordered'), find('Python', 'unordered'))} | >= 30 |`);
}
console.log(`\nuptime before: ${uptimeBefore}\nuptime after:  ${execSync('uptime').toString().trim()}`);
