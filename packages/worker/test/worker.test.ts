import { hostname } from 'node:os';
import { Failure, readInspectHeaders, TfError, TfHeader, type FailureDict, type ResponseBody } from '@tf/core';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Worker, WorkerConfigError, type WorkerOptions } from '../src/index';
import { AddOne, BadProgress, BigResult, Boom, CyclicResult, gates, Gated, Multiply, Unbuildable, Undo, undoCalls } from './fixtures/tasks';
import { FakeEngine, recordingLogger, sleep, uniqueExchange } from './helpers';

const ALL = [AddOne, Multiply, Boom, Undo, BigResult, CyclicResult, BadProgress, Unbuildable, Gated];
const TOPIC = 'test-tasks';

const cleanups: (() => Promise<void>)[] = [];

async function setup(options: Partial<WorkerOptions> = {}): Promise<{ worker: Worker; engine: FakeEngine; exchange: string }> {
  const exchange = options.exchange ?? uniqueExchange();
  const engine = await new FakeEngine(exchange).start();
  const worker = new Worker({ exchange, topic: TOPIC, tasks: ALL, transport: 'memory', concurrency: 4, ...options });
  await worker.start();
  cleanups.push(
    async () => {
      gates.openAll();
      await worker.stop();
    },
    () => engine.close(),
  );
  return { worker, engine, exchange };
}

function failureOf(response: ResponseBody | undefined): FailureDict {
  expect(response?.state).toBe('FAILURE');
  return (response as { data: { result: FailureDict } }).data.result;
}

beforeEach(() => {
  gates.reset();
  undoCalls.length = 0;
});

afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  gates.reset();
  memoryBroker.reset();
});

describe('Worker: execute and revert round trips', () => {
  it('executes: RUNNING, progress EVENTs, then SUCCESS with the result; the request is acked', async () => {
    const { engine, exchange } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.AddOne', task_name: 'add-1', arguments: { x: 7 } });
    const responses = await engine.final(id);
    expect(responses).toEqual([
      { state: 'RUNNING', data: {} },
      { state: 'EVENT', data: { event_type: 'update_progress', details: { progress: 0.5 } } },
      { state: 'EVENT', data: { event_type: 'update_progress', details: { progress: 1, note: 'done' } } },
      { state: 'SUCCESS', data: { result: 8 } },
    ]);
    await vi.waitFor(() => expect(memoryBroker.stats(exchange, TOPIC)).toMatchObject({ ready: 0, unacked: 0 }));
    expect(engine.invalid).toEqual([]);
  });

  it('runs a defineTask class, and an undefined result travels as null', async () => {
    const { engine } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Multiply', arguments: { a: 6, b: 7 } });
    expect((await engine.final(id)).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 42 } });
  });

  it('a task that throws: FAILURE with the failure dict (types, message, causes)', async () => {
    const { engine } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Boom', arguments: { why: 'testing' } });
    const responses = await engine.final(id);
    expect(responses[0]).toEqual({ state: 'RUNNING', data: {} });
    const dict = failureOf(responses.at(-1));
    expect(dict.exception_str).toBe('boom: testing');
    expect(dict.exc_type_names[0]).toBe('RangeError');
    expect(dict.exc_type_names).toContain('Error');
    expect(dict.traceback_str).toMatch(/\S/);
    expect(Failure.fromDict(dict).causes[0]?.exceptionStr).toBe('root cause');
  });

  it('reverts: revert gets the arguments, the result and the flow failures; its return value is the SUCCESS result', async () => {
    const { engine } = await setup();
    const flowFailure = Failure.fromError(new TypeError('flow broke')).toDict();
    const id = await engine.request(TOPIC, {
      task_cls: 'tasks.Undo',
      task_name: 'undo-1',
      action: 'revert',
      arguments: { x: 3 },
      result: ['success', 3],
      failures: { 'other-task': flowFailure },
    });
    const responses = await engine.final(id);
    expect(responses).toEqual([
      { state: 'RUNNING', data: {} },
      { state: 'SUCCESS', data: { result: { reverted: 3 } } },
    ]);
    expect(undoCalls).toHaveLength(1);
    const call = undoCalls[0]!;
    expect(call.args).toEqual({ x: 3 });
    expect(call.context.result).toBe(3);
    const other = call.context.flowFailures['other-task'];
    expect(Failure.is(other)).toBe(true);
    expect((other as Failure).toDict()).toEqual(flowFailure);
  });

  it('reverts after a failed execute: the result arrives as a Failure', async () => {
    const { engine } = await setup();
    const failed = Failure.fromError(new Error('execute failed')).toDict();
    const id = await engine.request(TOPIC, {
      task_cls: 'tasks.Undo',
      action: 'revert',
      arguments: { x: 1 },
      result: ['failure', failed],
      failures: {},
    });
    expect((await engine.final(id)).at(-1)?.state).toBe('SUCCESS');
    const result = undoCalls[0]?.context.result;
    expect(Failure.is(result)).toBe(true);
    expect((result as Failure).toDict()).toEqual(failed);
  });
});

