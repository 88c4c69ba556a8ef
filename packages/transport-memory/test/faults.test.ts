import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TfError, resolveTransport } from '@tf/transport';
import type { Transport, TransportEventMap } from '@tf/transport';
import { Recorder, sleep, uniqueName, waitFor } from '@tf/transport-testkit';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';
import { getMemoryBroker } from '../src/broker';

const fast = { intervalStartMs: 5, intervalStepMs: 5, intervalMaxMs: 20, maxRetries: 3 };
const made: Transport[] = [];
async function open(options: ConstructorParameters<typeof MemoryTransport>[0] = {}): Promise<MemoryTransport> {
  const t = new MemoryTransport({ retryOptions: fast, ...options });
  made.push(t);
  await t.connect();
  return t;
}

let ex: string;
beforeEach(() => {
  memoryBroker.reset();
  ex = uniqueName('faults');
});
afterEach(async () => {
  await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 1000 })));
});

describe('memory broker', () => {
  it('is one per process, shared through globalThis (also by another copy of the package)', async () => {
    expect(getMemoryBroker()).toBe(memoryBroker);
    expect((globalThis as unknown as Record<symbol, unknown>)[Symbol.for('tf.transport-memory.broker')]).toBe(memoryBroker);
    // An engine and a worker that each select 'memory' by name find each other.
    const engine = await resolveTransport({ transport: 'memory' });
    const worker = await resolveTransport({ url: 'memory://' });
    made.push(engine, worker);
    await Promise.all([engine.connect(), worker.connect()]);
    const inbox = new Recorder();
    await worker.consume(ex, 'tasks', inbox.handler);
    await engine.publish(ex, 'tasks', '{"x":1}', { type: 'REQUEST', replyTo: 'engine-1' });
    await waitFor(() => inbox.count === 1);
    expect(inbox.deliveries[0]?.properties.replyTo).toBe('engine-1');
  });

  it('reports stats per topic', async () => {
    const t = await open();
    await t.publish(ex, 'a', '1');
    await t.publish(ex, 'a', '2');
    expect(memoryBroker.stats(ex, 'a')).toEqual({ ready: 2, unacked: 0, consumers: 0 });
    const inbox = new Recorder('hold');
    await t.consume(ex, 'a', inbox.handler, { prefetch: 1 });
    await waitFor(() => inbox.count === 1);
    expect(memoryBroker.stats(ex, 'a')).toEqual({ ready: 1, unacked: 1, consumers: 1 });
    expect(memoryBroker.stats(ex, 'nothing')).toEqual({ ready: 0, unacked: 0, consumers: 0 });
  });

  it('reset() forgets messages and faults; transports from before lose their connection', async () => {
    const old = await open();
    await old.publish(ex, 'a', '"old"');
    memoryBroker.dropNext(ex, 'a', 5);
    memoryBroker.reset();
    expect(memoryBroker.stats(ex, 'a').ready).toBe(0);
    await expect(old.publish(ex, 'a', '"x"')).rejects.toSatisfy((e) => TfError.is(e, 'TF_TRANSPORT_NOT_CONNECTED'));
    await old.close();
    const t = await open();
    const inbox = new Recorder();
    await t.consume(ex, 'a', inbox.handler);
    await t.publish(ex, 'a', '"new"');
    await waitFor(() => inbox.count === 1);
    expect(inbox.bodies).toEqual(['"new"']); // not dropped: the fault was reset
  });
});

