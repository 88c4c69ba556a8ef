/**
 * The Redis transport against the floor and against BullMQ, in one run on one Redis:
 *   - floor: a bare ioredis request/reply loop between two processes (LPUSH + BRPOP each
 *     way), one request at a time: what any Redis round trip costs here;
 *   - tf: a worker-based engine in this process, tf-worker processes over the redis
 *     transport: a linear flow of 1,000 trivial tasks (one request in flight at a time) and
 *     an unordered flow of 10,000 (all at once);
 *   - BullMQ 5, with worker processes: 1,000 jobs added and awaited one after the other
 *     (job.waitUntilFinished), and a FlowProducer flow of a parent with 10,000 children
 *     (done when the parent completes).
 *
 *   pnpm bench:redis                       # TF_REDIS_URL overrides redis://127.0.0.1:6379
 *   pnpm bench:redis --runs 1 --quick      # smaller sizes, for a smoke test
 */
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { FlowProducer, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import type { Flow } from '@tf/core';
import { deleteKeys } from '../redis-keys';
import { noopFlow, noopWorkerArgs, root, startWorkers, stopProcesses, timeFlow } from '../workers';

const url = process.env.TF_REDIS_URL ?? 'redis://127.0.0.1:6379';
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) || 5 : 5;
const only = argv.includes('--only') ? (argv[argv.indexOf('--only') + 1] ?? '').split(',') : ['floor', 'tf', 'bullmq'];
const LINEAR = quick ? 200 : 1_000;
const UNORDERED = quick ? 1_000 : 10_000;
const WORKERS = 2;
const CONCURRENCY = 16;
const tag = `${process.pid}-${Date.now().toString(36)}`;
const tfPrefix = `tf-bench-${tag}:`;
const bullPrefix = `bull-bench-${tag}`;
const floorPrefix = `floor-bench-${tag}:`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const admin = new Redis(url);

