/**
 * The worker-based engine against a hand-driven fake worker on the memory transport:
 * what the engine sends, and how it treats what comes back.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  CapturingListener,
  Failure,
  Task,
  TfError,
  TfHeader,
  linearFlow,
  type Delivery,
  type MessageHeaders,
  type RequestBody,
} from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
import { load, normaliseOptions } from '@tf/engine';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';

class Remote extends Task {
  static override taskName = 'remote.Task';
  static override requires = ['x'];
  override execute(): never {
    throw new Error('runs on a worker, never here');
  }
}

let exchangeCounter = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A fake worker: answers NOTIFY with `tasks`, hands REQUESTs to `onRequest`. */
async function fakeWorker(
  exchange: string,
  tasks: string[],
  onRequest: (
    body: RequestBody,
    reply: (body: unknown, headers?: MessageHeaders) => Promise<void>,
    delivery: Delivery,
  ) => Promise<void> | void,
) {
  const transport = new MemoryTransport();
  await transport.connect();
  await transport.consume(exchange, 'workers', async (delivery) => {
    const message = decodeMessage(delivery);
    const replyTo = message.properties.replyTo!;
    const reply = (body: unknown, headers: MessageHeaders = {}) =>
      transport.publish(exchange, replyTo, JSON.stringify(body), {
        type: message.type === 'NOTIFY' ? 'NOTIFY' : 'RESPONSE',
        correlationId: message.properties.correlationId!,
        headers,
      });
    if (message.type === 'NOTIFY') await reply({ topic: 'workers', tasks });
    else if (message.type === 'REQUEST') await onRequest(message.body, reply, delivery);
    await delivery.ack();
  });
  cleanups.push(() => transport.close());
  return transport;
}

function engineFor(exchange: string, flow = linearFlow('f').add(new Remote({ name: 'remote', provides: 'y' })), extra = {}) {
  return load(flow, {
    engine: 'worker-based',
    exchange,
    topics: ['workers'],
    transport: 'memory',
    store: { x: 1 },
    notifyIntervalMs: 50,
    ...extra,
  });
}

const newExchange = () => `wbe-${process.pid}-${++exchangeCounter}`;