describe('Worker: RUNNING when the engine says it is optional (x-tf-running-optional)', () => {
  const optional = { [TfHeader.ATTEMPT]: 1, [TfHeader.RUNNING_OPTIONAL]: true };
  const responsesWithHeaders = (engine: FakeEngine, id: string) =>
    engine.received.filter((m) => m.type === 'RESPONSE' && m.correlationId === id);

  it('a task that finishes at once is answered with its SUCCESS alone, naming the worker and how long it ran', async () => {
    const { worker, engine } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Multiply', arguments: { a: 6, b: 7 } }, undefined, optional);
    expect(await engine.final(id)).toEqual([{ state: 'SUCCESS', data: { result: 42 } }]);
    const headers = responsesWithHeaders(engine, id)[0]!.headers;
    expect(headers).toMatchObject({ [TfHeader.WORKER]: worker.id, [TfHeader.ATTEMPT]: 1 });
    expect(Number.isInteger(headers[TfHeader.RUN_MS]) && (headers[TfHeader.RUN_MS] as number) >= 0).toBe(true);
    // ... and a failing one with its FAILURE alone, with its run time.
    const failing = await engine.request(TOPIC, { task_cls: 'tasks.Boom', arguments: {} }, undefined, optional);
    expect((await engine.final(failing)).map((r) => r.state)).toEqual(['FAILURE']);
    expect(responsesWithHeaders(engine, failing)[0]!.headers[TfHeader.RUN_MS]).toEqual(expect.any(Number));
  });

  it('a refusal (the task never ran) carries no run time', async () => {
    const { engine } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.NotAllowed', arguments: {} }, undefined, optional);
    expect((await engine.final(id)).map((r) => r.state)).toEqual(['FAILURE']);
    expect(responsesWithHeaders(engine, id)[0]!.headers).not.toHaveProperty(TfHeader.RUN_MS);
  });

  it('a task still running after the turn that started it says RUNNING (with its heartbeat) while it runs', async () => {
    const { worker, engine } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Gated', arguments: { key: 'slow' } }, undefined, optional);
    await vi.waitFor(() => expect(engine.responses(id)).toEqual([{ state: 'RUNNING', data: {} }]));
    expect(gates.running).toBe(1);
    expect(responsesWithHeaders(engine, id)[0]?.headers).toMatchObject({
      [TfHeader.WORKER]: worker.id,
      [TfHeader.HEARTBEAT_MS]: expect.any(Number),
    });
    gates.open('slow');
    expect(await engine.final(id)).toEqual([
      { state: 'RUNNING', data: {} },
      { state: 'SUCCESS', data: { result: 'done slow' } },
    ]);
    // It said RUNNING: the engine times the run from there, the answer carries no run time.
    expect(responsesWithHeaders(engine, id)[1]!.headers).not.toHaveProperty(TfHeader.RUN_MS);
  });

  it('a task that reports progress says RUNNING first', async () => {
    const { engine } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.AddOne', arguments: { x: 1 } }, undefined, optional);
    expect((await engine.final(id)).map((r) => r.state)).toEqual(['RUNNING', 'EVENT', 'EVENT', 'SUCCESS']);
  });

  it.each([
    ['no such header (a Python engine)', { [TfHeader.ATTEMPT]: 1 }],
    ["the text 'true'", { [TfHeader.ATTEMPT]: 1, [TfHeader.RUNNING_OPTIONAL]: 'true' }],
    ['the number 1', { [TfHeader.ATTEMPT]: 1, [TfHeader.RUNNING_OPTIONAL]: 1 }],
  ])('with %s, RUNNING comes first even for a task that finishes at once', async (_what, headers) => {
    const { engine } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Multiply', arguments: { a: 2, b: 3 } }, undefined, headers);
    expect(await engine.final(id)).toEqual([
      { state: 'RUNNING', data: {} },
      { state: 'SUCCESS', data: { result: 6 } },
    ]);
    expect(responsesWithHeaders(engine, id)[1]!.headers).not.toHaveProperty(TfHeader.RUN_MS);
  });
});