/** Spawn `node --import tsx <script> ...args` and wait for it to print `ready`. */
async function spawnReady(script: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready: ${out}`)));
  });
  return child;
}

const stop = stopProcesses;

interface Row {
  what: string;
  tasks: number;
  ms: number[];
}
const rows: Row[] = [];
const rate = (r: Row) => (r.tasks * 1000) / median(r.ms);

// ---------------------------------------------------------------- floor
async function benchFloor(): Promise<void> {
  const requestKey = `${floorPrefix}req`;
  const replyKey = `${floorPrefix}rep`;
  const responder = await spawnReady('bench/redis/floor-responder.ts', [url, requestKey, replyKey]);
  const commands = new Redis(url);
  const blocking = new Redis(url);
  const loop = async (n: number) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      await commands.lpush(requestKey, String(i));
      await blocking.brpop(replyKey, 0);
    }
    return performance.now() - started;
  };
  try {
    await loop(4_000); // warm-up
    const row: Row = { what: 'floor: bare ioredis request/reply (LPUSH/BRPOP, 2 processes)', tasks: LINEAR, ms: [] };
    for (let r = 0; r < runs; r++) row.ms.push(await loop(LINEAR));
    rows.push(row);
  } finally {
    commands.disconnect();
    blocking.disconnect();
    await stop([responder]);
  }
  // The same loop on streams with a consumer group and acks (at least once, like the transport).
  const streamResponder = await spawnReady('bench/redis/floor-responder.ts', [url, requestKey, replyKey, 'streams']);
  const c2 = new Redis(url);
  const b2 = new Redis(url);
  await c2.xgroup('CREATE', replyKey, 'g', '0', 'MKSTREAM').catch(() => undefined);
  const streamLoop = async (n: number) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      await c2.xadd(requestKey, '*', 'body', String(i));
      const reply = (await b2.xreadgroup('GROUP', 'g', 'main', 'COUNT', 1, 'BLOCK', 0, 'STREAMS', replyKey, '>')) as [
        string,
        [string, string[]][],
      ][];
      const id = reply[0]![1][0]![0];
      await c2.pipeline().xack(replyKey, 'g', id).xdel(replyKey, id).exec();
    }
    return performance.now() - started;
  };
  try {
    await streamLoop(4_000);
    const row: Row = { what: 'floor (streams): XADD / XREADGROUP BLOCK / XACK+XDEL, 2 processes', tasks: LINEAR, ms: [] };
    for (let r = 0; r < runs; r++) row.ms.push(await streamLoop(LINEAR));
    rows.push(row);
  } finally {
    c2.disconnect();
    b2.disconnect();
    await stop([streamResponder]);
    await deleteKeys(admin, `${floorPrefix}*`);
  }
}

// ---------------------------------------------------------------- tf
async function benchTf(): Promise<void> {
  const transportOptions = { keyPrefix: tfPrefix };
  const workers = await startWorkers(WORKERS, [
    ...['--transport', 'redis', '--url', url, '--transport-options', JSON.stringify(transportOptions)],
    ...noopWorkerArgs('bench', CONCURRENCY),
  ]);
  const build = noopFlow;
  const time = (flow: Flow) => timeFlow(flow, { exchange: 'bench', topics: ['noop'], transport: 'redis', url, transportOptions });
  try {
    // Warm-up until the JIT has settled in the engine and in every worker (about 4,000 round trips).
    await time(build('unordered', UNORDERED));
    for (let i = 0; i < 4; i++) await time(build('linear', LINEAR));
    const linear: Row = { what: `tf linear flow (${WORKERS} tf-worker processes)`, tasks: LINEAR, ms: [] };
    const unordered: Row = { what: `tf unordered flow (${WORKERS} tf-worker processes)`, tasks: UNORDERED, ms: [] };
    for (let r = 0; r < runs; r++) {
      linear.ms.push(await time(build('linear', LINEAR)));
      unordered.ms.push(await time(build('unordered', UNORDERED)));
    }
    rows.push(linear, unordered);
  } finally {
    await workers.stop();
    await deleteKeys(admin, `${tfPrefix}*`);
  }
}

// ---------------------------------------------------------------- BullMQ
async function benchBull(): Promise<void> {
  const queueName = 'noop';
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix: bullPrefix });
  const events = new QueueEvents(queueName, {
    connection: { host: new URL(url).hostname, port: Number(new URL(url).port || 6379) },
    prefix: bullPrefix,
  });
  const flows = new FlowProducer({ connection, prefix: bullPrefix });
  await events.waitUntilReady();
  const workers = await Promise.all(
    Array.from({ length: WORKERS }, () => spawnReady('bench/redis/bullmq-worker.ts', [url, queueName, bullPrefix, String(CONCURRENCY)])),
  );
  const awaited = async (n: number) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const job = await queue.add('t', { i });
      await job.waitUntilFinished(events);
    }
    return performance.now() - started;
  };
  const flow = async (n: number) => {
    const started = performance.now();
    const node = await flows.add({
      name: 'parent',
      queueName,
      children: Array.from({ length: n }, (_, i) => ({ name: 't', queueName, data: { i } })),
    });
    await node.job.waitUntilFinished(events);
    return performance.now() - started;
  };
  try {
    await flow(UNORDERED); // warm-up, as long as tf's
    for (let i = 0; i < 4; i++) await awaited(LINEAR);
    const a: Row = { what: `BullMQ: jobs added and awaited one at a time (${WORKERS} worker processes)`, tasks: LINEAR, ms: [] };
    const f: Row = { what: `BullMQ: FlowProducer flow, 1 parent + N children (${WORKERS} worker processes)`, tasks: UNORDERED, ms: [] };
    for (let r = 0; r < runs; r++) {
      a.ms.push(await awaited(LINEAR));
      f.ms.push(await flow(UNORDERED));
    }
    rows.push(a, f);
  } finally {
    await stop(workers);
    await flows.close();
    await events.close();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
    connection.disconnect();
    await deleteKeys(admin, `${bullPrefix}:*`);
  }
}

const loadBefore = loadavg();
const uptimeBefore = execSync('uptime').toString().trim();
try {
  if (only.includes('floor')) await benchFloor();
  if (only.includes('tf')) await benchTf();
  if (only.includes('bullmq')) await benchBull();
} finally {
  admin.disconnect();
}
const uptimeAfter = execSync('uptime').toString().trim();

const info = `node ${process.version}, Redis at ${url}, ${WORKERS} worker processes (concurrency ${CONCURRENCY}) for tf and BullMQ, median of ${runs}`;
console.log(`${info}\nuptime before: ${uptimeBefore}\nuptime after:  ${uptimeAfter}\n`);
console.log('| measure | tasks | median ms | tasks/s | runs (ms) |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) {
  console.log(
    `| ${r.what} | ${r.tasks} | ${median(r.ms).toFixed(0)} | ${Math.round(rate(r))} | ${r.ms.map((x) => x.toFixed(0)).join(', ')} |`,
  );
}
const floorRow = rows.find((r) => r.what.startsWith('floor:'));
const streamFloor = rows.find((r) => r.what.startsWith('floor (streams)'));
const tfLinear = rows.find((r) => r.what.startsWith('tf linear'));
const tfUnordered = rows.find((r) => r.what.startsWith('tf unordered'));
const bullAwaited = rows.find((r) => r.what.startsWith('BullMQ: jobs'));
const bullFlow = rows.find((r) => r.what.startsWith('BullMQ: FlowProducer'));
console.log('');
if (tfLinear && floorRow) console.log(`tf linear / floor:              ${(rate(tfLinear) / rate(floorRow)).toFixed(2)}  (goal >= 0.5)`);
if (tfLinear && streamFloor) console.log(`tf linear / streams floor:      ${(rate(tfLinear) / rate(streamFloor)).toFixed(2)}`);
if (tfLinear && bullAwaited) console.log(`tf linear / BullMQ awaited:     ${(rate(tfLinear) / rate(bullAwaited)).toFixed(2)}  (goal >= 2)`);
if (tfUnordered && bullFlow) console.log(`tf unordered / BullMQ flow:     ${(rate(tfUnordered) / rate(bullFlow)).toFixed(2)}  (goal > 1)`);
if (tfUnordered && floorRow) console.log(`tf unordered / floor:           ${(rate(tfUnordered) / rate(floorRow)).toFixed(2)}`);
console.log(
  `load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
