/**
 * The CANCELs the worker-based engine sends, seen on a fake tf worker's control topic (memory transport):
 * for runs a heartbeat names that the engine does not hold, and on cancel() for a request sent and not
 * yet claimed (to every tf worker on its topic, since any of them may have it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CANCEL_MESSAGE, Task, TfHeader, controlTopicOf, linearFlow, type MessageHeaders } from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
import { load } from '@tf/engine';
import { MemoryTransport } from '@tf/transport-memory';

class Remote extends Task {
  static override taskName = 'cancel.Remote';
  override execute(): never {
    throw new Error('runs on a worker, never here');
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let counter = 0;
const newExchange = () => `cancel-${process.pid}-${++counter}`;

/**
 * A tf worker that answers NOTIFY with its headers (`running` listed as the runs it holds), keeps
 * REQUESTs unanswered, and records the CANCELs on its control topic.
 */
async function fakeTfWorker(exchange: string, id: string, running: string[] = []) {
  const requests: string[] = [];
  let notifies = 0;
  const cancels: { type: string | undefined; ids: unknown }[] = [];
  const transport = new MemoryTransport();
  await transport.connect();
  await transport.consume(exchange, controlTopicOf(id), async (delivery) => {
    cancels.push({ type: delivery.properties.type, ids: delivery.properties.headers?.[TfHeader.CANCEL] });
    await delivery.ack();
  });
  await transport.consume(exchange, 'workers', async (delivery) => {
    const message = decodeMessage(delivery);
    if (message.type === 'NOTIFY') {
      notifies++;
      const headers: MessageHeaders = {
        [TfHeader.WORKER]: id,
        [TfHeader.HEARTBEAT_MS]: 60_000,
        [TfHeader.CONTROL]: controlTopicOf(id),
        [TfHeader.RUNNING]: running,
      };
      await transport.publish(exchange, message.properties.replyTo!, JSON.stringify({ topic: 'workers', tasks: ['cancel.Remote'] }), {
        type: 'NOTIFY',
        correlationId: message.properties.correlationId!,
        headers,
      });
    } else if (message.type === 'REQUEST') requests.push(message.properties.correlationId!);
    await delivery.ack();
  });
  cleanups.push(() => transport.close());
  return { requests, cancels, notifies: () => notifies };
}

function engineFor(exchange: string) {
  const engine = load(linearFlow('f').add(new Remote({ name: 'remote' })), {
    engine: 'worker-based',
    exchange,
    topics: ['workers'],
    transport: 'memory',
    notifyIntervalMs: 50,
  });
  cleanups.push(() => engine.close());
  return engine;
}

describe('worker-based engine: CANCEL', () => {
  it('tells a worker whose heartbeat lists runs it does not hold to drop exactly those', async () => {
    const exchange = newExchange();
    const worker = await fakeTfWorker(exchange, 'w-ghosts', ['ghost-1', 'ghost-2']);
    const engine = engineFor(exchange);
    expect(await engine.executor.waitForWorkers(1, 5_000)).toBe(1);
    await expect.poll(() => worker.cancels.length, { timeout: 5_000 }).toBeGreaterThan(0);
    expect(worker.cancels[0]).toEqual({ type: CANCEL_MESSAGE, ids: ['ghost-1', 'ghost-2'] });
  });

  it('cancel() sends a request no worker claimed yet to every tf worker on its topic; the flow ends SUSPENDED', async () => {
    const exchange = newExchange();
    const one = await fakeTfWorker(exchange, 'w-one');
    const two = await fakeTfWorker(exchange, 'w-two');
    const engine = engineFor(exchange);
    await engine.executor.start();
    // both have answered the engine's NOTIFYs (which go to one consumer of the topic at a time)
    await expect.poll(() => Math.min(one.notifies(), two.notifies()), { timeout: 5_000 }).toBeGreaterThan(0);
    const running = engine.run();
    await expect.poll(() => one.requests.length + two.requests.length, { timeout: 5_000 }).toBe(1);
    const id = [...one.requests, ...two.requests][0];
    engine.cancel();
    await running;
    expect(engine.storage.flowState).toBe('SUSPENDED');
    expect(engine.storage.getState('remote')).toBe('PENDING');
    for (const worker of [one, two]) {
      await expect.poll(() => worker.cancels.length, { timeout: 5_000 }).toBe(1);
      expect(worker.cancels[0]).toEqual({ type: CANCEL_MESSAGE, ids: [id] });
    }
  });
});
