/**
 * What a worker refuses to run, and how it never loops on a request: an expired request, a
 * reply_to that is no topic, a request past its delivery limit (dead-lettered, answered).
 */
import { DEAD_LETTER_TOPIC, TfHeader, type Delivery, type ResponseBody } from '@tf/core';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { admit, EXPIRY_TOLERANCE_MS } from '../src/admission';
import { Worker, type WorkerOptions } from '../src/index';
import { AddOne, gates, Gated } from './fixtures/tasks';
import { FakeEngine, sleep, uniqueExchange } from './helpers';

const TOPIC = 'admission-tasks';
const cleanups: (() => Promise<void>)[] = [];

async function startWorker(exchange: string, options: Partial<WorkerOptions> = {}) {
  const worker = new Worker({ exchange, topic: TOPIC, tasks: [AddOne, Gated], transport: 'memory', concurrency: 2, ...options });
  await worker.start();
  cleanups.push(async () => {
    gates.openAll();
    await worker.stop({ timeoutMs: 100 });
  });
  return worker;
}

async function setup(options: Partial<WorkerOptions> = {}) {
  const exchange = uniqueExchange();
  const engine = await new FakeEngine(exchange).start();
  cleanups.push(() => engine.close());
  const worker = await startWorker(exchange, options);
  return { worker, engine, exchange };
}

beforeEach(() => gates.reset());
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  gates.reset();
  memoryBroker.reset();
});

const failureOf = (responses: ResponseBody[]) => {
  const last = responses.at(-1);
  return last?.state === 'FAILURE' ? last.data.result : undefined;
};

describe('Worker: admission', () => {
  it('drops a request past its expiry unrun, and runs one before it', async () => {
    const { engine, exchange } = await setup();
    const late = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'late' } }, undefined, {
      [TfHeader.EXPIRES_AT]: Date.now() - EXPIRY_TOLERANCE_MS - 1,
    });
    const onTime = await engine.request(TOPIC, { task_cls: AddOne.taskName, arguments: { x: 1 } }, undefined, {
      [TfHeader.EXPIRES_AT]: Date.now() + 60_000,
    });
    await engine.final(onTime);
    await vi.waitFor(() => expect(memoryBroker.stats(exchange, TOPIC).ready + memoryBroker.stats(exchange, TOPIC).unacked).toBe(0));
    expect(gates.started).toEqual([]);
    expect(engine.responses(late)).toEqual([]);
  });

  it('drops a request whose reply_to is not a topic name: nothing runs, nothing comes back', async () => {
    const { engine, exchange } = await setup();
    await engine.raw(
      TOPIC,
      JSON.stringify({ task_cls: Gated.taskName, task_name: 'g', task_version: [1, 0], action: 'execute', arguments: { key: 'k' } }),
      {
        type: 'REQUEST',
        replyTo: 'not a topic/..',
        correlationId: 'c-1',
      },
    );
    await vi.waitFor(() => expect(memoryBroker.stats(exchange, TOPIC).ready + memoryBroker.stats(exchange, TOPIC).unacked).toBe(0));
    await sleep(20);
    expect(gates.started).toEqual([]);
  });

  it('dead-letters a request delivered more than maxDeliveries times, with the reason, and answers TF_DELIVERY_LIMIT', async () => {
    const { engine, exchange, worker } = await setup({ maxDeliveries: 1 });
    const id = await engine.request(TOPIC, { task_cls: Gated.taskName, arguments: { key: 'stuck' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['stuck']));
    // Its worker goes away mid-run: the request goes back to the topic (a second delivery).
    await worker.stop({ timeoutMs: 0 });
    const dead: Delivery[] = [];
    const watcher = new MemoryTransport();
    await watcher.connect();
    cleanups.push(() => watcher.close());
    await watcher.consume(exchange, DEAD_LETTER_TOPIC, async (delivery) => {
      dead.push(delivery);
      await delivery.ack();
    });
    await startWorker(exchange, { maxDeliveries: 1 });
    const responses = await engine.final(id);
    const failure = failureOf(responses);
    expect(failure?.exc_type_names[0]).toBe('DeliveryLimitError');
    expect(failure?.exception_str).toContain('delivered 2 times');
    await vi.waitFor(() => expect(dead).toHaveLength(1));
    expect(dead[0]!.properties.correlationId).toBe(id);
    expect(dead[0]!.properties.headers[TfHeader.DEAD_TOPIC]).toBe(TOPIC);
    expect(String(dead[0]!.properties.headers[TfHeader.DEAD_REASON])).toContain('delivered 2 times (limit 1)');
    expect(JSON.parse(dead[0]!.body)).toMatchObject({ task_cls: Gated.taskName, arguments: { key: 'stuck' } });
    // Not run again.
    expect(gates.started).toEqual(['stuck']);
  });
});

describe('admit', () => {
  const delivery = (redelivered: boolean, deliveryCount?: number) => ({ redelivered, deliveryCount }) as unknown as Delivery;

  it('counts on a broker that only flags redeliveries: put back with the count, then dead past the limit', () => {
    expect(admit(delivery(false), {}, 3, 0)).toEqual({ verdict: 'run' });
    expect(admit(delivery(true), {}, 3, 0)).toEqual({ verdict: 'recount', deliveries: 2 });
    expect(admit(delivery(false), { deliveries: 2 }, 3, 0)).toEqual({ verdict: 'run' });
    expect(admit(delivery(true), { deliveries: 3 }, 3, 0)).toEqual({ verdict: 'dead', deliveries: 4 });
    expect(admit(delivery(false), { deliveries: 4 }, 3, 0)).toEqual({ verdict: 'dead', deliveries: 4 });
  });

  it("trusts the broker's own count over a header, and expiry over everything", () => {
    expect(admit(delivery(true, 2), { deliveries: 99 }, 3, 0)).toEqual({ verdict: 'run' });
    expect(admit(delivery(true, 4), {}, 3, 0)).toEqual({ verdict: 'dead', deliveries: 4 });
    const late = 100 + EXPIRY_TOLERANCE_MS + 50;
    expect(admit(delivery(false, 1), { expiresAt: 100 }, 3, late)).toEqual({ verdict: 'expired', lateMs: late - 100 });
    // Clocks may differ: within the tolerance it still runs.
    expect(admit(delivery(false, 1), { expiresAt: 100 }, 3, 100 + EXPIRY_TOLERANCE_MS)).toEqual({ verdict: 'run' });
  });
});
