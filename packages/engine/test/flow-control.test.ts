/**
 * Flow control (`maxInFlight`) of the worker-based engine over the memory transport: the
 * engine's transport records, in one sequence, each REQUEST it publishes, each final
 * response it receives and each re-dispatch it announces; the requests published and not
 * finished are counted along that sequence (never against a clock).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Task,
  TfHeader,
  unorderedFlow,
  type ConsumeOptions,
  type Delivery,
  type DeliveryHandler,
  type MessageHeaders,
  type MessageProperties,
  type PublishOptions,
  type RequestBody,
  type TransportConsumer,
} from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
import { load, normaliseOptions, REQUEST_STATE_EVENT, type WorkerBasedEngine } from '@tf/engine';
import { MemoryTransport } from '@tf/transport-memory';
import { Worker } from '@tf/worker';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

class Nap extends Task<{ ms: number }, string> {
  static override taskName = 'flow-control.Nap';
  static override requires = ['ms'];
  override async execute({ ms }: { ms: number }): Promise<string> {
    await sleep(ms);
    return this.name;
  }
}

class OtherNap extends Nap {
  static override taskName = 'flow-control.OtherNap';
}

type Step = { kind: 'publish'; id: string; atom: string } | { kind: 'finished'; id: string } | { kind: 'redispatched'; atom: string };

/** The engine's transport: records what it publishes and the final responses it hands on, in order. */
class RecordingTransport extends MemoryTransport {
  readonly steps: Step[] = [];

  override publish(exchange: string, topic: string, body: string, properties?: MessageProperties, options?: PublishOptions): Promise<void> {
    if (properties?.type === 'REQUEST' && properties.correlationId !== undefined) {
      const request = JSON.parse(body) as RequestBody;
      this.steps.push({ kind: 'publish', id: properties.correlationId, atom: request.task_name });
    }
    return super.publish(exchange, topic, body, properties, options);
  }

  override consume(exchange: string, topic: string, handler: DeliveryHandler, options?: ConsumeOptions): Promise<TransportConsumer> {
    return super.consume(
      exchange,
      topic,
      (delivery: Delivery) => {
        if (delivery.properties.type === 'RESPONSE' && delivery.properties.correlationId !== undefined) {
          const state = (JSON.parse(delivery.body) as { state?: unknown }).state;
          if (state === 'SUCCESS' || state === 'FAILURE') this.steps.push({ kind: 'finished', id: delivery.properties.correlationId });
        }
        return handler(delivery);
      },
      options,
    );
  }
}

/**
 * Walks the steps: a publish opens its attempt (and supersedes an earlier attempt of the same
 * atom), a final response or a re-dispatch closes it. Returns the most open at once, and how
 * many were published.
 */
function inFlight(steps: readonly Step[]): { most: number; published: number } {
  const open = new Map<string, string>(); // attempt id -> atom
  let most = 0;
  let published = 0;
  for (const step of steps) {
    if (step.kind === 'publish') {
      published++;
      open.set(step.id, step.atom);
      most = Math.max(most, open.size);
    } else if (step.kind === 'finished') {
      open.delete(step.id);
    } else {
      for (const [id, atom] of open) if (atom === step.atom) open.delete(id);
    }
  }
  return { most, published };
}

