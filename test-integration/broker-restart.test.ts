/**
 * Broker faults: the broker restarts in the middle of a 2,000-task flow and loses what it
 * held (a Redis that keeps nothing on disk comes back empty; a RabbitMQ node drops its
 * non-durable, auto-delete queues; a NATS server keeps its JetStream streams on disk and comes
 * back with them). Engine and `tf-worker`s reconnect under their default
 * retry policies, the engine sends again what was lost, and the flow completes with every
 * result. Each test starts its own broker on a free port (./own-brokers.ts) and stops it:
 * the shared services are never touched.
 */
import { afterEach, expect, it } from 'vitest';
import { load } from '@tf/engine';
import { expectEverySquare, squaresFlow } from './fixtures/flows';
import { fixtureWorkerArgs, startWorker, type WorkerProcess } from './helpers';
import {
  canStartOwnNats,
  canStartOwnRabbit,
  canStartOwnRedis,
  type OwnBroker,
  startOwnNats,
  startOwnRabbit,
  startOwnRedis,
} from './own-brokers';
import { IN_CI, uniqueName } from './services';

const TASKS = 2_000;

let workers: WorkerProcess[] = [];
let broker: OwnBroker | undefined;
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  await broker?.stop();
  broker = undefined;
});

interface Case {
  readonly name: string;
  readonly transport: 'redis' | 'amqp' | 'nats';
  readonly available: boolean;
  readonly start: () => Promise<OwnBroker>;
}

const cases: Case[] = [
  { name: 'a Redis that keeps nothing on disk', transport: 'redis', available: canStartOwnRedis(), start: startOwnRedis },
  { name: 'a RabbitMQ node', transport: 'amqp', available: canStartOwnRabbit(), start: startOwnRabbit },
  // The third-party tf-transport-nats, found by the tf-transport-<name> lookup.
  { name: 'a NATS JetStream server', transport: 'nats', available: canStartOwnNats(), start: startOwnNats },
];

for (const c of cases) {
  it.skipIf(!c.available && !IN_CI)(
    `${c.name} restarted mid-flow: a ${TASKS}-task unordered flow on two workers completes with every result`,
    { timeout: 240_000 },
    async () => {
      broker = await c.start();
      const url = broker.url;
      const exchange = uniqueName(`it-restart-${c.transport}`);
      const topics = ['topic1', 'topic2'];
      for (const topic of topics) {
        workers.push(
          await startWorker(fixtureWorkerArgs(['--transport', c.transport, '--url', url], exchange, topic, ['--concurrency', '4'])),
        );
      }
      const { flow, names } = squaresFlow(TASKS);
      // Default retry and liveness settings: what a user gets without tuning.
      // 20 ms a task on 8 slots: at least 5 s of work, so the restart (its command takes a
      // second or two to start) lands mid-flow.
      const engine = load(flow, { engine: 'worker-based', transport: c.transport, url, exchange, topics, store: { ms: 20 } });
      let done = 0;
      let restarting: Promise<void> | undefined;
      engine.atomNotifier.on('SUCCESS', () => {
        done += 1;
        if (done === TASKS / 10) restarting = broker!.restart({ downMs: 1_000 });
      });
      const disconnects: string[] = [];
      expect(await engine.waitForWorkers(2, 30_000)).toBe(2);
      engine.executor.transport?.on('disconnected', ({ willReconnect }) => disconnects.push(`willReconnect=${willReconnect} at ${done}`));
      await engine.run();
      await restarting;

      expect(restarting, 'the broker was restarted during the flow').toBeDefined();
      // The engine lost its connection in the middle of the flow, and reconnected.
      const [lost] = disconnects;
      expect(lost, disconnects.join(', ')).toMatch(/^willReconnect=true at \d+$/);
      expect(Number(lost!.split(' at ')[1])).toBeLessThan(TASKS);
      expect(engine.storage.flowState).toBe('SUCCESS');
      expectEverySquare(engine.storage.fetchAll(), names);
      // Both workers came back and are still serving (their retry policy never gives up).
      for (const w of workers) expect(w.child.exitCode, w.output()).toBeNull();
    },
  );
}

it.skipIf(!canStartOwnRedis() && !IN_CI)(
  'a broker that does not come back: run() rejects with TF_ENGINE_CONNECTION_LOST, tf-worker exits 1 with one line',
  { timeout: 120_000 },
  async () => {
    broker = await startOwnRedis();
    const url = broker.url;
    const exchange = uniqueName('it-gone');
    // Reconnecting gives up after a few quick attempts (both sides), to keep the test short.
    const retry = { intervalStartMs: 200, intervalStepMs: 0, intervalMaxMs: 200, maxRetries: 3 };
    workers.push(
      await startWorker(
        fixtureWorkerArgs(
          [
            '--transport',
            'redis',
            '--url',
            url,
            '--retry-options',
            JSON.stringify({ interval_start: 0.2, interval_step: 0, interval_max: 0.2, max_retries: 3 }),
          ],
          exchange,
          'topic1',
        ),
      ),
    );
    const { flow } = squaresFlow(8);
    const engine = load(flow, {
      engine: 'worker-based',
      transport: 'redis',
      url,
      exchange,
      topics: ['topic1'],
      retryOptions: retry,
      store: { ms: 2_000 },
    });
    expect(await engine.waitForWorkers(1, 30_000)).toBe(1);
    engine.atomNotifier.on('RUNNING', () => void broker?.stop());
    const started = Date.now();
    const error = await engine.run().catch((e: unknown) => e);
    const took = Date.now() - started;
    expect(String(error)).toMatch(/TF_ENGINE_CONNECTION_LOST|the engine lost its broker/);
    // About four 200 ms attempts, not a transition timeout (60 s) nor a hang.
    expect(took).toBeLessThan(20_000);
    const code = await new Promise<number | null>((resolve) => {
      const child = workers[0]!.child;
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once('exit', (c) => resolve(c));
    });
    expect(code).toBe(1);
    const lines = workers[0]!
      .output()
      .split('\n')
      .filter((l) => l.startsWith('tf-worker: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/lost the connection to the broker/);
  },
);
