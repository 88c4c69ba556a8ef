/**
 * The NATS JetStream transport (the third-party tf-transport-nats) against the floor, with the
 * Redis and RabbitMQ transports beside it, in one run:
 *   - floor (core): a bare request/reply loop between two processes on core NATS
 *     (`nc.request` / `msg.respond`), one request at a time: what any NATS round trip costs;
 *   - floor (JetStream): the same loop through two work-queue streams with durable pull
 *     consumers, PubAcks and acks: the at-least-once machinery the transport uses, without it;
 *   - tf: a worker-based engine in this process, tf-worker processes over each transport: a
 *     linear flow of 1,000 trivial tasks (one request in flight at a time) and an unordered
 *     flow of 10,000 (all at once).
 *
 *   pnpm bench:nats                          # TF_NATS_URL, TF_REDIS_URL, TF_AMQP_URL override the local brokers
 *   pnpm bench:nats --runs 1 --quick         # smaller sizes, for a smoke test
 *   pnpm bench:nats --only floor,nats        # floor, nats, redis, amqp: any comma-separated subset
 */
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { AckPolicy, RetentionPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Flow } from '@tf/core';
import { NatsAdmin } from '../../examples/transport-nats/test/admin';
import { noopFlow, noopWorkerArgs, root, startWorkers, stopProcesses, timeFlow } from '../workers';

const natsUrl = process.env['TF_NATS_URL'] ?? 'nats://127.0.0.1:4222';
const brokers = {
  nats: natsUrl,
  redis: process.env['TF_REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  amqp: process.env['TF_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672//',
} as const;
type Broker = keyof typeof brokers;
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) || 5 : 5;
const only = argv.includes('--only') ? (argv[argv.indexOf('--only') + 1] ?? '').split(',') : ['floor', 'nats', 'redis', 'amqp'];
const LINEAR = quick ? 200 : 1_000;
const UNORDERED = quick ? 1_000 : 10_000;
const WORKERS = 2;
const CONCURRENCY = 16;
const tag = `${process.pid}${Date.now().toString(36)}`;
const subjectPrefix = `tfbench${tag}`;
const natsOptions = { streamPrefix: `TFBENCH${tag}`, subjectPrefix };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const admin = new NatsAdmin(natsUrl);

