/**
 * Failover when a worker is the only one on its topic (the seed's `topics: ['topic1',
 * 'topic2']` layout): two `tf-worker` processes on distinct topics, the one running tasks
 * killed with SIGKILL. Nobody else consumes the dead worker's topic, so the broker's
 * redelivery cannot help: the engine notices the missing heartbeats and sends the requests
 * again to the survivor. On the filesystem, Redis and RabbitMQ; and on one shared topic
 * (redelivery and re-dispatch together), where no task may be counted twice.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { load } from '@tf/engine';
import { REDIS_URL, redisAvailable } from '../packages/transport-redis/test/available';
import { adminClient, deleteKeys } from '../packages/transport-redis/test/util';
import { expectEverySquare, squaresFlow } from './fixtures/flows';
import { fixtureWorkerArgs, killAtFirstProgress, startWorker, type WorkerProcess } from './helpers';
import { AMQP_URL, describeWith, uniqueName } from './services';

const redisUp = await redisAvailable();
const prefix = `tf-it-failover-${process.pid}-${Date.now().toString(36)}:`;
const admin = redisUp ? adminClient(REDIS_URL) : undefined;
const folder = mkdtempSync(join(tmpdir(), 'tf-it-failover-'));

let workers: WorkerProcess[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  if (admin) await deleteKeys(admin, `${prefix}*`);
});
afterAll(async () => {
  await admin?.quit();
  rmSync(folder, { recursive: true, force: true });
});

interface Broker {
  readonly name: string;
  /** `--transport ...` arguments of tf-worker. */
  readonly args: string[];
  /** The same, as engine options. */
  readonly options: Record<string, unknown>;
}

const brokers: Broker[] = [
  {
    name: 'filesystem',
    args: [
      '--transport',
      'filesystem',
      '--transport-options',
      JSON.stringify({ data_folder_in: folder, data_folder_out: folder, polling_interval: 0.1 }),
    ],
    options: { transport: 'filesystem', transportOptions: { data_folder_in: folder, data_folder_out: folder, polling_interval: 0.1 } },
  },
  {
    name: 'redis',
    // A long lease: the shared-topic case must not lean on the lease for redelivery alone.
    args: ['--transport', 'redis', '--url', REDIS_URL, '--transport-options', JSON.stringify({ key_prefix: prefix })],
    options: { transport: 'redis', url: REDIS_URL, transportOptions: { key_prefix: prefix } },
  },
  { name: 'amqp', args: ['--transport', 'amqp', '--url', AMQP_URL], options: { transport: 'amqp', url: AMQP_URL } },
];

async function startWorkers(broker: Broker, exchange: string, topics: [string, string]): Promise<[WorkerProcess, WorkerProcess]> {
  const started = await Promise.allSettled(
    topics.map((topic) => startWorker(fixtureWorkerArgs(broker.args, exchange, topic, ['--concurrency', '2']))),
  );
  for (const s of started) if (s.status === 'fulfilled') workers.push(s.value);
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  return workers as [WorkerProcess, WorkerProcess];
}

/** Runs 8 slow squares and their sum, killing the first worker to report progress from `victim`. */
async function runAndKill(broker: Broker, exchange: string, topics: string[], victim: WorkerProcess, survivor: WorkerProcess) {
  const { flow, names } = squaresFlow(8);
  const engine = load(flow, {
    engine: 'worker-based',
    ...broker.options,
    exchange,
    topics,
    notifyIntervalMs: 1_000,
    transitionTimeoutMs: 60_000,
    store: { ms: 1_500 },
    ...(process.env['TF_IT_LOG'] ? { logger: debugLogger() } : {}),
  });
  const successes = new Map<string, number>();
  engine.atomNotifier.on('SUCCESS', (_e, d) => successes.set(d.atomName, (successes.get(d.atomName) ?? 0) + 1));
  const kill = killAtFirstProgress(engine, victim);
  expect(await engine.waitForWorkers(topics.length, 30_000)).toBe(topics.length);
  const started = Date.now();
  await engine.run();
  const took = Date.now() - started;
  await kill.exited();

  expect(kill.killedDuring).toBeDefined();
  expect(victim.child.signalCode).toBe('SIGKILL');
  expect(engine.storage.flowState).toBe('SUCCESS');
  const pids = expectEverySquare(engine.storage.fetchAll(), names);
  // The task the victim was running when it died was done again, by the survivor.
  expect(pids.get(kill.killedDuring!)).toBe(survivor.pid);
  expect(kill.startedBy.get(survivor.pid)?.has(kill.killedDuring!)).toBe(true);
  // Each task's result was taken once: one SUCCESS per atom.
  for (const name of [...names, 'sum']) expect(successes.get(name), name).toBe(1);
  // Well before any transition timeout (60 s): the heartbeat timeout (5 s) did it.
  expect(took).toBeLessThan(40_000);
  return { took };
}

for (const broker of brokers) {
  const needs = broker.name === 'amqp' ? (['rabbitmq'] as const) : ([] as const);
  await describeWith(needs, `${broker.name}: kill -9 of a tf-worker`, () => {
    it.skipIf(broker.name === 'redis' && !redisUp)(
      'alone on its topic: the engine re-dispatches its requests to the survivor; every result, once',
      { timeout: 120_000 },
      async () => {
        const exchange = uniqueName(`it-fo-${broker.name}`);
        const [victim, survivor] = await startWorkers(broker, exchange, ['topic1', 'topic2']);
        await runAndKill(broker, exchange, ['topic1', 'topic2'], victim, survivor);
      },
    );

    it.skipIf(broker.name === 'redis' && !redisUp)(
      'on a shared topic: redelivery and re-dispatch together still count every result once',
      { timeout: 120_000 },
      async () => {
        const exchange = uniqueName(`it-fo-shared-${broker.name}`);
        const [victim, survivor] = await startWorkers(broker, exchange, ['shared', 'shared']);
        await runAndKill(broker, exchange, ['shared'], victim, survivor);
      },
    );
  });
}

function debugLogger() {
  const t0 = Date.now();
  const line = (level: string) => (obj: unknown, msg?: string) =>
    process.stderr.write(
      `${Date.now() - t0} ${level} ${msg ?? ''} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}\n`,
    );
  const logger = {
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    fatal: line('fatal'),
    child: () => logger,
  };
  return logger;
}