describe('Worker: refusals and bad input', () => {
  it('refuses a task outside the allow-list with a FAILURE that says so, and keeps serving', async () => {
    const { engine } = await setup({ tasks: [AddOne, Multiply] });
    const id = await engine.request(TOPIC, { task_cls: 'os.system', arguments: { cmd: 'rm -rf /' } });
    const responses = await engine.final(id);
    expect(responses).toHaveLength(1); // no RUNNING: it never started
    const dict = failureOf(responses[0]);
    expect(dict.exc_type_names[0]).toBe('UnknownTaskError');
    expect(dict.exception_str).toContain("'os.system' is not on this worker's allow-list");
    expect(dict.exception_str).toContain('tasks.AddOne, tasks.Multiply');
    const next = await engine.request(TOPIC, { task_cls: 'tasks.AddOne', arguments: { x: 1 } });
    expect((await engine.final(next)).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 2 } });
  });

  it('drops malformed, untyped, unknown-type and wrongly typed messages without requeueing them, and keeps serving', async () => {
    const logger = recordingLogger();
    const { engine, exchange } = await setup({ logger });
    const replyTo = engine.replyTo;
    await engine.raw(TOPIC, '{not json', { type: 'REQUEST', replyTo, correlationId: 'c1' });
    await engine.raw(TOPIC, '{}', { type: 'BOGUS', replyTo, correlationId: 'c2' });
    await engine.raw(TOPIC, '{}', { replyTo, correlationId: 'c3' });
    await engine.raw(TOPIC, JSON.stringify({ task_cls: 42, task_name: 'x', task_version: [1, 0], action: 'execute', arguments: {} }), {
      type: 'REQUEST',
      replyTo,
      correlationId: 'c4',
    });
    await engine.raw(
      TOPIC,
      JSON.stringify({ task_cls: 'tasks.AddOne', task_name: 'x', task_version: [1, 0], action: 'explode', arguments: {} }),
      { type: 'REQUEST', replyTo, correlationId: 'c5' },
    );
    await engine.raw(TOPIC, JSON.stringify({ state: 'SUCCESS', data: { result: 1 } }), { type: 'RESPONSE', correlationId: 'c6' });
    // Valid body, but nowhere to answer: dropped too.
    await engine.raw(
      TOPIC,
      JSON.stringify({ task_cls: 'tasks.AddOne', task_name: 'x', task_version: [1, 0], action: 'execute', arguments: { x: 1 } }),
      { type: 'REQUEST' },
    );
    await engine.raw(TOPIC, '[1, 2', { type: 'NOTIFY', replyTo });

    const id = await engine.request(TOPIC, { task_cls: 'tasks.AddOne', arguments: { x: 41 } });
    expect((await engine.final(id)).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 42 } });
    await sleep(20);
    expect(memoryBroker.stats(exchange, TOPIC)).toMatchObject({ ready: 0, unacked: 0 });
    // Nothing but the good request was answered.
    expect(engine.received.map((m) => m.correlationId).filter((c) => c !== id)).toEqual([]);
    const dropped = logger.records.filter((r) => r.level === 'warn');
    expect(dropped.length).toBeGreaterThanOrEqual(8);
    expect(logger.records.some((r) => r.level === 'error')).toBe(false);
  });

  it('a result JSON cannot carry is a FAILURE (UnserializableValueError), not a lost request', async () => {
    const { engine, exchange } = await setup();
    for (const task_cls of ['tasks.BigResult', 'tasks.CyclicResult']) {
      const id = await engine.request(TOPIC, { task_cls });
      const responses = await engine.final(id);
      expect(responses[0]?.state).toBe('RUNNING');
      const dict = failureOf(responses.at(-1));
      expect(dict.exc_type_names[0]).toBe('UnserializableValueError');
      expect(dict.exception_str).toMatch(/cannot be sent as JSON/);
    }
    await vi.waitFor(() => expect(memoryBroker.stats(exchange, TOPIC)).toMatchObject({ ready: 0, unacked: 0 }));
  });

  it('drops a progress event JSON cannot carry; the task still succeeds', async () => {
    const { engine } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.BadProgress' });
    expect(await engine.final(id)).toEqual([
      { state: 'RUNNING', data: {} },
      { state: 'EVENT', data: { event_type: 'update_progress', details: { progress: 0.6, ok: true } } },
      { state: 'SUCCESS', data: { result: 'fine' } },
    ]);
  });

  it('a task whose constructor throws: FAILURE, without RUNNING', async () => {
    const { engine } = await setup();
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Unbuildable' });
    const responses = await engine.final(id);
    expect(responses).toHaveLength(1);
    const dict = failureOf(responses[0]);
    expect(dict.exc_type_names[0]).toBe('TypeError');
    expect(dict.exception_str).toBe('cannot build this task');
  });
});

