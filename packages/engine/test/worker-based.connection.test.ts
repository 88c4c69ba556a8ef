/**
 * The worker-based engine when its own broker connection drops (memory transport fault injection):
 * after a reconnect it sends again what no worker claimed, without using up an attempt; when the
 * transport gives up, every request in flight fails at once, and so does every later one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Task, TfError, TfHeader, linearFlow, type MessageHeaders, type RequestBody } from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
import { load } from '@tf/engine';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';

class Remote extends Task {
  static override taskName = 'connection.Remote';
  override execute(): never {
    throw new Error('runs on a worker, never here');
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let counter = 0;
const newExchange = () => `connection-${process.pid}-${++counter}`;

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
  reply: (body: unknown) => Promise<void>;
}

/** A worker that answers NOTIFY and keeps every REQUEST it gets, unanswered, for the test to answer. */
async function silentWorker(exchange: string) {
  const received: Received[] = [];
  const transport = new MemoryTransport();
  await transport.connect();
  await transport.consume(exchange, 'workers', async (delivery) => {
    const message = decodeMessage(delivery);
    const replyTo = message.properties.replyTo!;
    const correlationId = message.properties.correlationId!;
    const reply = (body: unknown) =>
      transport.publish(exchange, replyTo, JSON.stringify(body), {
        type: message.type === 'NOTIFY' ? 'NOTIFY' : 'RESPONSE',
        correlationId,
      });
    if (message.type === 'NOTIFY') await reply({ topic: 'workers', tasks: ['connection.Remote'] });
    else if (message.type === 'REQUEST') {
      received.push({ body: message.body as RequestBody, correlationId, headers: message.properties.headers ?? {}, reply });
    }
    await delivery.ack();
  });
  cleanups.push(() => transport.close());
  return received;
}

function engineFor(exchange: string, maxRetries: number) {
  const engine = load(linearFlow('f').add(new Remote({ name: 'remote', provides: 'y' })), {
    engine: 'worker-based',
    exchange,
    topics: ['workers'],
    transport: 'memory',
    notifyIntervalMs: 50,
    maxAttempts: 1,
    transitionTimeoutMs: 10_000,
    retryOptions: { intervalStartMs: 10, intervalStepMs: 10, intervalMaxMs: 10, maxRetries },
  });
  cleanups.push(() => engine.close());
  return engine;
}

describe('worker-based engine: its own connection', () => {
  it('after a reconnect, sends again a request no worker claimed, as a new attempt that uses up none', async () => {
    const exchange = newExchange();
    const received = await silentWorker(exchange);
    const engine = engineFor(exchange, 5);
    const run = engine.run();
    await until(() => received.length === 1, 'the first request');
    const transport = engine.executor.transport;
    if (!transport) throw new Error('the engine has no transport while running');
    memoryBroker.dropConnection(transport);
    await until(() => received.length === 2, 'the request sent again');
    const [first, second] = received as [Received, Received];
    expect(second.correlationId).not.toBe(first.correlationId);
    expect(second.headers[TfHeader.ATTEMPT]).toBe(2);
    expect(second.body).toEqual(first.body);
    // The first attempt's answer finds nothing; the second's is the result (maxAttempts 1 was not used up).
    await first.reply({ state: 'SUCCESS', data: { result: 'stale' } });
    await second.reply({ state: 'SUCCESS', data: { result: 'fresh' } });
    await run;
    expect(engine.storage.fetch('y')).toBe('fresh');
  });

  it('when its transport gives up reconnecting, the request in flight fails with TF_ENGINE_CONNECTION_LOST, and so does its revert', async () => {
    const exchange = newExchange();
    const received = await silentWorker(exchange);
    const engine = engineFor(exchange, 1);
    const run = engine.run().then(
      () => undefined,
      (error: unknown) => error,
    );
    await until(() => received.length === 1, 'the first request');
    const transport = engine.executor.transport;
    if (!transport) throw new Error('the engine has no transport while running');
    memoryBroker.dropConnection(transport, { failAttempts: 100 });
    const error = await run;
    expect(TfError.is(error, 'TF_ENGINE_CONNECTION_LOST')).toBe(true);
    expect(engine.storage.getFailures()['remote']?.excTypeNames[0]).toBe('EngineConnectionLostError');
    expect(engine.storage.getState('remote')).toBe('REVERT_FAILURE');
    expect(engine.storage.flowState).toBe('FAILURE');
    expect(received).toHaveLength(1);
  });
});