describe('fault injection', () => {
  it('dropNext loses the next N messages to a topic (publish still resolves)', async () => {
    const t = await open();
    memoryBroker.dropNext(ex, 'work', 2);
    const inbox = new Recorder();
    await t.consume(ex, 'work', inbox.handler);
    await t.publish(ex, 'other', '"untouched"');
    for (const b of ['"1"', '"2"', '"3"']) await t.publish(ex, 'work', b);
    await waitFor(() => inbox.count === 1);
    await sleep(100);
    expect(inbox.bodies).toEqual(['"3"']);
    expect(memoryBroker.stats(ex, 'other').ready).toBe(1);
  });

  it('duplicateNext delivers the next N messages twice', async () => {
    const t = await open();
    memoryBroker.duplicateNext(ex, 'work');
    const inbox = new Recorder();
    await t.consume(ex, 'work', inbox.handler);
    await t.publish(ex, 'work', '"dup"');
    await t.publish(ex, 'work', '"single"');
    await waitFor(() => inbox.count === 3);
    await sleep(100);
    expect([...inbox.bodies].sort()).toEqual(['"dup"', '"dup"', '"single"']);
    expect(inbox.deliveries.every((d) => !d.redelivered)).toBe(true);
  });

  it('delayNext holds the next N messages back', async () => {
    const t = await open();
    memoryBroker.delayNext(ex, 'work', 150, 1);
    const inbox = new Recorder();
    await t.consume(ex, 'work', inbox.handler);
    const start = Date.now();
    await t.publish(ex, 'work', '"late"');
    await t.publish(ex, 'work', '"on time"');
    await waitFor(() => inbox.count === 2);
    expect(inbox.bodies).toEqual(['"on time"', '"late"']);
    // The delay is the behaviour: not shorter, nor five times longer.
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    expect(Date.now() - start).toBeLessThan(750);
  });

  it('the latencyMs option delays every message of a transport', async () => {
    const slow = await open({ latencyMs: 100 });
    const inbox = new Recorder();
    await slow.consume(ex, 'work', inbox.handler);
    const start = Date.now();
    await slow.publish(ex, 'work', '"slow"');
    expect(Date.now() - start).toBeLessThan(90); // taken at once
    await waitFor(() => inbox.count === 1);
    expect(Date.now() - start).toBeGreaterThanOrEqual(90);
    expect(Date.now() - start).toBeLessThan(500);
    expect(() => new MemoryTransport({ latencyMs: -1 })).toThrow(/latencyMs/);
  });

  it('vanish(consumer) makes one consumer disappear; what it held goes to another', async () => {
    const a = await open();
    const b = await open();
    const held = new Recorder('hold');
    const consumerA = await a.consume(ex, 'work', held.handler, { prefetch: 2 });
    await a.publish(ex, 'work', '"x"');
    await a.publish(ex, 'work', '"y"');
    await waitFor(() => held.count === 2);
    const other = new Recorder();
    await b.consume(ex, 'work', other.handler);
    memoryBroker.vanish(consumerA);
    await waitFor(() => other.count === 2);
    expect([...other.bodies].sort()).toEqual(['"x"', '"y"']);
    expect(other.deliveries.every((d) => d.redelivered && d.deliveryCount === 2)).toBe(true);
    await held.deliveries[0]?.ack(); // the vanished consumer's ack does nothing
    await a.publish(ex, 'work', '"z"'); // its transport still works
    await waitFor(() => other.count === 3);
    expect(held.count).toBe(2);
    expect(() => memoryBroker.vanish(consumerA)).toThrow(/vanish/);
  });

  it('vanish(transport) kills a whole transport like a crashed process', async () => {
    const a = await open();
    const b = await open();
    const held = new Recorder('hold');
    await a.consume(ex, 'work', held.handler);
    await b.publish(ex, 'work', '"orphan"');
    await waitFor(() => held.count === 1);
    memoryBroker.vanish(a);
    expect(memoryBroker.stats(ex, 'work')).toEqual({ ready: 1, unacked: 0, consumers: 0 });
    await expect(a.publish(ex, 'work', '"x"')).rejects.toSatisfy((e) => TfError.is(e, 'TF_TRANSPORT_NOT_CONNECTED'));
    const other = new Recorder();
    await b.consume(ex, 'work', other.handler);
    await waitFor(() => other.count === 1);
    expect(other.deliveries[0]?.redelivered).toBe(true);
    await a.close(); // a dead transport still closes cleanly
    expect(a.state).toBe('closed');
  });

  it('dropConnection: reconnects under retryOptions, refusing the first attempts when asked', async () => {
    const t = await open();
    const events: string[] = [];
    const delays: number[] = [];
    t.on('disconnected', (e) => events.push(`disconnected:${e.willReconnect}`));
    t.on('reconnecting', (e) => {
      events.push(`reconnecting:${e.attempt}`);
      delays.push(e.delayMs);
    });
    t.on('connected', (e) => events.push(`connected:${e.reconnected}`));
    const inbox = new Recorder();
    await t.consume(ex, 'work', inbox.handler);
    memoryBroker.dropConnection(t, { failAttempts: 2 });
    expect(t.state).toBe('reconnecting');
    await t.publish(ex, 'work', '"after"'); // waits for the connection
    await waitFor(() => inbox.count === 1);
    expect(events).toEqual(['disconnected:true', 'reconnecting:1', 'reconnecting:2', 'reconnecting:3', 'connected:true']);
    expect(delays).toEqual([5, 10, 15]);
  });

  it('dropConnection: gives up after maxRetries with an error event, and publish rejects', async () => {
    const t = await open();
    const errors: Error[] = [];
    const disconnects: TransportEventMap['disconnected'][] = [];
    t.on('error', (e) => errors.push(e));
    t.on('disconnected', (e) => disconnects.push(e));
    memoryBroker.dropConnection(t, { failAttempts: 10 });
    await expect(t.publish(ex, 'work', '"x"')).rejects.toSatisfy((e) => TfError.is(e, 'TF_TRANSPORT_CONNECTION_FAILED'));
    expect(t.state).toBe('closed');
    expect(errors.length).toBe(1);
    expect(TfError.is(errors[0], 'TF_TRANSPORT_CONNECTION_FAILED')).toBe(true);
    expect(disconnects.map((d) => d.willReconnect)).toEqual([true, false]);
    // A closed transport may be connected again.
    memoryBroker.reset();
    await t.connect();
    expect(t.state).toBe('connected');
  });

  it('close({ timeoutMs }) stops waiting for a stuck handler and requeues its delivery', async () => {
    const a = await open();
    const stuck = new Recorder(() => new Promise<void>(() => undefined));
    await a.consume(ex, 'work', stuck.handler);
    await a.publish(ex, 'work', '"stuck"');
    await waitFor(() => stuck.count === 1);
    await a.close({ timeoutMs: 50 });
    expect(memoryBroker.stats(ex, 'work')).toEqual({ ready: 1, unacked: 0, consumers: 0 });
  });
});

describe('memory transport options', () => {
  it("accepts the seed's polling_interval (kombu's) and still refuses unknown options", async () => {
    const t = await resolveTransport({ transport: 'memory', transport_options: { polling_interval: 0.1 } });
    expect(t.name).toBe('memory');
    let error: unknown;
    try {
      await resolveTransport({ transport: 'memory', transportOptions: { pollingIntervall: 1 } });
    } catch (e) {
      error = e;
    }
    expect(TfError.is(error, 'TF_TRANSPORT_UNKNOWN_OPTION')).toBe(true);
  });
});