describe('Worker: NOTIFY', () => {
  it('answers an engine NOTIFY with its topic and task names', async () => {
    const { engine } = await setup({ tasks: [AddOne, Multiply] });
    await engine.notify(TOPIC);
    const answer = await vi.waitFor(() => {
      const m = engine.received.find((r) => r.type === 'NOTIFY');
      if (!m) throw new Error('no NOTIFY yet');
      return m;
    });
    expect(answer.body).toEqual({ topic: TOPIC, tasks: ['tasks.AddOne', 'tasks.Multiply'] });
  });

  it('adds what it runs only to an inspecting NOTIFY (x-tf-inspect), not to an engine discovery answer', async () => {
    const { engine, worker } = await setup({ concurrency: 3 });
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Gated', task_name: 'gated-one', arguments: { key: 'inspected' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['inspected']));
    await engine.notify(TOPIC);
    await engine.raw(TOPIC, '{}', {
      type: 'NOTIFY',
      replyTo: engine.replyTo,
      correlationId: 'inspect-1',
      headers: { [TfHeader.INSPECT]: true },
    });
    const answers = await vi.waitFor(() => {
      const found = engine.received.filter((r) => r.type === 'NOTIFY');
      if (found.length < 2) throw new Error('waiting for both answers');
      return found;
    });
    const inspected = answers.find((a) => a.correlationId === 'inspect-1')!;
    const plain = answers.find((a) => a.correlationId !== 'inspect-1')!;
    expect(
      Object.keys(plain.headers)
        .filter((k) => k.startsWith('x-tf-'))
        .sort(),
    ).toEqual([TfHeader.CONCURRENCY, TfHeader.CONTROL, TfHeader.HEARTBEAT_MS, TfHeader.WORKER].sort());
    expect(inspected.body).toEqual(plain.body);
    const details = readInspectHeaders(inspected.headers);
    expect(details.active).toBe(1);
    expect(details.process).toBe(`${hostname()}:${process.pid}`);
    expect(details.startedAt).toBeLessThanOrEqual(Date.now());
    expect(details.running).toEqual([{ id, task: 'tasks.Gated', name: 'gated-one', action: 'execute', since: expect.any(Number) }]);
    expect(worker.activeTasks).toBe(1);
    gates.open('inspected');
    await engine.final(id);
  });

  it('answers a NOTIFY while every task slot is busy', async () => {
    const { engine, worker } = await setup({ concurrency: 1 });
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Gated', arguments: { key: 'slow' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['slow']));
    expect(worker.activeTasks).toBe(1);
    await engine.notify(TOPIC);
    await vi.waitFor(() => expect(engine.received.some((r) => r.type === 'NOTIFY')).toBe(true));
    gates.open('slow');
    expect((await engine.final(id)).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 'done slow' } });
  });
});