/** The atoms whose requests were published, in publish order. */
function publishedAtoms(steps: readonly Step[]): string[] {
  return steps.flatMap((step) => (step.kind === 'publish' ? [step.atom] : []));
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let counter = 0;
const newExchange = () => `flow-control-${process.pid}-${++counter}`;

async function startWorker(exchange: string, topic: string, concurrency: number): Promise<Worker> {
  const worker = new Worker({ exchange, topic, tasks: [Nap], transport: 'memory', concurrency });
  await worker.start();
  cleanups.push(() => worker.stop({ timeoutMs: 0 }));
  return worker;
}

async function recordingTransport(): Promise<RecordingTransport> {
  const transport = new RecordingTransport();
  await transport.connect();
  cleanups.push(() => transport.close());
  return transport;
}

function naps(count: number): Nap[] {
  return Array.from({ length: count }, (_, i) => new Nap({ name: `nap-${i}`, provides: `out-${i}` }));
}

/**
 * Runs `atoms` (store `ms`: 2) against one worker of `concurrency` and returns the most atoms
 * RUNNING at once in the engine (started, whether WAITING, on the broker or running); the flow
 * must succeed.
 */
async function mostStarted(atoms: Nap[], concurrency: number, options: { maxInFlight?: number; maxWorkers?: number; ms?: number } = {}) {
  const exchange = newExchange();
  await startWorker(exchange, 'a', concurrency);
  const { ms = 2, ...bounds } = options;
  const engine = load(unorderedFlow('wide').add(...atoms), {
    engine: 'worker-based',
    exchange,
    topics: ['a'],
    transport: 'memory',
    store: { ms },
    ...bounds,
  });
  cleanups.push(() => engine.close());
  let started = 0;
  let most = 0;
  engine.atomNotifier.on('*', (_event, details) => {
    if (details.state === 'RUNNING') most = Math.max(most, ++started);
    else if (details.state === 'SUCCESS' || details.state === 'FAILURE') started--;
  });
  await engine.waitForWorkers(1, 5_000);
  await engine.run();
  expect(Object.values(engine.storage.getStates()).every((s) => s === 'SUCCESS')).toBe(true);
  return most;
}

/** Records the engine's re-dispatches (WAITING again) into the transport's sequence. */
function recordRedispatches(engine: WorkerBasedEngine, transport: RecordingTransport): void {
  engine.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => {
    if (details.state === 'WAITING') transport.steps.push({ kind: 'redispatched', atom: details.atomName });
  });
}