describe('worker-based engine: protocol', () => {
  it('sends TaskFlow requests and stores the SUCCESS result; relays progress', async () => {
    const exchange = newExchange();
    const seen: RequestBody[] = [];
    await fakeWorker(exchange, ['remote.Task'], async (body, reply) => {
      seen.push(body);
      await reply({ state: 'RUNNING', data: {} });
      await reply({ state: 'EVENT', data: { event_type: 'update_progress', details: { progress: 0.5, note: 'half' } } });
      await reply({ state: 'SUCCESS', data: { result: 42 } });
    });
    const engine = engineFor(exchange);
    const listener = new CapturingListener({ progress: true }).attach(engine);
    const progressDetails: unknown[] = [];
    engine.atomNotifier.on('update_progress', (_e, d) => progressDetails.push(d.details));
    await engine.run();
    expect(engine.storage.fetch('y')).toBe(42);
    expect(seen).toEqual([{ task_cls: 'remote.Task', task_name: 'remote', task_version: [1, 0], action: 'execute', arguments: { x: 1 } }]);
    expect(listener.values).toEqual(['flow.f RUNNING', 'remote RUNNING', 'remote progress 0.5', 'remote SUCCESS', 'flow.f SUCCESS']);
    expect(progressDetails).toEqual([{ note: 'half' }]);
    expect(engine.executor.transport).toBeUndefined();
  });

  it('fails a request no worker offers with RequestTimeout naming where it looked; reverts it here, at once', async () => {
    const exchange = newExchange();
    await fakeWorker(exchange, ['some.OtherTask'], () => {});
    const engine = engineFor(exchange, undefined, { transitionTimeoutMs: 200 });
    const started = Date.now();
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(TfError.is(error, 'TF_REQUEST_TIMEOUT')).toBe(true);
    expect((error as Error).message).toContain("'remote' (remote.Task)");
    expect((error as Error).message).toContain('WAITING');
    expect((error as Error).message).toContain(`exchange '${exchange}', topic(s) 'workers'`);
    expect(error).toMatchObject({ state: 'WAITING', exchange, topics: ['workers'], timeoutMs: 200 });
    // The execute request never reached a worker: nothing to undo remotely, so the revert
    // does not wait for a worker a second time (TaskFlow would; the task never ran).
    expect(elapsed).toBeGreaterThanOrEqual(200);
    expect(elapsed).toBeLessThan(400);
    expect(engine.storage.getState('remote')).toBe('REVERTED');
    expect(engine.storage.flowState).toBe('REVERTED');
    expect(Failure.fromError(engine.storage.getFailures().remote).check('RequestTimeoutError')).toBe('RequestTimeoutError');
  });

  it('times out a request a worker took but never started (PENDING), and ignores its late responses', async () => {
    const exchange = newExchange();
    const received: { action: string; correlationId: string; at: number }[] = [];
    let sendLateSuccess: (() => Promise<void>) | undefined;
    await fakeWorker(exchange, ['remote.Task'], async (body, reply, delivery) => {
      received.push({ action: body.action, correlationId: delivery.properties.correlationId!, at: Date.now() });
      if (body.action === 'execute') sendLateSuccess = () => reply({ state: 'SUCCESS', data: { result: 'too late' } });
      // The revert came: the execute has timed out. Its SUCCESS arrives now, while the engine
      // still listens (waiting on the revert), under the execute's correlation id.
      else await sendLateSuccess?.();
    });
    const ignored: unknown[] = [];
    const noop = () => undefined;
    const logger = {
      trace: noop,
      info: noop,
      warn: noop,
      error: noop,
      debug: (obj: unknown, msg?: string) => {
        if (msg === 'ignoring a response for no live request') ignored.push(obj);
      },
    };
    const engine = engineFor(exchange, undefined, { transition_timeout: 0.2, logger });
    const listener = new CapturingListener().attach(engine);
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    const failedAt = Date.now();
    expect(TfError.is(error, 'TF_REQUEST_TIMEOUT')).toBe(true);
    expect((error as Error).message).toContain('PENDING');
    expect((error as Error).message).toContain(`sent to topic 'workers' on exchange '${exchange}'`);
    // A worker held the execute request, so it may yet run it: the revert goes to a worker too.
    expect(received.map((r) => r.action)).toEqual(['execute', 'revert']);
    const [execute, revert] = received as [(typeof received)[0], (typeof received)[0]];
    // The timeout is the behaviour: each PENDING request fails 200 ms after it was sent, not
    // before, and not four times later (a generous bound on 2 shared cores, not a speed).
    expect(revert.at - execute.at).toBeGreaterThanOrEqual(200);
    expect(revert.at - execute.at).toBeLessThan(800);
    expect(failedAt - revert.at).toBeGreaterThanOrEqual(200);
    expect(failedAt - revert.at).toBeLessThan(800);
    // The late SUCCESS reached the engine, which ignored it: nothing stored, no SUCCESS, and
    // the revert it arrived during still timed out.
    expect(ignored).toEqual([{ correlationId: execute.correlationId, state: 'SUCCESS' }]);
    expect(engine.storage.fetchAll()).not.toHaveProperty('y');
    expect(listener.values).toEqual([
      'flow.f RUNNING',
      'remote RUNNING',
      'remote FAILURE',
      'remote REVERTING',
      'remote REVERT_FAILURE',
      'flow.f FAILURE',
    ]);
    expect(engine.storage.getState('remote')).toBe('REVERT_FAILURE');
  });

  it('gives a revert request the result and the flow failures as TaskFlow dicts', async () => {
    const exchange = newExchange();
    const requests: RequestBody[] = [];
    await fakeWorker(exchange, ['remote.Task'], async (body, reply) => {
      requests.push(body);
      await reply({ state: 'RUNNING', data: {} });
      if (body.task_name === 'boom' && body.action === 'execute') {
        await reply({ state: 'FAILURE', data: { result: Failure.fromError(new RangeError('kaboom')).toDict() } });
      } else {
        await reply({ state: 'SUCCESS', data: { result: body.action === 'execute' ? 7 : null } });
      }
    });
    const flow = linearFlow('f').add(new Remote({ name: 'ok', provides: 'y' }), new Remote({ name: 'boom' }));
    const engine = engineFor(exchange, flow);
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('kaboom');
    expect(Failure.fromError(error).check('RangeError')).toBe('RangeError');
    const revertOk = requests.find((r) => r.task_name === 'ok' && r.action === 'revert')!;
    expect(revertOk.result).toEqual(['success', 7]);
    expect(Object.keys(revertOk.failures!)).toEqual(['boom']);
    // Rooted in Python's Exception, so a Python TaskFlow worker accepts the request (Failure.validate).
    expect(revertOk.failures!.boom!.exc_type_names).toEqual(['RangeError', 'Error', 'Exception']);
    const revertBoom = requests.find((r) => r.task_name === 'boom' && r.action === 'revert')!;
    expect(revertBoom.result![0]).toBe('failure');
    expect(requests.map((r) => `${r.task_name}.${r.action}`)).toEqual(['ok.execute', 'boom.execute', 'boom.revert', 'ok.revert']);
  });

  it('ignores a second terminal response and malformed messages on its topic', async () => {
    const exchange = newExchange();
    const flow = linearFlow('f').add(new Remote({ name: 'one', provides: 'y' }), new Remote({ name: 'two', provides: 'z' }));
    const engine = engineFor(exchange, flow);
    await fakeWorker(exchange, ['remote.Task'], async (body, reply) => {
      if (body.task_name === 'one') {
        // Garbage on the engine's topic first: an unknown type, bad JSON, a body off schema.
        const raw = engine.executor.transport!;
        await raw.publish(exchange, engine.executor.uuid, '{}', { type: 'GOSSIP' });
        await raw.publish(exchange, engine.executor.uuid, '{oops', { type: 'RESPONSE', correlationId: 'x' });
        await raw.publish(exchange, engine.executor.uuid, JSON.stringify({ state: 'SUCCESS' }), { type: 'RESPONSE' });
      }
      await reply({ state: 'SUCCESS', data: { result: body.task_name } });
      await reply({ state: 'FAILURE', data: { result: Failure.fromError(new Error('duplicate')).toDict() } });
      await reply({ state: 'SUCCESS', data: { result: 'duplicate' } });
    });
    await engine.run();
    expect(engine.storage.fetchAll()).toMatchObject({ y: 'one', z: 'two' });
    expect(engine.storage.flowState).toBe('SUCCESS');
  });

  it('ignores a response it cannot read for a request a heartbeating worker holds (anyone could send it) and stores the real answer', async () => {
    const exchange = newExchange();
    await fakeWorker(exchange, ['remote.Task'], async (_body, reply) => {
      await reply({ state: 'RUNNING', data: {} }, { [TfHeader.WORKER]: 'w-1', [TfHeader.HEARTBEAT_MS]: 1000 });
      await reply({ state: 'SUCCESS', data: { outcome: 'no result key' } });
      await reply({ state: 'SUCCESS', data: { result: 7 } });
    });
    const engine = engineFor(exchange, undefined, { transitionTimeoutMs: null });
    await engine.run();
    expect(engine.storage.fetch('y')).toBe(7);
  });

  it('fails a request held by a worker without heartbeats (Python) whose response cannot be read: nothing else would end the wait', async () => {
    const exchange = newExchange();
    await fakeWorker(exchange, ['remote.Task'], async (_body, reply) => {
      await reply({ state: 'RUNNING', data: {} });
      await reply({ state: 'SUCCESS', data: { outcome: 'no result key' } });
    });
    const engine = engineFor(exchange, undefined, { transitionTimeoutMs: null });
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(TfError.is(error, 'TF_INVALID_MESSAGE')).toBe(true);
    expect(Failure.fromError(engine.storage.getFailures().remote).exceptionStr).toContain('Invalid RESPONSE message');
  });

  it('takes a response only from the topic it sent the request to, and workers only on its own topics', async () => {
    const exchange = newExchange();
    await fakeWorker(exchange, ['remote.Task'], async (_body, reply) => {
      await reply({ state: 'SUCCESS', data: { result: 666 } }, { [TfHeader.TOPIC]: 'elsewhere' });
      await reply({ state: 'SUCCESS', data: { result: 7 } }, { [TfHeader.TOPIC]: 'workers' });
    });
    const engine = engineFor(exchange, undefined, { transitionTimeoutMs: null });
    // A worker on a topic the engine was not given claims to serve its task: never picked.
    const intruder = new MemoryTransport();
    await intruder.connect();
    cleanups.push(() => intruder.close());
    const stolen: string[] = [];
    await intruder.consume(exchange, 'intruders', (delivery) => {
      stolen.push(delivery.body);
    });
    await intruder.publish(exchange, engine.executor.uuid, JSON.stringify({ topic: 'intruders', tasks: ['remote.Task'] }), {
      type: 'NOTIFY',
    });
    await engine.run();
    expect(engine.storage.fetch('y')).toBe(7);
    expect(stolen).toEqual([]);
  });

  it('leaves a transport object it was given open after run, its consumer gone', async () => {
    const exchange = newExchange();
    await fakeWorker(exchange, ['remote.Task'], async (_b, reply) => reply({ state: 'SUCCESS', data: { result: 5 } }));
    const transport = new MemoryTransport();
    cleanups.push(() => transport.close());
    const engine = engineFor(exchange, undefined, { transport });
    await engine.run();
    expect(engine.storage.fetch('y')).toBe(5);
    expect(transport.state).toBe('connected');
    expect(engine.executor.transport).toBeUndefined();
    expect(memoryBroker.stats(exchange, engine.executor.uuid).consumers).toBe(0);
    // Still usable by its owner.
    await transport.publish(exchange, 'elsewhere', '{}');
  });

  it('waits for workers and leaves nothing connected after run', async () => {
    const exchange = newExchange();
    const engine = engineFor(exchange);
    const none = await engine.waitForWorkers(1, 100);
    expect(none).toBe(0);
    await fakeWorker(exchange, ['remote.Task'], async (_b, reply) => reply({ state: 'SUCCESS', data: { result: 1 } }));
    expect(await engine.waitForWorkers(1, 5_000)).toBe(1);
    expect([...engine.executor.workers.keys()]).toEqual(['workers']);
    await engine.run();
    expect(engine.executor.transport).toBeUndefined();
    expect(memoryBroker.stats(exchange, engine.executor.uuid).consumers).toBe(0);
  });
});

