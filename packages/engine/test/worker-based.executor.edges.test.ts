/**
 * The worker-based executor driven directly (no engine around it) against a hand-driven fake
 * worker on the memory transport: the edges of its constructor, dispatch, replies and close.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  CANCEL_MESSAGE,
  signedTransport,
  Failure,
  Task,
  TfError,
  TfHeader,
  controlTopicOf,
  type ExecutionContext,
  type RevertExecutionContext,
  type Logger,
  type MessageHeaders,
  type MessageProperties,
  type PublishOptions,
  type RequestBody,
} from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';
import { WorkerBasedExecutor, type WorkerBasedOptions } from '../src/worker-based/executor';
import { REQUEST_STATE_EVENT, type RequestEventDetails } from '../src/worker-based/request-events';

class Remote extends Task {
  static override taskName = 'edges.Remote';
  override execute(): never {
    throw new Error('runs on a worker, never here');
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let counter = 0;
const newExchange = () => `executor-edges-${process.pid}-${++counter}`;

interface Line {
  level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  obj: unknown;
  msg: string;
}

/** A pino-shaped logger that keeps every line. */
function recordingLogger(): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const at =
    (level: Line['level']) =>
    (obj: unknown, msg = '') =>
      lines.push({ level, obj, msg });
  return { lines, logger: { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } };
}