async function spawnReady(script: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} not ready in 30 s: ${out}`)), 30_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`${script} exited (${code}) before it was ready: ${out}`)));
  });
  return child;
}

interface Row {
  what: string;
  tasks: number;
  ms: number[];
}
const rows: Row[] = [];
const rate = (r: Row) => (r.tasks * 1000) / median(r.ms);

// ---------------------------------------------------------------- floors
async function benchFloor(): Promise<void> {
  const nc = await connect({ servers: natsUrl.replace(/^nats:\/\//, '') });
  const coreSubject = `${subjectPrefix}-floor.core`;
  const responder = await spawnReady('bench/nats/floor-responder.ts', [natsUrl, 'core', coreSubject]);
  const coreLoop = async (n: number) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) await nc.request(coreSubject, String(i), { timeout: 5_000 });
    return performance.now() - started;
  };
  try {
    await coreLoop(4_000); // warm-up
    const row: Row = { what: 'floor (core NATS): nc.request / msg.respond, 2 processes', tasks: LINEAR, ms: [] };
    for (let r = 0; r < runs; r++) row.ms.push(await coreLoop(LINEAR));
    rows.push(row);
  } finally {
    await stopProcesses([responder]);
  }

  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  const requestSubject = `${subjectPrefix}.floor.req`;
  const replySubject = `${subjectPrefix}.floor.rep`;
  for (const [name, subject] of [
    [`${natsOptions.streamPrefix}_floor_req`, requestSubject],
    [`${natsOptions.streamPrefix}_floor_rep`, replySubject],
  ] as const) {
    await jsm.streams.add({ name, subjects: [subject], retention: RetentionPolicy.Workqueue });
    await jsm.consumers.add(name, { durable_name: 'g', ack_policy: AckPolicy.Explicit });
  }
  const jsResponder = await spawnReady('bench/nats/floor-responder.ts', [
    natsUrl,
    'jetstream',
    `${natsOptions.streamPrefix}_floor_req`,
    replySubject,
  ]);
  const replies = await (await js.consumers.get(`${natsOptions.streamPrefix}_floor_rep`, 'g')).consume({ max_messages: 64 });
  const iterator = replies[Symbol.asyncIterator]();
  const jsLoop = async (n: number) => {
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      await js.publish(requestSubject, String(i));
      const next = await iterator.next();
      next.value?.ack();
    }
    return performance.now() - started;
  };
  try {
    await jsLoop(4_000);
    const row: Row = {
      what: 'floor (JetStream): publish+PubAck / pull / reply publish+PubAck / ack, 2 processes',
      tasks: LINEAR,
      ms: [],
    };
    for (let r = 0; r < runs; r++) row.ms.push(await jsLoop(LINEAR));
    rows.push(row);
  } finally {
    replies.stop();
    await stopProcesses([jsResponder]);
    await nc.close();
  }
}

// ---------------------------------------------------------------- tf, per transport
async function benchTf(broker: Broker): Promise<void> {
  const url = brokers[broker];
  const transportOptions = broker === 'nats' ? natsOptions : broker === 'redis' ? { keyPrefix: `tf-bench-${tag}:` } : undefined;
  const exchange = `bench-${tag}`;
  const workers = await startWorkers(WORKERS, [
    ...['--transport', broker, '--url', url],
    ...(transportOptions ? ['--transport-options', JSON.stringify(transportOptions)] : []),
    ...noopWorkerArgs(exchange, CONCURRENCY),
  ]);
  const time = (flow: Flow) =>
    timeFlow(flow, { exchange, topics: ['noop'], transport: broker, url, ...(transportOptions ? { transportOptions } : {}) });
  try {
    await time(noopFlow('unordered', UNORDERED));
    for (let i = 0; i < 4; i++) await time(noopFlow('linear', LINEAR));
    const linear: Row = { what: `tf linear flow over ${broker} (${WORKERS} tf-worker processes)`, tasks: LINEAR, ms: [] };
    const unordered: Row = { what: `tf unordered flow over ${broker} (${WORKERS} tf-worker processes)`, tasks: UNORDERED, ms: [] };
    for (let r = 0; r < runs; r++) {
      linear.ms.push(await time(noopFlow('linear', LINEAR)));
      unordered.ms.push(await time(noopFlow('unordered', UNORDERED)));
    }
    rows.push(linear, unordered);
  } finally {
    await workers.stop();
  }
}

const loadBefore = loadavg();
const uptimeBefore = execSync('uptime').toString().trim();
try {
  if (only.includes('floor')) await benchFloor();
  for (const broker of ['nats', 'redis', 'amqp'] as const) if (only.includes(broker)) await benchTf(broker);
} finally {
  await admin.deleteStreams(subjectPrefix).catch(() => undefined);
  await admin.close();
}
const uptimeAfter = execSync('uptime').toString().trim();

console.log(
  `node ${process.version}, NATS at ${natsUrl}, ${WORKERS} worker processes (concurrency ${CONCURRENCY}), median of ${runs}\nuptime before: ${uptimeBefore}\nuptime after:  ${uptimeAfter}\n`,
);
console.log('| measure | tasks | median ms | tasks/s | runs (ms) |');
console.log('|---|---:|---:|---:|---|');
for (const r of rows) {
  console.log(
    `| ${r.what} | ${r.tasks} | ${median(r.ms).toFixed(0)} | ${Math.round(rate(r))} | ${r.ms.map((x) => x.toFixed(0)).join(', ')} |`,
  );
}
const find = (prefix: string) => rows.find((r) => r.what.startsWith(prefix));
const core = find('floor (core');
const js = find('floor (JetStream');
console.log('');
for (const broker of ['nats', 'redis', 'amqp'] as const) {
  for (const kind of ['linear', 'unordered'] as const) {
    const row = find(`tf ${kind} flow over ${broker}`);
    if (!row) continue;
    if (core) console.log(`tf ${kind} over ${broker} / core NATS floor:      ${(rate(row) / rate(core)).toFixed(2)}`);
    if (js) console.log(`tf ${kind} over ${broker} / JetStream floor:      ${(rate(row) / rate(js)).toFixed(2)}`);
  }
}
console.log(
  `load average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