describe('Worker: concurrency, acknowledgement, stop', () => {
  it('runs at most `concurrency` tasks at once, and all of them in the end', async () => {
    const { engine } = await setup({ concurrency: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push(await engine.request(TOPIC, { task_cls: 'tasks.Gated', arguments: { key: `k${i}` } }));
    await vi.waitFor(() => expect(gates.running).toBe(2));
    await sleep(30);
    expect(gates.running).toBe(2);
    // Open them one by one; never more than two run.
    for (let i = 0; i < 6; i++) {
      await vi.waitFor(() => expect(gates.started).toContain(`k${i}`));
      gates.open(`k${i}`);
    }
    for (const id of ids) expect((await engine.final(id)).at(-1)?.state).toBe('SUCCESS');
    expect(gates.maxRunning).toBe(2);
  });

  it('acks a request only after its final response: a worker that dies mid-task leaves it to another', async () => {
    const exchange = uniqueExchange();
    const { worker: first, engine } = await setup({ exchange, concurrency: 1 });
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Gated', arguments: { key: 'crash' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['crash']));
    expect(engine.responses(id)).toEqual([{ state: 'RUNNING', data: {} }]);
    expect(memoryBroker.stats(exchange, TOPIC).unacked).toBe(1);

    // The first worker's process "dies": its connection vanishes with the request unacked.
    memoryBroker.vanish(first.transport!);
    const second = new Worker({ exchange, topic: TOPIC, tasks: ALL, transport: 'memory', concurrency: 1 });
    await second.start();
    cleanups.push(() => second.stop());

    await vi.waitFor(() => expect(gates.started).toEqual(['crash', 'crash']));
    gates.open('crash');
    const responses = await engine.final(id);
    expect(responses.filter((r) => r.state === 'RUNNING')).toHaveLength(2);
    expect(responses.at(-1)).toEqual({ state: 'SUCCESS', data: { result: 'done crash' } });
    await vi.waitFor(() => expect(memoryBroker.stats(exchange, TOPIC)).toMatchObject({ ready: 0, unacked: 0 }));
    // The dead worker's late result never made it out: one terminal response only.
    await sleep(20);
    expect(engine.responses(id).filter((r) => r.state === 'SUCCESS' || r.state === 'FAILURE')).toHaveLength(1);
  });

  it('stop() waits for a running task to finish and publish; requests waiting for a slot go back to the broker', async () => {
    const { engine, worker, exchange } = await setup({ concurrency: 1 });
    const running = await engine.request(TOPIC, { task_cls: 'tasks.Gated', arguments: { key: 'a' } });
    const waiting = await engine.request(TOPIC, { task_cls: 'tasks.Gated', arguments: { key: 'b' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['a']));
    await vi.waitFor(() => expect(memoryBroker.stats(exchange, TOPIC).unacked).toBe(2)); // 'b' held, waiting for the slot

    let stopped = false;
    const stopping = worker.stop().then(() => {
      stopped = true;
    });
    await sleep(30);
    expect(stopped).toBe(false);
    expect(worker.state).toBe('stopping');
    gates.open('a');
    await stopping;
    expect(worker.state).toBe('stopped');
    // Published before stop() resolved; the engine's consumer gets it a tick later.
    await vi.waitFor(() => expect(engine.responses(running).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 'done a' } }));
    expect(engine.responses(waiting)).toEqual([]);
    expect(gates.started).toEqual(['a']);
    expect(memoryBroker.stats(exchange, TOPIC)).toMatchObject({ ready: 1, unacked: 0, consumers: 0 });
    expect(worker.transport?.state).toBe('closed');
    await worker.stop(); // idempotent
  });

  it('stop({ timeoutMs }) hands a task that does not finish back to the broker', async () => {
    const { engine, worker, exchange } = await setup({ concurrency: 1 });
    const id = await engine.request(TOPIC, { task_cls: 'tasks.Gated', arguments: { key: 'forever' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['forever']));
    const t0 = Date.now();
    await worker.stop({ timeoutMs: 50 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(memoryBroker.stats(exchange, TOPIC)).toMatchObject({ ready: 1, unacked: 0 });
    expect(engine.responses(id)).toEqual([{ state: 'RUNNING', data: {} }]);
  });

  it('leaves a transport object it was given open, and uses it', async () => {
    const exchange = uniqueExchange();
    const engine = await new FakeEngine(exchange).start();
    cleanups.push(() => engine.close());
    const transport = new MemoryTransport();
    const worker = new Worker({ exchange, topic: TOPIC, tasks: [AddOne], transport });
    await worker.start();
    expect(worker.transport).toBe(transport);
    const id = await engine.request(TOPIC, { task_cls: 'tasks.AddOne', arguments: { x: 1 } });
    expect((await engine.final(id)).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 2 } });
    await worker.stop();
    expect(transport.state).toBe('connected');
    await transport.close();
  });
});

describe('Worker: options and banner', () => {
  const base = { exchange: 'e', topic: 't', tasks: [AddOne], transport: 'memory' };

  it('rejects unknown options, missing exchange/topic/tasks and bad concurrency with TF_WORKER_CONFIG', () => {
    const bad: unknown[] = [
      { ...base, bogus: 1 },
      { ...base, exchange: undefined },
      { ...base, topic: '' },
      { ...base, topic: 'has space' },
      { ...base, tasks: [] },
      { ...base, tasks: [42] },
      { ...base, concurrency: 0 },
      { ...base, concurrency: 1.5 },
      { ...base, executor: {} },
      { ...base, concurrency: 2, threads_count: 3 },
      { ...base, transport_options: 'x' },
      { ...base, transport: '' },
      { ...base, transport: new MemoryTransport(), url: 'memory://' },
    ];
    for (const options of bad) {
      let caught: unknown;
      try {
        new Worker(options as WorkerOptions);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(options)).toBeInstanceOf(WorkerConfigError);
      expect(TfError.is(caught, 'TF_WORKER_CONFIG')).toBe(true);
    }
  });

  it('refuses a missing transport and url with TF_TRANSPORT_NOT_GIVEN, not a memory default', () => {
    expect(() => new Worker({ exchange: 'e', topic: 't', tasks: [AddOne] })).toThrow(
      expect.objectContaining({ code: 'TF_TRANSPORT_NOT_GIVEN', message: expect.stringMatching(/^Worker: no transport was given\. /) }),
    );
  });

  it("accepts the seed's snake_case keys and TaskFlow's threads_count", () => {
    const worker = new Worker({
      exchange: 'e',
      topic: 't',
      tasks: AddOne,
      transport: 'memory',
      transport_options: {},
      retry_options: { interval_start: 1 },
      threads_count: 3,
    } as WorkerOptions);
    expect(worker.concurrency).toBe(3);
    expect(worker.state).toBe('idle');
  });

  it('parses retry options in the constructor; their errors keep their codes', () => {
    expect(() => new Worker({ ...base, retry_options: { bogus: 1 } } as WorkerOptions)).toThrow(
      expect.objectContaining({ code: 'TF_TRANSPORT_UNKNOWN_OPTION' }),
    );
    expect(() => new Worker({ ...base, retryOptions: { maxRetries: -1 } })).toThrow(
      expect.objectContaining({ code: 'TF_INVALID_ARGUMENT' }),
    );
  });

  it('fails start() on unknown transport options (typed), before consuming', async () => {
    const worker = new Worker({ ...base, transport: 'memory', transportOptions: { nope: true } });
    await expect(worker.start()).rejects.toMatchObject({ code: 'TF_TRANSPORT_UNKNOWN_OPTION' });
    expect(worker.state).toBe('idle');
  });

  it('has a banner: transport, redacted URI, exchange, topic, tasks, concurrency, host, pid', async () => {
    const exchange = uniqueExchange();
    const worker = new Worker({
      exchange,
      topic: TOPIC,
      tasks: [AddOne, Multiply],
      url: 'memory://admin:s3cret@broker.example:1234/',
      concurrency: 5,
    });
    expect(worker.banner).toContain('tasks.AddOne');
    await worker.start();
    cleanups.push(() => worker.stop());
    const banner = worker.banner;
    expect(banner).toContain('Transport = memory');
    expect(banner).toContain('Uri = memory://admin:***@broker.example:1234/');
    expect(banner).not.toContain('s3cret');
    expect(banner).toContain(`Exchange = ${exchange}`);
    expect(banner).toContain(`Topic = ${TOPIC}`);
    expect(banner).toContain('  - tasks.AddOne\n  - tasks.Multiply');
    expect(banner).toContain('Concurrency = 5');
    expect(banner).toContain(`Hostname = ${hostname()}`);
    expect(banner).toContain(`Pid = ${process.pid}`);
    expect(worker.tasks).toEqual(['tasks.AddOne', 'tasks.Multiply']);
  });

  it('cannot start again once stopped', async () => {
    const worker = new Worker({ ...base, exchange: uniqueExchange(), transport: 'memory' });
    await worker.start();
    await worker.start(); // idempotent while running
    await worker.stop();
    await expect(worker.start()).rejects.toMatchObject({ code: 'TF_INVALID_STATE' });
  });
});