describe('engine options', () => {
  it("normalises the seed's snake_case keys and seconds", () => {
    const o = normaliseOptions({
      engine: 'worker-based',
      exchange: 'e',
      topics: ['t'],
      transport: 'filesystem',
      transport_options: { data_folder_in: '/tmp/x' },
      transition_timeout: 2.5,
      worker_expiry: 30,
      retry_options: { max_retries: 3 },
    });
    expect(o.workerBased).toMatchObject({
      exchange: 'e',
      topics: ['t'],
      transportOptions: { data_folder_in: '/tmp/x' },
      transitionTimeoutMs: 2500,
      workerExpiryMs: 30_000,
      retryOptions: { maxRetries: 3 },
    });
    expect(
      normaliseOptions({ engine: 'worker-based', exchange: 'e', topics: ['t'], transport: 'memory', transition_timeout: null }).workerBased
        ?.transitionTimeoutMs,
    ).toBeNull();
    expect(normaliseOptions({ max_workers: 3, engine: 'parallel' }).maxWorkers).toBe(3);
  });

  it('refuses unknown options, unknown engines and misplaced or missing worker options', () => {
    const codeOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return [(e as TfError).code, (e as Error).message];
      }
      return undefined;
    };
    expect(codeOf(() => normaliseOptions({ engne: 'serial' } as never))).toEqual([
      'TF_INVALID_ARGUMENT',
      expect.stringContaining("'engne'"),
    ]);
    expect(codeOf(() => normaliseOptions({ engine: 'quantum' }))).toEqual(['TF_INVALID_ARGUMENT', expect.stringContaining("'quantum'")]);
    expect(codeOf(() => normaliseOptions({ engine: 'serial', exchange: 'e' }))).toEqual([
      'TF_INVALID_ARGUMENT',
      expect.stringContaining('exchange'),
    ]);
    expect(codeOf(() => normaliseOptions({ engine: 'worker-based', topics: ['t'] }))).toEqual([
      'TF_INVALID_ARGUMENT',
      expect.stringContaining('exchange'),
    ]);
    expect(codeOf(() => normaliseOptions({ engine: 'worker-based', exchange: 'e', topics: [] }))).toEqual([
      'TF_INVALID_ARGUMENT',
      expect.stringContaining('topics'),
    ]);
    expect(
      codeOf(() =>
        normaliseOptions({ engine: 'worker-based', exchange: 'e', topics: ['t'], transport: 'memory', transition_timeout: 'soon' }),
      ),
    ).toEqual(['TF_INVALID_ARGUMENT', expect.stringContaining('seconds')]);
    expect(codeOf(() => normaliseOptions({ engine: 'parallel', maxWorkers: 0 }))).toEqual([
      'TF_INVALID_ARGUMENT',
      expect.stringContaining('maxWorkers'),
    ]);
    expect(
      codeOf(() => normaliseOptions({ engine: 'worker-based', exchange: 'e', topics: ['t'], transport: 'memory', worker_expiry: 0 })),
    ).toEqual(['TF_INVALID_ARGUMENT', expect.stringContaining('workerExpiryMs')]);
    expect(
      codeOf(() => normaliseOptions({ engine: 'worker-based', exchange: 'e', topics: ['t'], transport_options: 'x' } as never)),
    ).toEqual(['TF_INVALID_ARGUMENT', expect.stringContaining("'transportOptions'")]);
    // No transport and no url: an error, not the in-process memory transport.
    expect(codeOf(() => normaliseOptions({ engine: 'worker-based', exchange: 'e', topics: ['t'] }))).toEqual([
      'TF_TRANSPORT_NOT_GIVEN',
      expect.stringMatching(/^Engine: no transport was given\. .*'filesystem' \| 'amqp' \| 'redis' \| 'memory'/),
    ]);
  });
});
