/**
 * Liveness and failover of the worker-based engine over the memory transport: heartbeats,
 * re-dispatch of a silent worker's requests, superseded attempts, execution timeouts,
 * cancel, and the least-loaded choice of worker. Real `Worker`s where a real one can play
 * the part; a hand-driven fake where a worker must misbehave (go silent, never answer).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  Failure,
  Task,
  TfError,
  TfHeader,
  linearFlow,
  unorderedFlow,
  type Delivery,
  type ExecuteContext,
  type MessageHeaders,
  type RequestBody,
} from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
import { load } from '@tf/engine';
import { MemoryTransport } from '@tf/transport-memory';
import { Worker } from '@tf/worker';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let counter = 0;
const newExchange = () => `failover-${process.pid}-${++counter}`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Every run of `Echo`, by the worker topic that ran it. */
const runs: { name: string; topic: string }[] = [];

class Echo extends Task {
  static override taskName = 'failover.Echo';
  static override requires = ['x'];
  override async execute({ x }: { x: number }): Promise<number> {
    await sleep(20);
    return x * 2;
  }
}

/** How long a `Cooperative` run takes when nobody aborts it. */
let cooperativeMs = 30_000;

/** Seen through `signal` when it is aborted, by task name. */
const aborts = new Map<string, unknown>();

class Cooperative extends Task {
  static override taskName = 'failover.Cooperative';
  override execute(_args: object, { signal }: ExecuteContext): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve('finished'), cooperativeMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        aborts.set(this.name, signal.reason);
        reject(signal.reason);
      });
    });
  }
}

/** Every run of `Counted`, by atom name. */
const executions: string[] = [];

class Counted extends Task {
  static override taskName = 'failover.Counted';
  static override requires = ['ms'];
  override async execute({ ms }: { ms: number }): Promise<string> {
    executions.push(this.name);
    await sleep(ms);
    return this.name;
  }
}

/** Ignores its signal and never ends. */
class Stuck extends Task {
  static override taskName = 'failover.Stuck';
  override execute(_args: object, { signal }: ExecuteContext): Promise<never> {
    signal.addEventListener('abort', () => aborts.set(this.name, signal.reason));
    return new Promise(() => {});
  }
}

async function startWorker(exchange: string, topic: string, options: { concurrency?: number; heartbeatIntervalMs?: number } = {}) {
  const worker = new Worker({
    exchange,
    topic,
    tasks: [Echo, Cooperative, Stuck, Counted],
    transport: 'memory',
    concurrency: options.concurrency ?? 2,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 50,
  });
  await worker.start();
  const stop = () => worker.stop({ timeoutMs: 0 });
  cleanups.push(stop);
  return worker;
}

/**
 * A tf worker that takes requests, says RUNNING (and heartbeats while `alive()`), and never
 * answers: a worker process that froze or died holding them.
 */
async function silentWorker(exchange: string, topic: string, alive: () => boolean, beats: () => boolean = alive) {
  const transport = new MemoryTransport();
  await transport.connect();
  const id = `silent-${topic}`;
  const headers: MessageHeaders = { [TfHeader.WORKER]: id, [TfHeader.HEARTBEAT_MS]: 50, [TfHeader.CONCURRENCY]: 4 };
  const held: { replyTo: string; correlationId: string; body: RequestBody }[] = [];
  const notify = (replyTo: string, extra: MessageHeaders = {}) =>
    transport.publish(exchange, replyTo, JSON.stringify({ topic, tasks: ['failover.Echo'] }), {
      type: 'NOTIFY',
      headers: { ...headers, ...extra },
    });
  await transport.consume(exchange, topic, async (delivery: Delivery) => {
    const message = decodeMessage(delivery);
    const { replyTo, correlationId } = message.properties;
    if (message.type === 'NOTIFY' && alive()) await notify(replyTo!);
    if (message.type === 'REQUEST') {
      held.push({ replyTo: replyTo!, correlationId: correlationId!, body: message.body });
      await transport.publish(exchange, replyTo!, JSON.stringify({ state: 'RUNNING', data: {} }), {
        type: 'RESPONSE',
        correlationId: correlationId!,
        headers,
      });
    }
    await delivery.ack();
  });
  const beat = setInterval(() => {
    if (!beats()) return;
    for (const replyTo of new Set(held.map((h) => h.replyTo))) {
      void notify(replyTo, { [TfHeader.RUNNING]: held.filter((h) => h.replyTo === replyTo).map((h) => h.correlationId) });
    }
  }, 50);
  cleanups.push(async () => {
    clearInterval(beat);
    await transport.close();
  });
  /** Sends SUCCESS for every request it held (a late answer of a superseded attempt). */
  const answerLate = async (result: unknown) => {
    for (const h of held) {
      await transport.publish(exchange, h.replyTo, JSON.stringify({ state: 'SUCCESS', data: { result } }), {
        type: 'RESPONSE',
        correlationId: h.correlationId,
        headers,
      });
    }
  };
  return { held, answerLate };
}

