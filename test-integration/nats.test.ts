/**
 * The NATS JetStream transport (the third-party package tf-transport-nats, found by the
 * `tf-transport-<name>` lookup) across processes: a worker-based engine (this process) and two
 * `tf-worker` processes on one NATS server. Each run uses its own subject and stream prefixes
 * and deletes its streams afterwards: the server is shared.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { load } from '@tf/engine';
import { NATS_URL, natsAvailable } from '../examples/transport-nats/test/available';
import { NatsAdmin } from '../examples/transport-nats/test/admin';
import { killAtFirstProgress, startWorker, waitUntil, type WorkerProcess } from './helpers';
import { expectEverySquare, squaresFlow } from './fixtures/flows';

const available = await natsAvailable();
const run = `${process.pid}${Date.now().toString(36)}`;
const subjectPrefix = `tfit${run}`;
// A short lease (ack_wait) so the test does not wait 30 s for the killed worker's request.
// A short temporary-topic expiry, so the killed worker's control topic is swept within the test.
const transportOptions = {
  stream_prefix: `TFIT${run}`,
  subject_prefix: subjectPrefix,
  lease_ms: 1_500,
  temporary_topic_expiry_ms: 2_000,
};

let workers: WorkerProcess[] = [];
let exchangeNo = 0;
const admin = available ? new NatsAdmin(NATS_URL) : undefined;

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  await admin?.deleteStreams(subjectPrefix);
});
afterAll(async () => {
  await admin?.close();
});

async function twoWorkers(exchange: string): Promise<WorkerProcess[]> {
  const args = [
    '--transport',
    'nats',
    '--url',
    NATS_URL,
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

/** The descriptions of this run's streams of `exchange`'s topics: `topic` or `temporary`. */
async function streamsOf(exchange: string): Promise<string[]> {
  const infos = await admin!.streams(`${subjectPrefix}.${exchange}.*`);
  return infos.map((i) => (i.config.description === 'tf temporary topic' ? 'temporary' : (i.config.subjects[0] ?? '?'))).sort();
}

describe.skipIf(!available)('nats transport (tf-transport-nats) across processes', () => {
  it('shares the work of a flow between two tf-worker processes; only the worker topic is left', async () => {
    const exchange = `it${++exchangeNo}`;
    const [a, b] = await twoWorkers(exchange);
    const { flow, names } = squaresFlow(16);
    const engine = load(flow, {
      engine: 'worker-based',
      exchange,
      topics: ['squares'],
      transport: 'nats',
      url: NATS_URL,
      transport_options: transportOptions,
      store: { ms: 150 },
    });
    await engine.run();
    const pids = expectEverySquare(engine.storage.fetchAll(), names);
    expect(new Set(pids.values())).toEqual(new Set([a!.pid, b!.pid]));
    // The engine's reply topic is gone; each live worker's control topic is there.
    expect(await streamsOf(exchange)).toEqual(['temporary', 'temporary', `${subjectPrefix}.${exchange}.squares`].sort());
    // Every request acked: the work-queue stream is empty (the last acks may still be on their way).
    let left: number | undefined;
    await waitUntil(
      async () => {
        left = (await admin!.streams(`${subjectPrefix}.${exchange}.squares`))[0]?.state.messages;
        return left === 0;
      },
      5_000,
      () => `the squares stream to be empty (${left} left)`,
    );
    // Stopped workers take their control topics with them.
    await Promise.all(workers.map((w) => w.stop()));
    expect(await streamsOf(exchange)).toEqual([`${subjectPrefix}.${exchange}.squares`]);
  });

  it('completes with every result when a worker is killed with SIGKILL in the middle of a task', async () => {
    const exchange = `it${++exchangeNo}`;
    const [victim, survivor] = await twoWorkers(exchange);
    const { flow, names } = squaresFlow(8);
    const engine = load(flow, {
      engine: 'worker-based',
      exchange,
      topics: ['squares'],
      transport: 'nats',
      url: NATS_URL,
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
    expect([...pids.values()].filter((pid) => pid === victim!.pid).length).toBeLessThan(names.length);
    expect([...pids.values()]).toContain(survivor!.pid);
    // What the victim had started (concurrency 2) came back after ack_wait and was done by the survivor.
    const inHand = [...(kill.startedBy.get(victim!.pid) ?? [])];
    expect(inHand.length).toBeGreaterThan(0);
    for (const name of inHand) expect(pids.get(name)).toBe(survivor!.pid);
    // The victim's control topic (a temporary topic whose owner vanished) is swept by the
    // survivor once its owner has been gone for temporary_topic_expiry_ms; the survivor's stays.
    let seen: string[] = [];
    await waitUntil(
      async () => {
        seen = await streamsOf(exchange);
        return seen.filter((s) => s === 'temporary').length === 1;
      },
      15_000,
      () => `the killed worker's control topic to be swept (streams: ${seen.join(', ')})`,
    );
    expect(seen).toEqual(['temporary', `${subjectPrefix}.${exchange}.squares`].sort());
  });
});