/** Resolves once `ready()` is true; rejects after `timeoutMs`. */
async function until(ready: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Received {
  body: RequestBody;
  correlationId: string;
  headers: MessageHeaders;
  reply: (body: unknown, headers?: MessageHeaders) => Promise<void>;
}

/**
 * A worker on topic `workers` that answers NOTIFY with `tasks` (and `headers`), keeps every
 * REQUEST for the test to answer, and records what reaches its control topic.
 */
async function fakeWorker(
  exchange: string,
  options: { tasks?: string[]; headers?: MessageHeaders; id?: string; signingKey?: string } = {},
) {
  const { tasks = ['edges.Remote'], headers = {}, id, signingKey } = options;
  const received: Received[] = [];
  const cancels: unknown[] = [];
  const cancelBodies: string[] = [];
  const memory = new MemoryTransport();
  const transport = signingKey === undefined ? memory : signedTransport(memory, signingKey);
  await transport.connect();
  if (id !== undefined) {
    await transport.consume(exchange, controlTopicOf(id), async (delivery) => {
      cancels.push(delivery.properties.headers?.[TfHeader.CANCEL]);
      cancelBodies.push(delivery.body);
      await delivery.ack();
    });
  }
  await transport.consume(exchange, 'workers', async (delivery) => {
    const message = decodeMessage(delivery);
    const replyTo = message.properties.replyTo!;
    const correlationId = message.properties.correlationId!;
    const reply = (body: unknown, extra: MessageHeaders = {}) =>
      transport.publish(exchange, replyTo, JSON.stringify(body), {
        type: message.type === 'NOTIFY' ? 'NOTIFY' : 'RESPONSE',
        correlationId,
        headers: { ...headers, ...extra },
      });
    if (message.type === 'NOTIFY') await reply({ topic: 'workers', tasks });
    else if (message.type === 'REQUEST') {
      received.push({ body: message.body as RequestBody, correlationId, headers: message.properties.headers ?? {}, reply });
    }
    await delivery.ack();
  });
  cleanups.push(() => transport.close());
  return { received, cancels, cancelBodies, transport };
}

function executorFor(exchange: string, extra: Partial<WorkerBasedOptions> = {}) {
  const { logger, lines } = recordingLogger();
  const executor = new WorkerBasedExecutor({
    exchange,
    topics: ['workers'],
    transport: 'memory',
    transitionTimeoutMs: 10_000,
    workerExpiryMs: 60_000,
    notifyIntervalMs: 50,
    logger,
    ...extra,
  });
  cleanups.push(() => executor.stop());
  return { executor, lines };
}

/** A memory transport that records what it publishes, and can refuse to publish REQUESTs. */
class RecordingTransport extends MemoryTransport {
  readonly published: { topic: string; type: string | undefined; options: PublishOptions | undefined }[] = [];
  refuseRequests: Error | undefined;
  refuseConsume: Error | undefined;
  refuseCancels: Error | undefined;
  override consume(...args: Parameters<MemoryTransport['consume']>): ReturnType<MemoryTransport['consume']> {
    const refused = this.refuseConsume;
    this.refuseConsume = undefined;
    return refused ? Promise.reject(refused) : super.consume(...args);
  }
  /** Holds each CANCEL back until this resolves. */
  cancelsHeld: Promise<void> | undefined;
  cancelsSent = 0;
  override async publish(
    exchange: string,
    topic: string,
    body: string,
    properties?: MessageProperties,
    options?: PublishOptions,
  ): Promise<void> {
    this.published.push({ topic, type: properties?.type, options });
    if (this.refuseRequests && properties?.type === 'REQUEST') throw this.refuseRequests;
    if (properties?.type === CANCEL_MESSAGE) await this.cancelsHeld;
    if (this.refuseCancels && properties?.type === CANCEL_MESSAGE) throw this.refuseCancels;
    await super.publish(exchange, topic, body, properties, options);
    if (properties?.type === CANCEL_MESSAGE) this.cancelsSent++;
  }
}

/** A transport whose publish throws at once (no rejected promise), as a hand-written one might. */
class ThrowingTransport extends RecordingTransport {
  throwRequests: Error | undefined;
  override publish(...args: Parameters<RecordingTransport['publish']>): Promise<void> {
    if (this.throwRequests && args[3]?.type === 'REQUEST') throw this.throwRequests;
    return super.publish(...args);
  }
}

const progress: unknown[] = [];
const context = (): ExecutionContext =>
  ({ flowUuid: 'flow', node: undefined, onProgress: (value: unknown) => progress.push(value) }) as unknown as ExecutionContext;

/** The outcome of `promise`: its value, or the error it rejected with. */
const settle = (promise: unknown): Promise<unknown> =>
  Promise.resolve(promise).then(
    (value) => value,
    (error: unknown) => error,
  );

describe('worker-based executor: edges', () => {
  it('refuses a bad maxInFlight, and a missing transport naming the engine', () => {
    const { logger } = recordingLogger();
    const base = {
      exchange: 'e',
      topics: ['t'],
      transport: 'memory',
      transitionTimeoutMs: null,
      workerExpiryMs: 1_000,
      notifyIntervalMs: 50,
      logger,
    };
    for (const maxInFlight of [0, -1, 1.5]) {
      expect(() => new WorkerBasedExecutor({ ...base, maxInFlight })).toThrow(
        new TypeError(`maxInFlight must be a positive integer or null, got ${maxInFlight}`),
      );
    }
    expect(() => new WorkerBasedExecutor({ ...base, maxInFlight: 1 })).not.toThrow();
    expect(() => new WorkerBasedExecutor({ ...base, maxInFlight: null })).not.toThrow();
    const { transport: _none, ...noTransport } = base;
    expect(() => new WorkerBasedExecutor(noTransport)).toThrow(
      expect.objectContaining({ code: 'TF_TRANSPORT_NOT_GIVEN', message: expect.stringMatching(/^Engine: no transport was given/) }),
    );
  });

  it('replies come to the topic it was given, else to a fresh uuid', () => {
    const { logger } = recordingLogger();
    const base = {
      exchange: 'e',
      topics: ['t'],
      transport: 'memory',
      transitionTimeoutMs: null,
      workerExpiryMs: 1_000,
      notifyIntervalMs: 50,
      logger,
    };
    expect(new WorkerBasedExecutor({ ...base, uuid: 'my-replies' }).uuid).toBe('my-replies');
    const a = new WorkerBasedExecutor(base).uuid;
    const b = new WorkerBasedExecutor(base).uuid;
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });

  it('without noWorkerWarningMs, warns of a missing worker when the request times out, not before', async () => {
    const exchange = newExchange();
    const { executor } = executorFor(exchange, { transitionTimeoutMs: 300 });
    const waited: number[] = [];
    executor.workerNotifier.on('no_capable_worker', (_event, details) => waited.push(details.waitedMs));
    await executor.start();
    const error = await settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    expect(error).toMatchObject({ code: 'TF_REQUEST_TIMEOUT' });
    expect(waited).toHaveLength(1);
    expect(waited[0]).toBeGreaterThanOrEqual(300);
  });

  it('with the default in-flight bound, sends 1 000 requests and holds the next back', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor } = executorFor(exchange);
    await executor.start();
    await executor.waitForWorkers(1, 5_000);
    const outcomes = Array.from({ length: 1_001 }, (_, i) => settle(executor.execute(new Remote({ name: `r${i}` }), {}, context())));
    await until(() => worker.received.length === 1_000, 'a thousand requests');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(worker.received).toHaveLength(1_000);
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 0 } });
    await until(() => worker.received.length === 1_001, 'the last request');
    expect(worker.received[1_000]!.body.task_name).toBe('r1000');
    executor.cancelAll();
    await Promise.all(outcomes);
  });

  it('refuses an empty topic list', () => {
    const { logger } = recordingLogger();
    expect(
      () =>
        new WorkerBasedExecutor({
          exchange: 'e',
          topics: [],
          transport: 'memory',
          transitionTimeoutMs: null,
          workerExpiryMs: 1_000,
          notifyIntervalMs: 50,
          logger,
        }),
    ).toThrow(new TypeError('the worker-based engine needs at least one topic'));
  });

  it('publishes each REQUEST with its transition timeout as TTL, and none without one', async () => {
    const exchange = newExchange();
    await fakeWorker(exchange);
    for (const [transitionTimeoutMs, expected] of [
      [750, { ttlMs: 750 }],
      [null, {}],
    ] as const) {
      const transport = new RecordingTransport();
      cleanups.push(() => transport.close());
      const { executor } = executorFor(exchange, { transport, transitionTimeoutMs });
      await executor.start();
      void settle(executor.execute(new Remote({ name: `ttl-${String(transitionTimeoutMs)}` }), {}, context()));
      await until(() => transport.published.some((p) => p.type === 'REQUEST'), 'a REQUEST');
      expect(transport.published.filter((p) => p.type === 'REQUEST')).toEqual([{ topic: 'workers', type: 'REQUEST', options: expected }]);
      await executor.stop();
    }
  });

  it('tells request events exactly: PENDING with the topic, RUNNING once with the worker when it says who it is', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor, lines } = executorFor(exchange);
    const events: RequestEventDetails[] = [];
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => events.push(details));
    await executor.start();
    const named = settle(executor.execute(new Remote({ name: 'named' }), {}, context()));
    const anonymous = settle(executor.execute(new Remote({ name: 'anonymous' }), {}, context()));
    const direct = settle(executor.execute(new Remote({ name: 'direct' }), {}, context()));
    const timed = settle(executor.execute(new Remote({ name: 'timed' }), {}, context()));
    await until(() => worker.received.length === 4, 'four requests');
    const [first, second, third, fourth] = worker.received as [Received, Received, Received, Received];
    // Answered with no RUNNING before it and no run time (a refusal): never said RUNNING, no RUNNING event.
    await third.reply({ state: 'SUCCESS', data: { result: 3 } });
    expect(await direct).toBe(3);
    // Answered with no RUNNING but with its run time (a tf worker's quick task): its RUNNING is told with the answer.
    await fourth.reply({ state: 'SUCCESS', data: { result: 4 } }, { [TfHeader.WORKER]: 'w-2', [TfHeader.RUN_MS]: 3 });
    expect(await timed).toBe(4);
    await first.reply({ state: 'RUNNING', data: {} }, { [TfHeader.WORKER]: 'w-1' });
    await first.reply({ state: 'RUNNING', data: {} }, { [TfHeader.WORKER]: 'w-1' });
    await second.reply({ state: 'RUNNING', data: {} });
    await first.reply({ state: 'SUCCESS', data: { result: 1 } });
    await second.reply({ state: 'SUCCESS', data: { result: 2 } });
    expect(await named).toBe(1);
    expect(await anonymous).toBe(2);
    const base = { taskName: 'edges.Remote', attempt: 1, topic: 'workers' };
    expect(lines.filter((l) => l.level === 'trace')).toEqual(
      [first, second, third, fourth].map((r) => ({
        level: 'trace',
        obj: { atom: r.body.task_name, correlationId: r.correlationId, attempt: 1, topic: 'workers' },
        msg: 'sending a request',
      })),
    );
    expect(events).toStrictEqual([
      { atomName: 'named', state: 'PENDING', ...base },
      { atomName: 'anonymous', state: 'PENDING', ...base },
      { atomName: 'direct', state: 'PENDING', ...base },
      { atomName: 'timed', state: 'PENDING', ...base },
      { atomName: 'timed', state: 'RUNNING', ...base, worker: 'w-2' },
      { atomName: 'named', state: 'RUNNING', ...base, worker: 'w-1' },
      { atomName: 'anonymous', state: 'RUNNING', ...base },
    ]);
  });

  it("logs a request listener's error and goes on", async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor, lines } = executorFor(exchange);
    const boom = new Error('listener boom');
    executor.requestNotifier.on(REQUEST_STATE_EVENT, () => {
      throw boom;
    });
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 'ok' } });
    expect(await outcome).toBe('ok');
    expect(lines.filter((l) => l.msg.includes('listener threw'))).toEqual([
      { level: 'warn', obj: { err: boom, event: REQUEST_STATE_EVENT }, msg: 'request listener threw' },
    ]);
  });

  it('after its own reconnect tells that the request waits again, as attempt 2, and why', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor } = executorFor(exchange);
    const events: RequestEventDetails[] = [];
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => events.push(details));
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    memoryBroker.dropConnection(executor.transport!);
    await until(() => worker.received.length === 2, 'the request sent again');
    await worker.received[1]!.reply({ state: 'SUCCESS', data: { result: 'again' } });
    expect(await outcome).toBe('again');
    expect(events.map((e) => `${e.state} ${e.attempt}`)).toEqual(['PENDING 1', 'WAITING 2', 'PENDING 2']);
    expect(events[1]).toStrictEqual({
      atomName: 'r',
      taskName: 'edges.Remote',
      state: 'WAITING',
      attempt: 2,
      reason: 'the engine reconnected to its broker; the request may have been lost',
    });
  });

  it('fails a request whose arguments cannot be sent as JSON, and sends the next one', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor } = executorFor(exchange);
    await executor.start();
    await executor.waitForWorkers(1, 5_000);
    const error = await settle(executor.execute(new Remote({ name: 'big' }), { n: 10n }, context()));
    expect(TfError.is(error, 'TF_UNSERIALIZABLE')).toBe(true);
    const outcome = settle(executor.execute(new Remote({ name: 'fine' }), { n: 10 }, context()));
    await until(() => worker.received.length === 1, 'the next request');
    expect(worker.received[0]!.body).toMatchObject({ task_name: 'fine', arguments: { n: 10 } });
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 'fine' } });
    expect(await outcome).toBe('fine');
  });

  it('fails a request its transport refused to publish, and sends the one waiting for its share', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const transport = new RecordingTransport();
    cleanups.push(() => transport.close());
    // No tick and no periodic NOTIFY (both intervals): only the failed publish can let the second request go.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    cleanups.push(async () => {
      vi.useRealTimers();
    });
    const { executor } = executorFor(exchange, { transport, maxInFlight: 1 });
    await executor.start();
    await executor.waitForWorkers(1, 5_000);
    const refused = new Error('refused by the broker');
    transport.refuseRequests = refused;
    const first = settle(executor.execute(new Remote({ name: 'first' }), {}, context()));
    // Held back by the bound until the first one's share is free again.
    const second = settle(executor.execute(new Remote({ name: 'second' }), {}, context()));
    transport.refuseRequests = undefined;
    expect(await first).toBe(refused);
    await until(() => worker.received.length === 1, 'the second request');
    expect(worker.received[0]!.body.task_name).toBe('second');
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 2 } });
    expect(await second).toBe(2);
  });

  it('fails the request whose publish threw at once (not the atom that happened to send it), and sends the next', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const transport = new ThrowingTransport();
    cleanups.push(() => transport.close());
    const { executor } = executorFor(exchange, { transport, maxInFlight: 1 });
    await executor.start();
    await executor.waitForWorkers(1, 5_000);
    const thrown = new Error('thrown by the transport');
    transport.throwRequests = thrown;
    const first = settle(executor.execute(new Remote({ name: 'first' }), {}, context()));
    expect(await first).toBe(thrown);
    transport.throwRequests = undefined;
    const second = settle(executor.execute(new Remote({ name: 'second' }), {}, context()));
    await until(() => worker.received.length === 1, 'the second request');
    expect(worker.received[0]!.body.task_name).toBe('second');
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 2 } });
    expect(await second).toBe(2);
  });

  it('drops a REQUEST sent to its own topic, saying so', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor, lines } = executorFor(exchange);
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    // A NOTIFY without a topic (what the engine itself sends to workers): dropped without a word.
    await worker.transport.publish(exchange, executor.uuid, JSON.stringify({}), { type: 'NOTIFY', correlationId: 'n' });
    const request = worker.received[0]!;
    await worker.transport.publish(exchange, executor.uuid, JSON.stringify(request.body), {
      type: 'REQUEST',
      correlationId: request.correlationId,
      replyTo: 'elsewhere',
    });
    await until(() => lines.some((l) => l.level === 'warn'), 'a warning');
    expect(lines.filter((l) => l.level === 'warn')).toEqual([
      { level: 'warn', obj: { type: 'REQUEST' }, msg: 'the engine topic received a request; dropped' },
    ]);
    // A worker on a topic it was not given, and an answer from one.
    await worker.transport.publish(exchange, executor.uuid, JSON.stringify({ topic: 'elsewhere', tasks: ['edges.Remote'] }), {
      type: 'NOTIFY',
    });
    await request.reply({ state: 'SUCCESS', data: { result: 'stolen' } }, { [TfHeader.TOPIC]: 'elsewhere' });
    await until(() => lines.filter((l) => l.level === 'warn').length === 2, 'the second warning');
    expect(lines.filter((l) => l.msg.startsWith('ignoring a'))).toEqual([
      { level: 'debug', obj: { topic: 'elsewhere' }, msg: 'ignoring a worker on a topic this engine was not given' },
      {
        level: 'warn',
        obj: { correlationId: request.correlationId, from: 'elsewhere', sentTo: 'workers' },
        msg: 'ignoring a response from a topic the request was not sent to',
      },
    ]);

    await request.reply({ state: 'SUCCESS', data: { result: 'ok' } });
    expect(await outcome).toBe('ok');
  });

  it('a stalled process does not judge its workers silent: the tick that comes late counts everyone as just heard of', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange, { headers: { [TfHeader.WORKER]: 'w-stall', [TfHeader.HEARTBEAT_MS]: 50 } });
    const { executor, lines } = executorFor(exchange, { heartbeatTimeoutMs: 200, transitionTimeoutMs: 1_000 });
    let running = false;
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => {
      running ||= details.state === 'RUNNING';
    });
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    await worker.received[0]!.reply({ state: 'RUNNING', data: {} });
    await until(() => running, 'the request running');
    // Blocks the event loop well past the heartbeat timeout: nothing is read meanwhile.
    // Between the tick's lateness threshold (150 ms here) and twice the heartbeat timeout.
    const until_ = Date.now() + 300;
    while (Date.now() < until_);
    // A few ticks after the late one: they judge again, from the fresh start it gave everyone.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 'kept' } });
    expect(await outcome).toBe('kept');
    expect(worker.received).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 're-dispatching requests')).toEqual([]);
  });

  it('starts once however often asked; after a failed start the next one connects', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const transport = new RecordingTransport();
    cleanups.push(() => transport.close());
    const { executor } = executorFor(exchange, { transport });
    const refused = new Error('no consumer for you');
    transport.refuseConsume = refused;
    expect(await settle(executor.start())).toBe(refused);
    await Promise.all([executor.start(), executor.start()]);
    await executor.start();
    expect(memoryBroker.stats(exchange, executor.uuid).consumers).toBe(1);
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 'started' } });
    expect(await outcome).toBe('started');
    await executor.stop();
    expect(memoryBroker.stats(exchange, executor.uuid).consumers).toBe(0);
  });

  it('cancelAll() tells only the holder of a claimed request, every tf worker on the topic of an unclaimed one, and nobody of a waiting one', async () => {
    const exchange = newExchange();
    const beat = { [TfHeader.HEARTBEAT_MS]: 60_000 };
    const one = await fakeWorker(exchange, { id: 'w-one', headers: { ...beat, [TfHeader.WORKER]: 'w-one' } });
    const two = await fakeWorker(exchange, { id: 'w-two', headers: { ...beat, [TfHeader.WORKER]: 'w-two' } });
    const { executor, lines } = executorFor(exchange, { maxInFlight: 2 });
    await executor.start();
    await until(() => lines.some((l) => l.msg === 'another worker on a known topic'), 'both workers known');
    const outcomes = ['claimed', 'unclaimed', 'waiting'].map((name) => settle(executor.execute(new Remote({ name }), {}, context())));
    await until(() => one.received.length + two.received.length === 2, 'two requests');
    const claimed = [...one.received, ...two.received].find((r) => r.body.task_name === 'claimed')!;
    const unclaimed = [...one.received, ...two.received].find((r) => r.body.task_name === 'unclaimed')!;
    const holder = one.received.includes(claimed) ? one : two;
    let running = false;
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => {
      running ||= details.state === 'RUNNING';
    });
    await claimed.reply({ state: 'RUNNING', data: {} });
    await until(() => running, 'the claimed request running');
    executor.cancelAll();
    const errors = await Promise.all(outcomes);
    expect(errors.map((e) => (e as TfError).code)).toEqual(['TF_TASK_CANCELLED', 'TF_TASK_CANCELLED', 'TF_TASK_CANCELLED']);
    expect(lines.filter((l) => l.level === 'info')).toEqual([
      { level: 'info', obj: { count: 3 }, msg: 'cancelled the requests in flight' },
    ]);
    // One CANCEL per worker, naming every run it is asked to drop.
    await until(() => one.cancels.length + two.cancels.length === 2, 'the CANCELs');
    const other = holder === one ? two : one;
    expect(holder.cancels).toEqual([[claimed.correlationId, unclaimed.correlationId]]);
    expect(other.cancels).toEqual([[unclaimed.correlationId]]);
  });

  it('stop() lets the CANCELs on their way leave before it resolves', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange, { id: 'w-stop', headers: { [TfHeader.HEARTBEAT_MS]: 60_000, [TfHeader.WORKER]: 'w-stop' } });
    const transport = new RecordingTransport();
    cleanups.push(() => transport.close());
    const { executor } = executorFor(exchange, { transport });
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    transport.cancelsHeld = new Promise((resolve) => setTimeout(resolve, 50));
    executor.cancelAll();
    await executor.stop();
    expect(transport.cancelsSent).toBe(1);
    expect(((await outcome) as TfError).code).toBe('TF_TASK_CANCELLED');
    await until(() => worker.cancels.length === 1, 'the CANCEL');
    expect(worker.cancels).toEqual([[worker.received[0]!.correlationId]]);
    expect(worker.cancelBodies).toEqual(['{}']);
    expect(transport.published.filter((p) => p.type === CANCEL_MESSAGE)).toEqual([
      { topic: controlTopicOf('w-stop'), type: CANCEL_MESSAGE, options: { createTopic: false } },
    ]);
  });

  it("logs a worker listener's error", async () => {
    const exchange = newExchange();
    const { executor, lines } = executorFor(exchange, { noWorkerWarningMs: 20 });
    const boom = new Error('worker listener boom');
    executor.workerNotifier.on('no_capable_worker', () => {
      throw boom;
    });
    await executor.start();
    void settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => lines.some((l) => l.msg === 'worker listener threw'), 'the listener error');
    expect(lines.filter((l) => l.msg === 'worker listener threw')).toEqual([
      { level: 'warn', obj: { err: boom, event: 'no_capable_worker' }, msg: 'worker listener threw' },
    ]);
  });

  it('names in the no-worker hint the export a task class likely has: its own name when that is an identifier', async () => {
    const exchange = newExchange();
    const { executor } = executorFor(exchange, { noWorkerWarningMs: 20 });
    const hints = new Map<string, string>();
    executor.workerNotifier.on('no_capable_worker', (_event, details) => hints.set(details.taskName, details.hint));
    const named = (className: string, taskName: string) => {
      const cls = class extends Remote {
        static override taskName = taskName;
      };
      Object.defineProperty(cls, 'name', { value: className });
      return new cls({ name: taskName });
    };
    await executor.start();
    for (const task of [named('Remote_$1', 'edges.a'), named('edges remote', 'edges.b'), named('1Remote', 'edges.c')]) {
      void settle(executor.execute(task, {}, context()));
    }
    await until(() => hints.size === 3, 'three warnings');
    expect(hints.get('edges.a')).toContain('tasks: [Remote_$1]');
    expect(hints.get('edges.b')).toContain('tasks: [<TaskClass>]');
    expect(hints.get('edges.c')).toContain('tasks: [<TaskClass>]');
  });

  it('once its transport gave up, fails each request at once; started again, it sends them', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor, lines } = executorFor(exchange, {
      retryOptions: { maxRetries: 1, intervalStartMs: 5, intervalStepMs: 5, intervalMaxMs: 5 },
    });
    await executor.start();
    const inFlight = settle(executor.execute(new Remote({ name: 'in-flight' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    memoryBroker.dropConnection(executor.transport!, { failAttempts: 100 });
    const lost = await inFlight;
    expect(lost).toMatchObject({ code: 'TF_ENGINE_CONNECTION_LOST', atomName: 'in-flight', state: 'PENDING' });
    expect(lines.filter((l) => l.msg.includes('for good'))).toEqual([
      {
        level: 'error',
        obj: { err: (lost as { cause: unknown }).cause },
        msg: 'the engine lost its broker for good; failing every request in flight',
      },
    ]);
    const later = await settle(executor.execute(new Remote({ name: 'later' }), {}, context()));
    expect(later).toMatchObject({ code: 'TF_ENGINE_CONNECTION_LOST', atomName: 'later', state: 'WAITING' });
    expect(worker.received).toHaveLength(1);
    await executor.stop();
    await executor.start();
    const again = settle(executor.execute(new Remote({ name: 'again' }), {}, context()));
    await until(() => worker.received.length === 2, 'the request after the restart');
    await worker.received[1]!.reply({ state: 'SUCCESS', data: { result: 'back' } });
    expect(await again).toBe('back');
  });

  it('sends again only the request its heartbeating worker stopped listing, and tells that worker to drop the old attempt', async () => {
    const exchange = newExchange();
    const headers = { [TfHeader.WORKER]: 'w-list', [TfHeader.HEARTBEAT_MS]: 50 };
    const worker = await fakeWorker(exchange, { id: 'w-list', headers });
    const { executor } = executorFor(exchange, { heartbeatTimeoutMs: 200 });
    const events: RequestEventDetails[] = [];
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => events.push(details));
    await executor.start();
    const kept = settle(executor.execute(new Remote({ name: 'kept' }), {}, context()));
    const dropped = settle(executor.execute(new Remote({ name: 'dropped' }), {}, context()));
    await until(() => worker.received.length === 2, 'both requests');
    const [keptRequest, droppedRequest] = worker.received as [Received, Received];
    await keptRequest.reply({ state: 'RUNNING', data: {} });
    await droppedRequest.reply({ state: 'RUNNING', data: {} });
    // The worker's heartbeat lists only the first: it no longer holds the second.
    const beat = setInterval(() => {
      void worker.transport.publish(exchange, executor.uuid, JSON.stringify({ topic: 'workers', tasks: ['edges.Remote'] }), {
        type: 'NOTIFY',
        headers: { ...headers, [TfHeader.RUNNING]: [keptRequest.correlationId] },
      });
    }, 50);
    cleanups.push(async () => clearInterval(beat));
    await until(() => worker.received.length === 3, 'the second request sent again');
    const again = worker.received[2]!;
    expect(again.body.task_name).toBe('dropped');
    expect(again.headers[TfHeader.ATTEMPT]).toBe(2);
    await until(() => worker.cancels.length === 1, 'the CANCEL of the old attempt');
    expect(worker.cancels).toEqual([[droppedRequest.correlationId]]);
    await keptRequest.reply({ state: 'SUCCESS', data: { result: 'kept' } });
    await again.reply({ state: 'SUCCESS', data: { result: 'again' } });
    expect([await kept, await dropped]).toEqual(['kept', 'again']);
    expect(events.filter((e) => e.state === 'WAITING')).toStrictEqual([
      {
        atomName: 'dropped',
        taskName: 'edges.Remote',
        state: 'WAITING',
        attempt: 2,
        reason: 'its worker no longer lists it among the requests it holds',
      },
    ]);
  });

  it('sends again everything a worker held once it went silent, and what waits on its topic when it was alone there', async () => {
    const exchange = newExchange();
    const headers = { [TfHeader.WORKER]: 'w-gone', [TfHeader.HEARTBEAT_MS]: 50 };
    const gone = await fakeWorker(exchange, { id: 'w-gone', headers });
    const { executor, lines } = executorFor(exchange, { heartbeatTimeoutMs: 200 });
    const events: RequestEventDetails[] = [];
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => events.push(details));
    await executor.start();
    const held = settle(executor.execute(new Remote({ name: 'held' }), {}, context()));
    const queued = settle(executor.execute(new Remote({ name: 'queued' }), {}, context()));
    await until(() => gone.received.length === 2, 'both requests');
    await gone.received[0]!.reply({ state: 'RUNNING', data: {} });
    // Silent from now on: it answers nothing, not even NOTIFY.
    await gone.transport.close();
    await until(() => events.filter((e) => e.state === 'WAITING').length === 2, 'both requests waiting again');
    const reason = 'worker w-gone went silent for 200 ms';
    expect(events.filter((e) => e.state === 'WAITING').map((e) => [e.atomName, e.attempt, e.reason])).toEqual([
      ['held', 2, reason],
      ['queued', 2, reason],
    ]);
    expect(lines.filter((l) => l.msg === 're-dispatching requests')).toEqual([
      { level: 'warn', obj: { count: 2, reason }, msg: 're-dispatching requests' },
    ]);
    const fresh = await fakeWorker(exchange);
    await until(() => fresh.received.length === 2, 'both requests at the new worker');
    for (const request of fresh.received) await request.reply({ state: 'SUCCESS', data: { result: request.body.task_name } });
    expect([await held, await queued]).toEqual(['held', 'queued']);
  });

  it('an unreadable message fails no request unless it is a RESPONSE to one that an unwatched worker runs', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor, lines } = executorFor(exchange, { transitionTimeoutMs: null });
    await executor.start();
    const pending = settle(executor.execute(new Remote({ name: 'pending' }), {}, context()));
    const running = settle(executor.execute(new Remote({ name: 'running' }), {}, context()));
    await until(() => worker.received.length === 2, 'both requests');
    const [pendingRequest, runningRequest] = worker.received as [Received, Received];
    let started = false;
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => {
      started ||= details.state === 'RUNNING';
    });
    await runningRequest.reply({ state: 'RUNNING', data: {} });
    await until(() => started, 'the second request running');
    const garbage = (type: string, correlationId: string) =>
      worker.transport.publish(exchange, executor.uuid, '{oops', { type, correlationId });
    // A RESPONSE to a request no worker started yet, and a NOTIFY naming a running one.
    await garbage('RESPONSE', pendingRequest.correlationId);
    await garbage('NOTIFY', runningRequest.correlationId);
    await until(() => lines.filter((l) => l.msg === 'ignoring an invalid message').length === 2, 'both ignored');
    expect(lines.filter((l) => l.msg === 'ignoring an invalid message').map((l) => l.obj)).toEqual([
      { err: expect.objectContaining({ code: 'TF_INVALID_MESSAGE' }), type: 'RESPONSE', correlationId: pendingRequest.correlationId },
      { err: expect.objectContaining({ code: 'TF_INVALID_MESSAGE' }), type: 'NOTIFY', correlationId: runningRequest.correlationId },
    ]);
    await pendingRequest.reply({ state: 'SUCCESS', data: { result: 'p' } });
    await runningRequest.reply({ state: 'SUCCESS', data: { result: 'r' } });
    expect([await pending, await running]).toEqual(['p', 'r']);
  });

  it('judges no worker silent while it cannot hear: a RUNNING request outlives a disconnection longer than the heartbeat timeout', async () => {
    const exchange = newExchange();
    const headers = { [TfHeader.WORKER]: 'w-patient', [TfHeader.HEARTBEAT_MS]: 50 };
    const worker = await fakeWorker(exchange, { id: 'w-patient', headers });
    const { executor, lines } = executorFor(exchange, {
      heartbeatTimeoutMs: 200,
      transitionTimeoutMs: 2_000,
      retryOptions: { maxRetries: 20, intervalStartMs: 150, intervalStepMs: 0, intervalMaxMs: 150 },
    });
    let running = false;
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => {
      running ||= details.state === 'RUNNING';
    });
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    const request = worker.received[0]!;
    await request.reply({ state: 'RUNNING', data: {} });
    await until(() => running, 'the request running');
    const transport = executor.transport!;
    // Refused three times: about 450 ms without a connection, more than twice the heartbeat timeout.
    memoryBroker.dropConnection(transport, { failAttempts: 3 });
    await until(() => transport.state !== 'connected', 'the connection lost');
    await until(() => transport.state === 'connected', 'the connection back');
    await request.reply({ state: 'SUCCESS', data: { result: 'patient' } });
    expect(await outcome).toBe('patient');
    expect(worker.received).toHaveLength(1);
    expect(lines.filter((l) => l.msg === 're-dispatching requests')).toEqual([]);
  });

  it('a silent worker sharing its topic: what was sent there before its last sign of life goes again, what was sent later stays', async () => {
    const exchange = newExchange();
    const tasks = ['edges.Remote'];
    const headersOf = (id: string) => ({ [TfHeader.WORKER]: id, [TfHeader.HEARTBEAT_MS]: 50 });
    // The only consumer of the topic: it gets every request.
    const dying = await fakeWorker(exchange, { id: 'w-dying', headers: headersOf('w-dying'), tasks });
    const { executor, lines } = executorFor(exchange, { heartbeatTimeoutMs: 600 });
    const events: RequestEventDetails[] = [];
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => events.push(details));
    await executor.start();
    // Another tf worker on the same topic, alive throughout (it only says so).
    const peer = setInterval(() => {
      void dying.transport.publish(exchange, executor.uuid, JSON.stringify({ topic: 'workers', tasks }), {
        type: 'NOTIFY',
        headers: headersOf('w-peer'),
      });
    }, 50);
    cleanups.push(async () => clearInterval(peer));
    await until(() => lines.some((l) => l.msg === 'another worker on a known topic'), 'both workers known');
    const held = settle(executor.execute(new Remote({ name: 'held' }), {}, context()));
    const before = settle(executor.execute(new Remote({ name: 'before' }), {}, context()));
    await until(() => dying.received.length === 2, 'both requests');
    await dying.received[0]!.reply({ state: 'RUNNING', data: {} });
    await until(() => events.some((e) => e.state === 'RUNNING'), 'the first request running');
    // Its last sign of life; the peer keeps speaking for the topic from another connection.
    const peerTransport = new MemoryTransport();
    await peerTransport.connect();
    cleanups.push(() => peerTransport.close());
    clearInterval(peer);
    const peerAgain = setInterval(() => {
      void peerTransport.publish(exchange, executor.uuid, JSON.stringify({ topic: 'workers', tasks }), {
        type: 'NOTIFY',
        headers: headersOf('w-peer'),
      });
    }, 50);
    cleanups.push(async () => clearInterval(peerAgain));
    await dying.transport.close();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const after = settle(executor.execute(new Remote({ name: 'after' }), {}, context()));
    await until(() => events.filter((e) => e.state === 'WAITING').length === 2, 'two requests waiting again');
    expect(events.filter((e) => e.state === 'WAITING').map((e) => [e.atomName, e.attempt])).toEqual([
      ['held', 2],
      ['before', 2],
    ]);
    const fresh = await fakeWorker(exchange, { tasks });
    await until(() => fresh.received.length === 3, 'three requests at the new worker');
    expect(fresh.received.map((r) => [r.body.task_name, r.headers[TfHeader.ATTEMPT]]).sort()).toEqual([
      ['after', 1],
      ['before', 2],
      ['held', 2],
    ]);
    for (const request of fresh.received) await request.reply({ state: 'SUCCESS', data: { result: request.body.task_name } });
    expect([await held, await before, await after]).toEqual(['held', 'before', 'after']);
  });

  it('each final answer, SUCCESS or FAILURE, lets the next held-back request go at once (no tick needed)', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    // No tick and no periodic NOTIFY: only the answers can let the held-back requests go.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    cleanups.push(async () => {
      vi.useRealTimers();
    });
    const { executor } = executorFor(exchange, { maxInFlight: 1 });
    await executor.start();
    await executor.waitForWorkers(1, 5_000);
    const outcomes = ['a', 'b', 'c'].map((name) => settle(executor.execute(new Remote({ name }), {}, context())));
    await until(() => worker.received.length === 1, 'the first request');
    await worker.received[0]!.reply({ state: 'RUNNING', data: {} });
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 'a' } });
    await until(() => worker.received.length === 2, 'the second request');
    await worker.received[1]!.reply({ state: 'FAILURE', data: { result: Failure.fromError(new Error('b failed')).toDict() } });
    await until(() => worker.received.length === 3, 'the third request');
    await worker.received[2]!.reply({ state: 'SUCCESS', data: { result: 'c' } });
    const [a, b, c] = await Promise.all(outcomes);
    expect(a).toBe('a');
    expect(Failure.fromError(b).exceptionStr).toBe('b failed');
    expect(c).toBe('c');
    expect(worker.received.map((r) => r.body.task_name)).toEqual(['a', 'b', 'c']);
  });

  it('asks a worker that cannot be told (no control topic) to drop nothing, and cancels nothing when nothing is in flight', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange, { headers: { [TfHeader.WORKER]: 'w-python', [TfHeader.RUNNING]: ['ghost'] } });
    const { executor, lines } = executorFor(exchange);
    await executor.start();
    await executor.waitForWorkers(1, 5_000);
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 'done' } });
    expect(await outcome).toBe('done');
    executor.cancelAll();
    await executor.stop();
    expect(lines.filter((l) => l.level === 'warn' || l.level === 'info')).toEqual([]);
  });

  it('out of attempts, a request its worker stopped listing fails with TF_WORKER_LOST; its old attempt is still cancelled', async () => {
    const exchange = newExchange();
    const headers = { [TfHeader.WORKER]: 'w-last', [TfHeader.HEARTBEAT_MS]: 50 };
    const worker = await fakeWorker(exchange, { id: 'w-last', headers });
    const { executor, lines } = executorFor(exchange, { heartbeatTimeoutMs: 200, maxAttempts: 1 });
    const events: RequestEventDetails[] = [];
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => events.push(details));
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'last' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    const request = worker.received[0]!;
    await request.reply({ state: 'RUNNING', data: {} });
    // Heard from, but listing nothing.
    const beat = setInterval(() => {
      void worker.transport.publish(exchange, executor.uuid, JSON.stringify({ topic: 'workers', tasks: ['edges.Remote'] }), {
        type: 'NOTIFY',
        headers: { ...headers, [TfHeader.RUNNING]: [] },
      });
    }, 50);
    cleanups.push(async () => clearInterval(beat));
    const error = await outcome;
    expect(error).toMatchObject({ code: 'TF_WORKER_LOST', atomName: 'last' });
    await until(() => worker.cancels.length === 1, 'the CANCEL');
    expect(worker.cancels).toEqual([[request.correlationId]]);
    expect(events.map((e) => e.state)).toEqual(['PENDING', 'RUNNING']);
    expect(lines.filter((l) => l.msg === 'out of attempts' || l.msg === 're-dispatched')).toEqual([
      { level: 'debug', obj: { atom: 'last', correlationId: request.correlationId, attempt: 1, next: undefined }, msg: 'out of attempts' },
    ]);
  });

  it('names each re-dispatched attempt and the one that replaces it', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor, lines } = executorFor(exchange);
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    memoryBroker.dropConnection(executor.transport!);
    await until(() => worker.received.length === 2, 'the request sent again');
    const [first, second] = worker.received as [Received, Received];
    await second.reply({ state: 'SUCCESS', data: { result: 'ok' } });
    expect(await outcome).toBe('ok');
    expect(lines.filter((l) => l.msg === 're-dispatched')).toEqual([
      {
        level: 'debug',
        obj: { atom: 'r', correlationId: first.correlationId, attempt: 1, next: second.correlationId },
        msg: 're-dispatched',
      },
    ]);
    // No worker held the first attempt: nobody to tell to drop it.
    expect(lines.filter((l) => l.msg === 'could not send CANCEL')).toEqual([]);
  });

  it('cancels in messages of at most 1 024 ids, and logs a CANCEL it could not send', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange, { id: 'w-many', headers: { [TfHeader.WORKER]: 'w-many', [TfHeader.HEARTBEAT_MS]: 60_000 } });
    const transport = new RecordingTransport();
    cleanups.push(() => transport.close());
    const { executor, lines } = executorFor(exchange, { transport, maxInFlight: null });
    await executor.start();
    await executor.waitForWorkers(1, 5_000);
    const outcomes = Array.from({ length: 2_048 }, (_, i) => settle(executor.execute(new Remote({ name: `r${i}` }), {}, context())));
    await until(() => worker.received.length === 2_048, 'every request');
    executor.cancelAll();
    await Promise.all(outcomes);
    await until(() => worker.cancels.length === 2, 'two CANCELs');
    const ids = worker.received.map((r) => r.correlationId);
    // Two full messages, no empty third.
    expect(worker.cancels).toEqual([ids.slice(0, 1_024), ids.slice(1_024)]);
    const refused = new Error('no CANCEL today');
    transport.refuseCancels = refused;
    const last = settle(executor.execute(new Remote({ name: 'last' }), {}, context()));
    await until(() => worker.received.length === 2_049, 'the last request');
    executor.cancelAll();
    await last;
    await until(() => lines.some((l) => l.msg === 'could not send CANCEL'), 'the warning');
    expect(lines.filter((l) => l.msg === 'could not send CANCEL')).toEqual([
      { level: 'warn', obj: { err: refused, control: controlTopicOf('w-many') }, msg: 'could not send CANCEL' },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(worker.cancels).toHaveLength(2);
  });

  it('sends again what waits unclaimed on a topic whose workers expired', async () => {
    const exchange = newExchange();
    const python = await fakeWorker(exchange);
    const { executor } = executorFor(exchange, { workerExpiryMs: 200 });
    const events: RequestEventDetails[] = [];
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => events.push(details));
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'r' }), {}, context()));
    await until(() => python.received.length === 1, 'the request');
    // Gone without a word (a Python worker says nothing of what it holds).
    await python.transport.close();
    await until(() => events.some((e) => e.state === 'WAITING'), 'the request waiting again');
    expect(events.find((e) => e.state === 'WAITING')).toStrictEqual({
      atomName: 'r',
      taskName: 'edges.Remote',
      state: 'WAITING',
      attempt: 2,
      reason: "the worker(s) on topic 'workers' expired",
    });
    const fresh = await fakeWorker(exchange);
    await until(() => fresh.received.length === 1, 'the request at the new worker');
    expect(fresh.received[0]!.headers[TfHeader.ATTEMPT]).toBe(2);
    await fresh.received[0]!.reply({ state: 'SUCCESS', data: { result: 'fresh' } });
    expect(await outcome).toBe('fresh');
  });

  it('reports no missing worker for a request held back by the in-flight bound', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor, lines } = executorFor(exchange, { maxInFlight: 1, noWorkerWarningMs: 20 });
    const reported: string[] = [];
    executor.workerNotifier.on('no_capable_worker', (_event, details) => reported.push(details.atomName));
    await executor.start();
    await executor.waitForWorkers(1, 5_000);
    const first = settle(executor.execute(new Remote({ name: 'first' }), {}, context()));
    const second = settle(executor.execute(new Remote({ name: 'second' }), {}, context()));
    await until(() => worker.received.length === 1, 'the first request');
    // Held back well past the warning delay, by the bound alone: a worker serves it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 1 } });
    await until(() => worker.received.length === 2, 'the second request');
    await worker.received[1]!.reply({ state: 'SUCCESS', data: { result: 2 } });
    expect([await first, await second]).toEqual([1, 2]);
    expect(reported).toEqual([]);
    expect(lines.filter((l) => l.level === 'warn')).toEqual([]);
  });

  it('reports a missing worker again once one served the task and went, and afresh after a restart', async () => {
    const exchange = newExchange();
    const { executor } = executorFor(exchange, { noWorkerWarningMs: 20, workerExpiryMs: 200 });
    const reported: string[] = [];
    executor.workerNotifier.on('no_capable_worker', (_event, details) => reported.push(details.atomName));
    await executor.start();
    const first = settle(executor.execute(new Remote({ name: 'first' }), {}, context()));
    await until(() => reported.length === 1, 'the first report');
    const worker = await fakeWorker(exchange);
    await until(() => worker.received.length === 1, 'the first request served');
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 1 } });
    expect(await first).toBe(1);
    await worker.transport.close();
    await until(() => executor.workers.size === 0, 'the worker forgotten');
    const second = settle(executor.execute(new Remote({ name: 'second' }), {}, context()));
    await until(() => reported.length === 2, 'the second report');
    await executor.stop();
    expect(await second).toMatchObject({ code: 'TF_ENGINE_STOPPED' });
    await executor.start();
    void settle(executor.execute(new Remote({ name: 'third' }), {}, context()));
    await until(() => reported.length === 3, 'the third report');
    expect(reported).toEqual(['first', 'second', 'third']);
  });

  it('stopped while starting, it takes no request; stopped, it forgets its workers', async () => {
    const exchange = newExchange();
    await fakeWorker(exchange);
    const { executor } = executorFor(exchange);
    await executor.waitForWorkers(1, 5_000);
    expect(executor.workers.size).toBe(1);
    await executor.stop();
    expect(executor.workers.size).toBe(0);
    await executor.start();
    const stopping = executor.stop();
    const duringStop = settle(executor.execute(new Remote({ name: 'during' }), {}, context()));
    await stopping;
    expect(await duringStop).toMatchObject({ code: 'TF_ENGINE_STOPPED', message: "Engine not running: 'during' cannot be sent" });
    const starting = executor.start();
    await executor.stop();
    await starting;
    const refused = await settle(executor.execute(new Remote({ name: 'late' }), {}, context()));
    expect(refused).toMatchObject({ code: 'TF_ENGINE_STOPPED', message: "Engine not running: 'late' cannot be sent" });
  });

  it('reverts here, at once, a task whose execute request never reached a worker; sends the revert of one that did', async () => {
    const exchange = newExchange();
    const { executor, lines } = executorFor(exchange, { transitionTimeoutMs: 100 });
    await executor.start();
    const task = new Remote({ name: 'never-sent' });
    const timedOut = await settle(executor.execute(task, {}, context()));
    expect(timedOut).toMatchObject({ code: 'TF_REQUEST_TIMEOUT', state: 'WAITING' });
    const revertContext = { ...context(), result: timedOut, flowFailures: {} } as unknown as RevertExecutionContext;
    expect(await settle(executor.revert(task, {}, revertContext))).toBeUndefined();
    expect(lines.filter((l) => l.msg.startsWith('reverted locally'))).toEqual([
      { level: 'debug', obj: { atom: 'never-sent' }, msg: 'reverted locally: its execute request never reached a worker' },
    ]);
    const worker = await fakeWorker(exchange);
    const ran = new Remote({ name: 'ran' });
    const reverting = settle(
      executor.revert(ran, { x: 1 }, { ...context(), result: 7, flowFailures: {} } as unknown as RevertExecutionContext),
    );
    await until(() => worker.received.length === 1, 'the revert request');
    expect(worker.received[0]!.body).toEqual({
      task_cls: 'edges.Remote',
      task_name: 'ran',
      task_version: [1, 0],
      action: 'revert',
      arguments: { x: 1 },
      result: ['success', 7],
      failures: {},
    });
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: null } });
    expect(await reverting).toBeNull();
  });

  it("a WAITING request whose task a worker serves, held back by that worker's capacity, does not time out", async () => {
    const exchange = newExchange();
    const headers = { [TfHeader.WORKER]: 'w-one-slot', [TfHeader.CONCURRENCY]: 1 };
    const worker = await fakeWorker(exchange, { headers });
    const { executor } = executorFor(exchange, { transitionTimeoutMs: 200 });
    await executor.start();
    await executor.waitForWorkers(1, 5_000);
    // One slot and one prefetched: the third waits for a share of the topic.
    const outcomes = ['a', 'b', 'c'].map((name) => settle(executor.execute(new Remote({ name }), {}, context())));
    await until(() => worker.received.length === 2, 'two requests');
    for (const request of worker.received) await request.reply({ state: 'RUNNING', data: {} });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(worker.received).toHaveLength(2);
    for (const request of worker.received.slice(0, 2)) await request.reply({ state: 'SUCCESS', data: { result: request.body.task_name } });
    await until(() => worker.received.length === 3, 'the third request');
    await worker.received[2]!.reply({ state: 'SUCCESS', data: { result: 'c' } });
    expect(await Promise.all(outcomes)).toEqual(['a', 'b', 'c']);
  });

  it('a worker known only from its answers (its NOTIFY answers say no id) is still lost with what waits on its topic', async () => {
    const exchange = newExchange();
    const worker = await fakeWorker(exchange);
    const { executor } = executorFor(exchange, { heartbeatTimeoutMs: 200 });
    const events: RequestEventDetails[] = [];
    executor.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => events.push(details));
    await executor.start();
    const held = settle(executor.execute(new Remote({ name: 'held' }), {}, context()));
    const queued = settle(executor.execute(new Remote({ name: 'queued' }), {}, context()));
    await until(() => worker.received.length === 2, 'both requests');
    await worker.received[0]!.reply({ state: 'RUNNING', data: {} }, { [TfHeader.WORKER]: 'w-unnamed', [TfHeader.HEARTBEAT_MS]: 50 });
    await worker.transport.close();
    await until(() => events.filter((e) => e.state === 'WAITING').length === 2, 'both requests waiting again');
    expect(events.filter((e) => e.state === 'WAITING').map((e) => [e.atomName, e.attempt, e.reason])).toEqual([
      ['held', 2, 'worker w-unnamed went silent for 200 ms'],
      ['queued', 2, 'worker w-unnamed went silent for 200 ms'],
    ]);
    const fresh = await fakeWorker(exchange);
    await until(() => fresh.received.length === 2, 'both requests at the new worker');
    for (const request of fresh.received) await request.reply({ state: 'SUCCESS', data: { result: request.body.task_name } });
    expect([await held, await queued]).toEqual(['held', 'queued']);
  });

  it('signed, an unreadable response fails the request it names even before a worker said RUNNING', async () => {
    const exchange = newExchange();
    const signingKey = 'k'.repeat(40);
    const worker = await fakeWorker(exchange, { signingKey });
    const { executor, lines } = executorFor(exchange, { signingKey });
    await executor.start();
    const outcome = settle(executor.execute(new Remote({ name: 'signed' }), {}, context()));
    await until(() => worker.received.length === 1, 'the request');
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { outcome: 'no result key' } });
    expect(await outcome).toMatchObject({ code: 'TF_INVALID_MESSAGE' });
    expect(lines.filter((l) => l.msg === 'an invalid signed response failed its request')).toEqual([
      {
        level: 'warn',
        obj: { err: expect.objectContaining({ code: 'TF_INVALID_MESSAGE' }), atom: 'signed' },
        msg: 'an invalid signed response failed its request',
      },
    ]);
  });

  it('a request that cannot be encoded does not stop the others waiting for the same task', async () => {
    const exchange = newExchange();
    // No tick and no periodic NOTIFY: the worker's first answer is the one dispatch pass.
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    cleanups.push(async () => {
      vi.useRealTimers();
    });
    const { executor } = executorFor(exchange);
    await executor.start();
    const bad = settle(executor.execute(new Remote({ name: 'bad' }), { n: 1n }, context()));
    const good = settle(executor.execute(new Remote({ name: 'good' }), {}, context()));
    // The worker reads the NOTIFY waiting on its topic since start(), and answers it.
    const worker = await fakeWorker(exchange);
    expect(await bad).toMatchObject({ code: 'TF_UNSERIALIZABLE' });
    await until(() => worker.received.length === 1, 'the good request');
    await worker.received[0]!.reply({ state: 'SUCCESS', data: { result: 'good' } });
    expect(await good).toBe('good');
  });
});
