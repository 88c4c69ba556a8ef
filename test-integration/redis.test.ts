/**
 * The Redis transport across processes: a worker-based engine (this process) and two
 * `tf-worker` processes on one Redis. Each test uses its own exchange (so its own keys)
 * and deletes them afterwards: the server is shared.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { load } from '@tf/engine';
import { REDIS_URL, redisAvailable } from '../packages/transport-redis/test/available';
import { adminClient, deleteKeys } from '../packages/transport-redis/test/util';
import { killAtFirstProgress, startWorker, type WorkerProcess } from './helpers';
import { expectEverySquare, squaresFlow } from './fixtures/flows';

const available = await redisAvailable();
const prefix = `tf-it-${process.pid}-${Date.now().toString(36)}:`;
// A short lease so the test does not wait 30 s for the killed worker's request to be claimed.
const transportOptions = { key_prefix: prefix, lease_ms: 1_500 };

let workers: WorkerProcess[] = [];
let exchangeNo = 0;
const admin = available ? adminClient(REDIS_URL) : undefined;

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  if (admin) await deleteKeys(admin, `${prefix}*`);
});
afterAll(async () => {
  await admin?.quit();
});

async function twoWorkers(exchange: string): Promise<WorkerProcess[]> {
  const args = [
    '--transport',
    'redis',
    '--url',
    REDIS_URL,
    '--transport-options',
    JSON.stringify(transportOptions),
    '--exchange',
    exchange,
    '--topic',
    'squares',
    '--tasks',
    './test-integration/fixtures/tasks.ts',
    '--concurrency',
    '2',
  ];
  workers = await Promise.all([startWorker(args), startWorker(args)]);
  return workers;
}

describe.skipIf(!available)('redis transport across processes', () => {
  it('shares the work of a flow between two tf-worker processes, leaving no keys behind but the worker topic', async () => {
    const exchange = `it${++exchangeNo}`;
    const [a, b] = await twoWorkers(exchange);
    const { flow, names } = squaresFlow(16);
    const engine = load(flow, {
      engine: 'worker-based',
      exchange,
      topics: ['squares'],
      url: REDIS_URL, // selected by the redis:// scheme
      transport_options: transportOptions,
      store: { ms: 150 },
    });
    await engine.run();
    const pids = expectEverySquare(engine.storage.fetchAll(), names);
    expect(new Set(pids.values())).toEqual(new Set([a!.pid, b!.pid]));
    // The engine's reply stream is gone; every request is acked and deleted (the workers' last
    // acks may still be on their way when run() resolves: they ride with the next write or go
    // out within a few milliseconds).
    // Besides the topic, each live worker's control stream (where engines send CANCEL).
    const keys = await admin!.keys(`${prefix}${exchange}:*`);
    expect(keys.filter((key) => !key.startsWith(`${prefix}${exchange}:tf-control-`))).toEqual([`${prefix}${exchange}:squares`]);
    expect(keys.length).toBeLessThanOrEqual(3);
    for (let waited = 0; (await admin!.xlen(`${prefix}${exchange}:squares`)) > 0 && waited < 5_000; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await admin!.xlen(`${prefix}${exchange}:squares`)).toBe(0);
    expect(await admin!.xpending(`${prefix}${exchange}:squares`, 'tf')).toEqual([0, null, null, null]);
    // Stopped workers take their control streams with them.
    await Promise.all(workers.map((w) => w.stop()));
    expect(await admin!.keys(`${prefix}${exchange}:tf-control-*`)).toEqual([]);
  });

  it('completes with every result when a worker is killed with SIGKILL in the middle of a task', async () => {
    const exchange = `it${++exchangeNo}`;
    const [victim, survivor] = await twoWorkers(exchange);
    const { flow, names } = squaresFlow(8);
    const engine = load(flow, {
      engine: 'worker-based',
      exchange,
      topics: ['squares'],
      transport: 'redis',
      url: REDIS_URL,
      transport_options: transportOptions,
      store: { ms: 1_500 },
      transition_timeout: 60,
    });
    const kill = killAtFirstProgress(engine, victim!);
    await engine.run();
    await kill.exited();
    expect(kill.killedDuring).toBeDefined();
    expect(victim!.child.signalCode).toBe('SIGKILL');
    const pids = expectEverySquare(engine.storage.fetchAll(), names);
    // The survivor finished what the victim held (claimed from the dead consumer after the lease).
    expect([...pids.values()].filter((pid) => pid === victim!.pid).length).toBeLessThan(names.length);
    expect([...pids.values()]).toContain(survivor!.pid);
    // Everything the victim had started (concurrency 2) was claimed after the lease and done by the survivor.
    const inHand = [...(kill.startedBy.get(victim!.pid) ?? [])];
    expect(inHand.length).toBeGreaterThan(0);
    for (const name of inHand) expect(pids.get(name)).toBe(survivor!.pid);
  });
});
