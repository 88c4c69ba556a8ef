/**
 * What a worker tells engines about itself and the requests it holds (heartbeats, its id and
 * attempt in headers), and how a run is stopped early: execution timeout, CANCEL, shutdown,
 * and the early ack of a long task.
 */
import { readWorkerHeaders, TaskCancelledError, TfHeader, type ResponseBody } from '@tf/core';
import { memoryBroker } from '@tf/transport-memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Worker, type WorkerOptions } from '../src/index';
import { AddOne, gates, Gated } from './fixtures/tasks';
import { FakeEngine, sleep, uniqueExchange } from './helpers';

const TOPIC = 'live-tasks';
const cleanups: (() => Promise<void>)[] = [];

async function setup(options: Partial<WorkerOptions> = {}) {
  const exchange = uniqueExchange();
  const engine = await new FakeEngine(exchange).start();
  const worker = new Worker({ exchange, topic: TOPIC, tasks: [AddOne, Gated], transport: 'memory', concurrency: 2, ...options });
  await worker.start();
  cleanups.push(
    async () => {
      gates.openAll();
      await worker.stop({ timeoutMs: 100 });
    },
    () => engine.close(),
  );
  return { worker, engine, exchange };
}

beforeEach(() => gates.reset());
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  gates.reset();
  memoryBroker.reset();
});

const failureName = (response: ResponseBody | undefined) =>
  response?.state === 'FAILURE' ? response.data.result.exc_type_names[0] : `not a failure: ${JSON.stringify(response)}`;

