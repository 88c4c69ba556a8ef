/**
 * Nothing left behind on real brokers: after a flow, once its engine and worker stop, no
 * queue, stream or folder of the exchange remains; after kill -9 of an engine mid-flow, its
 * reply topic is gone after the expiry, and its worker's replies do not bring it back.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from '@tf/engine';
import { afterAll, afterEach, expect, it } from 'vitest';
import { REDIS_URL, redisAvailable } from '../packages/transport-redis/test/available';
import { adminClient, deleteKeys } from '../packages/transport-redis/test/util';
import { squaresFlow } from './fixtures/flows';
import { waitUntil, fixtureWorkerArgs, root, startWorker, type WorkerProcess } from './helpers';
import { AMQP_URL, describeWith, uniqueName } from './services';

const redisUp = await redisAvailable();
const prefix = `tf-it-litter-${process.pid}-${Date.now().toString(36)}:`;
const admin = redisUp ? adminClient(REDIS_URL) : undefined;
const folder = mkdtempSync(join(tmpdir(), 'tf-it-litter-'));
const EXPIRY_MS = 1_000;

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
  readonly args: string[];
  readonly options: { transport: string; url?: string; transportOptions: Record<string, unknown> };
  /** What the exchange still holds: queue, stream or folder names. */
  leftovers(exchange: string): Promise<string[]>;
}

const fsOptions = { dataFolderIn: folder, dataFolderOut: folder, pollingIntervalMs: 100, temporaryTopicExpiryMs: EXPIRY_MS };
const redisOptions = { keyPrefix: prefix, temporaryTopicExpiryMs: EXPIRY_MS };
const brokers: Broker[] = [
  {
    name: 'filesystem',
    args: ['--transport', 'filesystem', '--transport-options', JSON.stringify(fsOptions)],
    options: { transport: 'filesystem', transportOptions: fsOptions },
    leftovers: async (exchange) => (existsSync(join(folder, exchange)) ? readdirSync(join(folder, exchange)) : []),
  },
  {
    name: 'redis',
    args: ['--transport', 'redis', '--url', REDIS_URL, '--transport-options', JSON.stringify(redisOptions)],
    options: { transport: 'redis', url: REDIS_URL, transportOptions: redisOptions },
    leftovers: async (exchange) => (await admin!.keys(`${prefix}${exchange}:*`)).sort(),
  },
  {
    // TaskFlow's flags (transient, auto-deleted): a Python peer could share these queues.
    name: 'amqp',
    args: ['--transport', 'amqp', '--url', AMQP_URL],
    options: { transport: 'amqp', url: AMQP_URL, transportOptions: {} },
    leftovers: async (exchange) =>
      execFileSync('rabbitmqctl', ['list_queues', 'name', '--quiet', '--no-table-headers'], { timeout: 30_000 })
        .toString()
        .split('\n')
        .filter((name) => name.startsWith(`${exchange}_`))
        .sort(),
  },
];

/** The engine as its own process (`fixtures/engine-process.ts`); resolves with its reply topic once started. */
function spawnEngine(options: Record<string, unknown>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test-integration/fixtures/engine-process.ts', JSON.stringify(options)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => out,
    topic: async () => {
      await waitUntil(
        () => /engine-topic (\S+)/.test(out),
        30_000,
        () => `the engine to start:\n${out}`,
        100,
      );
      return /engine-topic (\S+)/.exec(out)![1]!;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

for (const broker of brokers) {
  const needs = broker.name === 'amqp' ? (['rabbitmq'] as const) : ([] as const);
  await describeWith(needs, `${broker.name}: nothing left behind`, () => {
    it.skipIf(broker.name === 'redis' && !redisUp)(
      'a flow run, then its engine and worker stopped: no queue, stream or folder of the exchange remains',
      { timeout: 90_000 },
      async () => {
        const exchange = uniqueName(`it-litter-${broker.name}`);
        const worker = await startWorker(fixtureWorkerArgs(broker.args, exchange, 'litter', ['--concurrency', '2']));
        workers.push(worker);
        const { flow } = squaresFlow(4);
        const engine = load(flow, {
          engine: 'worker-based',
          ...broker.options,
          exchange,
          topics: ['litter'],
          notifyIntervalMs: 500,
          store: { ms: 10 },
        });
        await engine.run();
        expect(engine.storage.flowState).toBe('SUCCESS');
        expect(await worker.stop()).toBe(0);
        await waitUntil(
          async () => (await broker.leftovers(exchange)).length === 0,
          10_000,
          async () => `no leftovers, still: ${await broker.leftovers(exchange)}`,
          100,
        );
      },
    );

    it.skipIf(broker.name === 'redis' && !redisUp)(
      "kill -9 of an engine mid-flow: its reply topic goes after the expiry, and its worker's replies do not bring it back",
      { timeout: 90_000 },
      async () => {
        const exchange = uniqueName(`it-litter-kill-${broker.name}`);
        const worker = await startWorker(fixtureWorkerArgs(broker.args, exchange, 'litter', ['--concurrency', '1']));
        workers.push(worker);
        const engine = spawnEngine({
          ...broker.options,
          exchange,
          topics: ['litter'],
          notifyIntervalMs: 500,
          transitionTimeoutMs: 2_000,
          n: 6,
          ms: 1_500,
        });
        const topic = await engine.topic();
        // Killed while its worker runs one request and holds the next.
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        await engine.kill9();
        const engineTopicGone = async () => !(await broker.leftovers(exchange)).some((name) => name.includes(topic));
        // The worker finishes what it held and answers into the void; the topic stays gone.
        await waitUntil(
          engineTopicGone,
          15_000,
          async () => `the dead engine's topic to go, still: ${await broker.leftovers(exchange)}`,
          100,
        );
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(await engineTopicGone()).toBe(true);
        expect(await worker.stop()).toBe(0);
        await waitUntil(
          async () => (await broker.leftovers(exchange)).length === 0,
          10_000,
          async () => `no leftovers, still: ${await broker.leftovers(exchange)}`,
          100,
        );
      },
    );
  });
}