describe('worker-based engine: flow control (maxInFlight)', () => {
  it('the default bound is 1 000; null means none; anything else must be a positive integer', () => {
    const base = { engine: 'worker-based' as const, exchange: 'x', topics: ['t'], transport: 'memory' };
    expect(normaliseOptions(base).workerBased?.maxInFlight).toBe(1_000);
    expect(normaliseOptions({ ...base, maxInFlight: null }).workerBased?.maxInFlight).toBeNull();
    expect(normaliseOptions({ ...base, max_in_flight: 7 }).workerBased?.maxInFlight).toBe(7);
    for (const bad of [0, -1, 1.5, '3']) {
      expect(() => normaliseOptions({ ...base, maxInFlight: bad as number })).toThrow(/maxInFlight/);
    }
  });

  it('never more requests published and unfinished than the bound; all of them run', async () => {
    const exchange = newExchange();
    // Two workers with room for far more than the bound: only the bound holds requests back.
    await startWorker(exchange, 'a', 16);
    await startWorker(exchange, 'b', 16);
    const transport = await recordingTransport();
    const engine = load(unorderedFlow('wide').add(...naps(40)), {
      engine: 'worker-based',
      exchange,
      topics: ['a', 'b'],
      transport,
      maxInFlight: 3,
      store: { ms: 2 },
    });
    cleanups.push(() => engine.close());
    await engine.waitForWorkers(2, 5_000);
    await engine.run();
    expect(Object.values(engine.storage.getStates()).every((s) => s === 'SUCCESS')).toBe(true);
    const { most, published } = inFlight(transport.steps);
    expect(published).toBe(40);
    expect(most).toBe(3);
  });

  it('without a bound (null) the same flow has more than 3 in flight at once (the recording can tell)', async () => {
    const exchange = newExchange();
    await startWorker(exchange, 'a', 16);
    const transport = await recordingTransport();
    const engine = load(unorderedFlow('wide').add(...naps(20)), {
      engine: 'worker-based',
      exchange,
      topics: ['a'],
      transport,
      maxInFlight: null,
      store: { ms: 20 },
    });
    cleanups.push(() => engine.close());
    await engine.waitForWorkers(1, 5_000);
    await engine.run();
    expect(inFlight(transport.steps).most).toBeGreaterThan(3);
  });

  it('starts at most twice the bound of atoms at once (each started atom holds its request); maxWorkers overrides', async () => {
    expect(await mostStarted(naps(40), 32, { maxInFlight: 3, ms: 5 })).toBe(6);
    expect(await mostStarted(naps(40), 32, { maxInFlight: 3, maxWorkers: 10, ms: 5 })).toBe(10);
  });

  it('starts no more atoms than twice what its workers can take (at least 64), and local tasks beyond that', async () => {
    // A worker of concurrency 4 holds 5 requests: 2 × 5 is under the floor of 64. The bound
    // alone (maxInFlight 1 000, 2 000 started) would start all 200 at once.
    expect(await mostStarted(naps(200), 4)).toBe(64);
    // A worker of concurrency 40 holds 41 requests: 82 started, over the floor.
    expect(await mostStarted(naps(200), 40)).toBe(82);
    // Local tasks run here, not on the workers: each one running makes room for itself.
    const local = Array.from({ length: 150 }, (_, i) => new Nap({ name: `home-${i}`, provides: `home-${i}`, local: true }));
    expect(await mostStarted(local, 1)).toBe(150);
  });

  it('held-back requests go in the order they began waiting, over task classes: one made as an answer frees a share does not overtake them', async () => {
    const exchange = newExchange();
    const worker = new Worker({ exchange, topic: 'a', tasks: [Nap, OtherNap], transport: 'memory', concurrency: 16 });
    await worker.start();
    cleanups.push(() => worker.stop({ timeoutMs: 0 }));
    const transport = await recordingTransport();
    // Every fifth atom of another class: a class's own queue would not order it against Nap's.
    const atoms = naps(30).map((nap, i) => (i % 5 === 2 ? new OtherNap({ name: `other-${i}`, provides: `out-${i}` }) : nap));
    const engine = load(unorderedFlow('wide').add(...atoms), {
      engine: 'worker-based',
      exchange,
      topics: ['a'],
      transport,
      maxInFlight: 2,
      store: { ms: 2 },
    });
    cleanups.push(() => engine.close());
    const started: string[] = [];
    engine.atomNotifier.on('*', (_event, details) => {
      if (details.state === 'RUNNING') started.push(details.atomName);
    });
    await engine.waitForWorkers(1, 5_000);
    await engine.run();
    expect(Object.values(engine.storage.getStates()).every((s) => s === 'SUCCESS')).toBe(true);
    const published = publishedAtoms(transport.steps);
    expect(published).toHaveLength(30);
    // Each atom's request begins waiting as the atom starts: first started, first sent.
    expect(published).toEqual(started);
  });

  it('a waiting request no worker can take does not hold back younger ones of a class a worker takes', async () => {
    const exchange = newExchange();
    await startWorker(exchange, 'a', 16);
    const transport = await recordingTransport();
    const atoms = [new OtherNap({ name: 'unserved', provides: 'out-u' }), ...naps(9)];
    const engine = load(unorderedFlow('wide').add(...atoms), {
      engine: 'worker-based',
      exchange,
      topics: ['a'],
      transport,
      maxInFlight: 2,
      transitionTimeoutMs: 1_500,
      store: { ms: 2 },
    });
    cleanups.push(() => engine.close());
    await engine.waitForWorkers(1, 5_000);
    await expect(engine.run()).rejects.toThrow();
    const published = new Set(publishedAtoms(transport.steps));
    expect(published.has('unserved')).toBe(false);
    for (let i = 0; i < 9; i++) expect(published.has(`nap-${i}`)).toBe(true);
  });

  it('requests held back by the bound do not time out: bound 1, a transition timeout far shorter than the flow', async () => {
    const exchange = newExchange();
    await startWorker(exchange, 'a', 8);
    const transport = await recordingTransport();
    // 12 naps of 40 ms, one at a time: the flow takes about 0.5 s; the last request is held
    // back about 11 times the 100 ms transition timeout.
    const engine = load(unorderedFlow('patient').add(...naps(12)), {
      engine: 'worker-based',
      exchange,
      topics: ['a'],
      transport,
      maxInFlight: 1,
      transitionTimeoutMs: 100,
      store: { ms: 40 },
    });
    cleanups.push(() => engine.close());
    await engine.waitForWorkers(1, 5_000);
    await engine.run();
    expect(Object.values(engine.storage.getStates()).every((s) => s === 'SUCCESS')).toBe(true);
    expect(inFlight(transport.steps)).toEqual({ most: 1, published: 12 });
  });

  it('a re-dispatch after a worker is lost keeps the bound', async () => {
    const exchange = newExchange();
    // A tf worker that takes requests, says RUNNING, heartbeats a while, then freezes.
    let alive = true;
    const frozen = new MemoryTransport();
    await frozen.connect();
    cleanups.push(() => frozen.close());
    const headers: MessageHeaders = { [TfHeader.WORKER]: 'frozen-1', [TfHeader.HEARTBEAT_MS]: 50, [TfHeader.CONCURRENCY]: 8 };
    const held: { replyTo: string; id: string }[] = [];
    await frozen.consume(exchange, 'frozen', async (delivery) => {
      const message = decodeMessage(delivery);
      const { replyTo, correlationId } = message.properties;
      if (message.type === 'NOTIFY' && alive) {
        await frozen.publish(exchange, replyTo!, JSON.stringify({ topic: 'frozen', tasks: [Nap.taskName] }), { type: 'NOTIFY', headers });
      } else if (message.type === 'REQUEST') {
        held.push({ replyTo: replyTo!, id: correlationId! });
        await frozen.publish(exchange, replyTo!, JSON.stringify({ state: 'RUNNING', data: {} }), {
          type: 'RESPONSE',
          correlationId: correlationId!,
          headers,
        });
      }
      await delivery.ack();
    });
    const beat = setInterval(() => {
      if (!alive) return;
      for (const replyTo of new Set(held.map((h) => h.replyTo))) {
        const running = held.filter((h) => h.replyTo === replyTo).map((h) => h.id);
        void frozen.publish(exchange, replyTo, JSON.stringify({ topic: 'frozen', tasks: [Nap.taskName] }), {
          type: 'NOTIFY',
          headers: { ...headers, [TfHeader.RUNNING]: running },
        });
      }
    }, 50);
    cleanups.push(async () => clearInterval(beat));

    const transport = await recordingTransport();
    const engine = load(unorderedFlow('failing-over').add(...naps(10)), {
      engine: 'worker-based',
      exchange,
      topics: ['frozen', 'live'],
      transport,
      maxInFlight: 2,
      notifyIntervalMs: 50,
      heartbeatTimeoutMs: 300,
      store: { ms: 5 },
    });
    cleanups.push(() => engine.close());
    recordRedispatches(engine, transport);
    expect(await engine.waitForWorkers(1, 5_000)).toBe(1);
    const running = engine.run();
    // The frozen worker holds the first two (the bound), and nothing more is sent meanwhile.
    await expect.poll(() => held.length, { timeout: 5_000 }).toBe(2);
    await startWorker(exchange, 'live', 8);
    alive = false;
    await running;
    expect(Object.values(engine.storage.getStates()).every((s) => s === 'SUCCESS')).toBe(true);
    const redispatched = transport.steps.filter((s) => s.kind === 'redispatched').length;
    expect(redispatched).toBe(2);
    // 10 naps, two of them sent twice.
    expect(inFlight(transport.steps)).toEqual({ most: 2, published: 12 });
  });
});