const baseOptions = (exchange: string, topics: string[]) => ({
  engine: 'worker-based' as const,
  exchange,
  topics,
  transport: 'memory',
  notifyIntervalMs: 50,
  heartbeatTimeoutMs: 300,
  transitionTimeoutMs: 10_000,
});

describe('worker-based engine: failover', () => {
  it("re-dispatches a silent worker's requests to a live one; the superseded attempt's late result is ignored", async () => {
    const exchange = newExchange();
    let alive = true;
    const silent = await silentWorker(exchange, 'frozen', () => alive);
    const flow = linearFlow('f').add(new Echo({ name: 'echo', provides: 'y' }));
    const engine = load(flow, { ...baseOptions(exchange, ['frozen', 'live']), store: { x: 21 } });
    cleanups.push(() => engine.close());
    // The silent worker is the only one known at first: it gets the request.
    expect(await engine.waitForWorkers(1, 5_000)).toBe(1);
    const running = engine.run();
    await expect.poll(() => silent.held.length, { timeout: 5_000 }).toBe(1);
    const attempt = silent.held[0]!;
    await startWorker(exchange, 'live');
    alive = false; // it froze: no more heartbeats
    await running;
    expect(engine.storage.fetch('y')).toBe(42);
    // The frozen worker wakes up and answers with a wrong result: too late, ignored.
    await silent.answerLate(-1);
    await sleep(100);
    expect(engine.storage.fetch('y')).toBe(42);
    expect(attempt.correlationId).toBeDefined();
  });

  it('a request whose every attempt is lost fails with TF_WORKER_LOST after maxAttempts', async () => {
    const exchange = newExchange();
    // It answers NOTIFY and takes requests, but never heartbeats for them.
    const silent = await silentWorker(
      exchange,
      'frozen',
      () => true,
      () => false,
    );
    const flow = linearFlow('f').add(new Echo({ name: 'echo', provides: 'y' }));
    const engine = load(flow, { ...baseOptions(exchange, ['frozen']), store: { x: 1 }, maxAttempts: 2 });
    cleanups.push(() => engine.close());
    const error = await engine.run().catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_WORKER_LOST'), String(error)).toBe(true);
    expect((error as { attempts: number }).attempts).toBe(2);
    // Two attempts to execute (and then two to revert what the lost worker may have done).
    const executes = silent.held.filter((h) => h.body.action === 'execute');
    expect(executes.length).toBe(2);
    // Each attempt went out under its own correlation id.
    expect(new Set(executes.map((h) => h.correlationId)).size).toBe(2);
  });

  it('executionTimeoutMs: a stuck task fails as a timeout, its signal fires, and its worker keeps serving others', async () => {
    const exchange = newExchange();
    aborts.clear();
    await startWorker(exchange, 'solo', { concurrency: 2 });
    const flow = unorderedFlow('f').add(
      new Stuck({ name: 'stuck' }),
      ...[1, 2, 3].map((i) => new Echo({ name: `echo-${i}`, provides: `y${i}` })),
    );
    const engine = load(flow, { ...baseOptions(exchange, ['solo']), store: { x: 1 }, executionTimeoutMs: 300 });
    cleanups.push(() => engine.close());
    const started = Date.now();
    const error = await engine.run().catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    // The worker's failure, as its dict names it.
    expect((error as Error).name).toBe('ExecutionTimeoutError');
    expect((error as Error).message).toMatch(/'stuck' ran longer than its execution timeout of 300 ms/);
    expect(elapsed).toBeLessThan(10_000);
    expect(TfError.is(aborts.get('stuck'), 'TF_EXECUTION_TIMEOUT')).toBe(true);
    // The three echoes ran (on the one slot left) and were reverted with the flow.
    for (const i of [1, 2, 3]) expect(engine.storage.getState(`echo-${i}`)).toBe('REVERTED');
    expect(engine.storage.getState('stuck')).toBe('REVERTED');
  });

  it('executionTimeoutMs on the engine: a worker that says nothing about an overdue task does not hold the flow', async () => {
    const exchange = newExchange();
    await silentWorker(exchange, 'mute', () => true); // heartbeats for ever, never answers
    const flow = linearFlow('f').add(new Echo({ name: 'echo', provides: 'y' }));
    const engine = load(flow, { ...baseOptions(exchange, ['mute']), store: { x: 1 }, executionTimeoutMs: 200, maxAttempts: 1 });
    cleanups.push(() => engine.close());
    const error = await engine.run().catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_EXECUTION_TIMEOUT'), String(error)).toBe(true);
    expect(String((error as Error).message)).toMatch(/did not report back/);
  });

  it("a Task class's executionTimeoutMs wins over the engine's", async () => {
    const exchange = newExchange();
    aborts.clear();
    class Quick extends Stuck {
      static override taskName = 'failover.Stuck';
      static override executionTimeoutMs = 100;
    }
    await startWorker(exchange, 'solo');
    const engine = load(linearFlow('f').add(new Quick({ name: 'quick' })), {
      ...baseOptions(exchange, ['solo']),
      executionTimeoutMs: 60_000,
    });
    cleanups.push(() => engine.close());
    const started = Date.now();
    const error = await engine.run().catch((e: unknown) => e);
    expect(String(error)).toMatch(/TF_EXECUTION_TIMEOUT|execution timeout of 100 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('engine.cancel() aborts running tasks through their signal; the flow ends SUSPENDED and resumes', async () => {
    const exchange = newExchange();
    aborts.clear();
    await startWorker(exchange, 'solo', { concurrency: 4 });
    const flow = linearFlow('f').add(new Cooperative({ name: 'long', provides: 'z' }), new Echo({ name: 'after', provides: 'y' }));
    const engine = load(flow, { ...baseOptions(exchange, ['solo']), store: { x: 4 } });
    cleanups.push(() => engine.close());
    const states: string[] = [];
    engine.atomNotifier.on('RUNNING', (_e, d) => states.push(`${d.atomName} RUNNING`));
    const running = engine.run();
    await expect.poll(() => states.includes('long RUNNING'), { timeout: 5_000 }).toBe(true);
    await sleep(100); // the worker has it
    const cancelledAt = Date.now();
    engine.cancel();
    await running;
    expect(Date.now() - cancelledAt).toBeLessThan(2_000);
    expect(engine.storage.flowState).toBe('SUSPENDED');
    expect(engine.storage.getState('long')).toBe('PENDING');
    expect(engine.storage.getState('after')).toBe('PENDING');
    await expect.poll(() => aborts.has('long'), { timeout: 5_000 }).toBe(true);
    expect(TfError.is(aborts.get('long'), 'TF_TASK_CANCELLED')).toBe(true);
    expect(Failure.is(engine.storage.get('long'))).toBe(false);
    // Resumed: the cancelled task runs again, and the rest of the flow after it.
    cooperativeMs = 10;
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(engine.storage.fetch('z')).toBe('finished');
    expect(engine.storage.fetch('y')).toBe(8);
  });

  it("a worker's graceful stop re-sends nothing it is still running: one run per task", async () => {
    const exchange = newExchange();
    executions.length = 0;
    const first = await startWorker(exchange, 'shared', { concurrency: 1 });
    const flow = unorderedFlow('f').add(...[0, 1, 2].map((i) => new Counted({ name: `c${i}`, provides: `y${i}` })));
    const engine = load(flow, { ...baseOptions(exchange, ['shared']), store: { ms: 600 } });
    cleanups.push(() => engine.close());
    await engine.waitForWorkers(1, 5_000);
    const running = engine.run();
    await expect.poll(() => executions.length, { timeout: 5_000 }).toBe(1);
    // The first worker stops gracefully: it finishes what it runs, hands back what waits for its slot.
    const stopping = first.stop();
    await startWorker(exchange, 'shared', { concurrency: 1 });
    await stopping;
    await running;
    expect([...executions].sort()).toEqual(['c0', 'c1', 'c2']);
  });

  it('spreads an unordered flow over two workers from the first request on', async () => {
    const exchange = newExchange();
    runs.length = 0;
    const a = await startWorker(exchange, 'spread-a', { concurrency: 2 });
    const b = await startWorker(exchange, 'spread-b', { concurrency: 2 });
    const counts = { a: 0, b: 0 };
    const count = (worker: Worker, key: 'a' | 'b') => {
      const transport = worker.transport!;
      const original = transport.publish.bind(transport);
      transport.publish = (ex, topic, body, props) => {
        if (props?.type === 'RESPONSE' && body.includes('SUCCESS')) counts[key]++;
        return original(ex, topic, body, props);
      };
    };
    count(a, 'a');
    count(b, 'b');
    const flow = unorderedFlow('f').add(...Array.from({ length: 40 }, (_, i) => new Echo({ name: `e${i}`, provides: `y${i}` })));
    const engine = load(flow, { ...baseOptions(exchange, ['spread-a', 'spread-b']), store: { x: 1 } });
    cleanups.push(() => engine.close());
    await engine.run();
    expect(counts.a + counts.b).toBe(40);
    expect(counts.a).toBeGreaterThanOrEqual(10);
    expect(counts.b).toBeGreaterThanOrEqual(10);
  });
});