describe('Worker: liveness', () => {
  it('names itself and echoes the attempt on every response; its NOTIFY answer says how to reach and size it', async () => {
    const { engine, worker } = await setup();
    const id = await engine.request(TOPIC, { task_cls: AddOne.taskName, arguments: { x: 1 } }, undefined, { [TfHeader.ATTEMPT]: 2 });
    await engine.final(id);
    const responses = engine.received.filter((m) => m.correlationId === id);
    expect(responses.length).toBeGreaterThanOrEqual(2);
    for (const response of responses) {
      expect(response.headers[TfHeader.WORKER]).toBe(worker.id);
      expect(response.headers[TfHeader.ATTEMPT]).toBe(2);
    }
    // RUNNING also says it heartbeats, and how often (its control topic follows from its id);
    // the others stay small.
    const running = responses.find((r) => (r.body as ResponseBody).state === 'RUNNING')!;
    expect(running.headers).toEqual({
      [TfHeader.WORKER]: worker.id,
      [TfHeader.TOPIC]: worker.topic,
      [TfHeader.HEARTBEAT_MS]: 1000,
      [TfHeader.ATTEMPT]: 2,
    });
    expect(readWorkerHeaders(running.headers).control).toBe(worker.controlTopic);
    const final = responses.at(-1)!;
    expect(Object.keys(final.headers).sort()).toEqual([TfHeader.ATTEMPT, TfHeader.WORKER, TfHeader.TOPIC].sort());
    await engine.notify(TOPIC);
    await vi.waitFor(() => expect(engine.received.some((m) => m.type === 'NOTIFY')).toBe(true));
    const answer = engine.received.find((m) => m.type === 'NOTIFY')!;
    expect(answer.headers).toMatchObject({
      [TfHeader.WORKER]: worker.id,
      [TfHeader.CONTROL]: worker.controlTopic,
      [TfHeader.CONCURRENCY]: 2,
    });
  });

  it('heartbeats to the engine every interval while it holds its requests, listing them, and stops when it holds none', async () => {
    const { engine } = await setup({ heartbeatIntervalMs: 30, concurrency: 1 });
    const running = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'a' } });
    const queued = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'b' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['a']));
    const beats = () => engine.received.filter((m) => m.type === 'NOTIFY' && m.headers[TfHeader.RUNNING] !== undefined);
    await vi.waitFor(() => expect(beats().length).toBeGreaterThanOrEqual(3));
    // The running request and the one waiting for the slot: both held here.
    expect(beats().at(-1)!.headers[TfHeader.RUNNING]).toEqual(expect.arrayContaining([running, queued]));
    expect(beats().at(-1)!.body).toEqual({ topic: TOPIC, tasks: [AddOne.taskName, Gated.taskName] });
    gates.open('a');
    gates.open('b');
    await engine.final(queued);
    const count = beats().length;
    await sleep(150);
    expect(beats().length).toBeLessThanOrEqual(count + 1);
  });

  it('execution timeout from the request: the signal fires, FAILURE is ExecutionTimeoutError, and the slot serves others', async () => {
    const { engine } = await setup({ concurrency: 1 });
    const stuck = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'never' } }, undefined, {
      [TfHeader.EXECUTION_TIMEOUT_MS]: 100,
    });
    const after = await engine.request(TOPIC, { task_cls: AddOne.taskName, arguments: { x: 1 } });
    const responses = await engine.final(stuck);
    expect(failureName(responses.at(-1))).toBe('ExecutionTimeoutError');
    expect((await engine.final(after)).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 2 } });
  });

  it('CANCEL on its control topic aborts a held request; an id cancelled before its request arrives is refused, not run', async () => {
    const { engine, worker } = await setup();
    const id = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'long' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['long']));
    await engine.raw(worker.controlTopic, '{}', { type: 'CANCEL', headers: { [TfHeader.CANCEL]: [id, 'not-yet-sent'] } });
    expect(failureName((await engine.final(id)).at(-1))).toBe('TaskCancelledError');
    await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'late' } }, 'not-yet-sent');
    expect(failureName((await engine.final('not-yet-sent')).at(-1))).toBe('TaskCancelledError');
    expect(gates.started).toEqual(['long']);
    expect(new TaskCancelledError('x').code).toBe('TF_TASK_CANCELLED');
  });

  it("acks a tf engine's long task early (ackLongTasksAfterMs), before its result; a Python engine's only once answered", async () => {
    const { engine, exchange } = await setup({ ackLongTasksAfterMs: 50 });
    // No x-tf-attempt: a Python engine, which has no heartbeat watch to make up for an early ack.
    const python = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'python' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['python']));
    await sleep(150);
    expect(memoryBroker.stats(exchange, TOPIC).unacked).toBe(1);
    gates.open('python');
    await engine.final(python);
    await vi.waitFor(() => expect(memoryBroker.stats(exchange, TOPIC).unacked).toBe(0));
    const id = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'slow' } }, undefined, { [TfHeader.ATTEMPT]: 1 });
    await vi.waitFor(() => expect(gates.started).toEqual(['python', 'slow']));
    expect(memoryBroker.stats(exchange, TOPIC).unacked).toBe(1);
    await vi.waitFor(() => expect(memoryBroker.stats(exchange, TOPIC).unacked).toBe(0));
    expect(engine.responses(id).map((r) => r.state)).toEqual(['RUNNING']);
    gates.open('slow');
    expect((await engine.final(id)).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 'done slow' } });
  });

  it('a request cancelled while it waits for a slot is answered, never run', async () => {
    const { engine, worker } = await setup({ concurrency: 1 });
    const first = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'first' } });
    const queued = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'queued' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['first']));
    await sleep(50); // 'queued' is in the worker, waiting for the slot
    await engine.raw(worker.controlTopic, '{}', { type: 'CANCEL', headers: { [TfHeader.CANCEL]: [queued] } });
    await sleep(50);
    gates.open('first');
    await engine.final(first);
    expect(failureName((await engine.final(queued)).at(-1))).toBe('TaskCancelledError');
    expect(gates.started).toEqual(['first']);
  });

  it('rejects bad liveness options', () => {
    const base = { exchange: 'e', topic: 't', tasks: [AddOne], transport: 'memory' };
    expect(() => new Worker({ ...base, heartbeatIntervalMs: 0 })).toThrow(/heartbeatIntervalMs/);
    expect(() => new Worker({ ...base, ackLongTasksAfterMs: -1 })).toThrow(/ackLongTasksAfterMs/);
    // A Node timer fires at once past 2^31 - 1 ms: refused, not a silent storm.
    expect(() => new Worker({ ...base, ackLongTasksAfterMs: 30 * 86_400_000 })).toThrow(/at most 2147483647/);
    expect(() => new Worker({ ...base, heartbeatIntervalMs: 1500.5 })).toThrow(/heartbeatIntervalMs/);
    expect(new Worker({ ...base, heartbeat_interval: 2 }).id).toMatch(/^[0-9a-f-]{36}$/);
  });
});
