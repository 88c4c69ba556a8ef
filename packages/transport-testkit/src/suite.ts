import { TRANSPORT_BRAND, TfError, hasBrand } from '@tf/transport';
import type { Delivery, MessageHeaders, Transport, TransportEventMap, TransportEventName } from '@tf/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { Recorder, sleep, uniqueName, waitFor } from './helpers';

/** How `transportConformance` gets and treats transports. */
export interface ConformanceOptions {
  /** Shown in the test names. */
  name: string;
  /** A new, unconnected transport. Called several times per test: each is a separate connection. */
  create: () => Transport | Promise<Transport>;
  /** After each test, once every transport it made is closed (purge a broker, remove folders...). */
  cleanup?: () => void | Promise<void>;
  /**
   * Drop `transport`'s connection the way a broker restart or network failure would (kill the
   * connection server-side, close the socket...). Given, the suite checks the transport
   * reconnects and resumes its consumers; absent, those tests are not registered
   * (nothing is reported as skipped: the transport has no such capability).
   */
  dropConnection?: (transport: Transport) => void | Promise<void>;
  /**
   * Make `transport` die like a killed process: no acks, no close. Given, the suite checks
   * what it held is redelivered to another consumer; absent, that test is not registered.
   */
  crash?: (transport: Transport) => void | Promise<void>;
  /** A password that `create`'s transports have in their URL; `details()` must not show it. */
  password?: string;
  /** Per-test timeout (default 30 s). */
  timeoutMs?: number;
  /** How long to wait for a condition (default 10 s). */
  waitMs?: number;
  /** How long "nothing more happens" is watched before asserting it (default 300 ms). */
  quietMs?: number;
}

const MiB = 1024 * 1024;

/**
 * Register the transport conformance suite with vitest: the transport contract of
 * `@tf/transport`, in executable form. Call it at the top level of a test file:
 *
 * ```ts
 * import { transportConformance } from '@tf/transport-testkit';
 * transportConformance({ name: 'sqs', create: () => new SqsTransport({ url }) });
 * ```
 */
export function transportConformance(options: ConformanceOptions): void {
  const timeout = options.timeoutMs ?? 30_000;
  const waitMs = options.waitMs ?? 10_000;
  const quietMs = options.quietMs ?? 300;
  const until = <T>(condition: () => T | Promise<T>, message: string) =>
    waitFor(condition, { timeoutMs: waitMs, message });
  const quiet = () => sleep(quietMs);

/** A test registered only when the transport offers what it needs; never a skipped test. */
function onlyIf(capability: unknown): (name: string, options: { timeout: number }, fn: () => Promise<void>) => void {
  return capability ? (name, options, fn) => it(name, options, fn) : () => {};
}

  describe(`transport conformance: ${options.name}`, () => {
    const made: Transport[] = [];

    /** A new transport, not connected; closed after the test. */
    async function create(): Promise<Transport> {
      const t = await options.create();
      made.push(t);
      return t;
    }
    /** A new, connected transport; closed after the test. */
    async function open(): Promise<Transport> {
      const t = await create();
      await t.connect();
      return t;
    }
    const exchangeFor = (test: string) => uniqueName(`tfc-${options.name}-${test}`);

    afterEach(async () => {
      await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 5_000 })));
      await options.cleanup?.();
    });

    it('is a branded transport with capabilities, retry options and details without password', { timeout }, async () => {
      const t = await create();
      expect(hasBrand(t, TRANSPORT_BRAND)).toBe(true);
      expect(typeof t.name).toBe('string');
      expect(t.name.length).toBeGreaterThan(0);
      for (const flag of ['crossProcess', 'persistent', 'reconnect', 'deliveryCount'] as const) {
        expect(typeof t.capabilities[flag]).toBe('boolean');
      }
      expect(['boolean', 'undefined']).toContain(typeof t.capabilities.autoAck);
      for (const key of ['intervalStartMs', 'intervalStepMs', 'intervalMaxMs'] as const) {
        expect(typeof t.retryOptions[key]).toBe('number');
      }
      expect(t.retryOptions.maxRetries === null || typeof t.retryOptions.maxRetries === 'number').toBe(true);
      const details = t.details();
      expect(details.name).toBe(t.name);
      expect(typeof details.driver).toBe('string');
      expect(details.driver.length).toBeGreaterThan(0);
      expect(typeof details.version).toBe('string');
      expect(details.version.length).toBeGreaterThan(0);
      if (details.uri !== undefined) {
        // user:password@ only with the password masked.
        expect(details.uri).not.toMatch(/\/\/[^/@:;\s]*:(?!\*+@)[^@/;\s]+@/);
      }
      if (options.password) expect(JSON.stringify(details)).not.toContain(options.password);
    });

    it('connects, emits connected, rejects misuse with typed errors, closes idempotently', { timeout }, async () => {
      const exchange = exchangeFor('lifecycle');
      const t = await create();
      await expect(t.publish(exchange, 'a', '{}')).rejects.toSatisfy((e) => TfError.is(e, 'TF_TRANSPORT_NOT_CONNECTED'));
      const events: TransportEventName[] = [];
      t.on('connected', () => events.push('connected'));
      t.on('disconnected', () => events.push('disconnected'));
      await t.connect();
      await t.connect();
      expect(t.state).toBe('connected');
      expect(events).toEqual(['connected']);
      await expect(t.publish(exchange, 'no/slash', '{}')).rejects.toSatisfy((e) => TfError.is(e, 'TF_INVALID_ARGUMENT'));
      await expect(t.publish('', 'a', '{}')).rejects.toSatisfy((e) => TfError.is(e, 'TF_INVALID_ARGUMENT'));
      await expect(t.consume(exchange, 'a', () => undefined, { prefetch: -1 })).rejects.toSatisfy((e) =>
        TfError.is(e, 'TF_INVALID_ARGUMENT'),
      );
      await t.close();
      await t.close();
      expect(t.state).toBe('closed');
      expect(events).toEqual(['connected', 'disconnected']);
      await expect(t.publish(exchange, 'a', '{}')).rejects.toSatisfy((e) => TfError.is(e, 'TF_TRANSPORT_NOT_CONNECTED'));
    });

    it('keeps a message published before anyone consumes', { timeout }, async () => {
      const exchange = exchangeFor('early');
      const publisher = await open();
      await publisher.publish(exchange, 'work', '{"n":1}');
      await publisher.close();
      const consumer = await open();
      const inbox = new Recorder();
      await consumer.consume(exchange, 'work', inbox.handler);
      await until(() => inbox.count === 1, 'the early message');
      expect(inbox.bodies).toEqual(['{"n":1}']);
      expect(inbox.deliveries[0]?.redelivered).toBe(false);
    });

    it('resolves publish only once the message is taken (closing right after loses nothing)', { timeout }, async () => {
      const exchange = exchangeFor('taken');
      const publisher = await open();
      const bodies = Array.from({ length: 20 }, (_, i) => JSON.stringify({ i }));
      await Promise.all(bodies.map((b) => publisher.publish(exchange, 'work', b)));
      await publisher.close();
      const consumer = await open();
      const inbox = new Recorder();
      await consumer.consume(exchange, 'work', inbox.handler);
      await until(() => inbox.count >= 20, '20 messages');
      expect([...inbox.bodies].sort()).toEqual([...bodies].sort());
    });

    it('round-trips properties and headers', { timeout }, async () => {
      const exchange = exchangeFor('props');
      const t = await open();
      const inbox = new Recorder();
      await t.consume(exchange, 'work', inbox.handler);
      const headers: MessageHeaders = {
        text: 'héllo ✓',
        int: 42,
        float: 1.5,
        negative: -7,
        yes: true,
        no: false,
        nothing: null,
        list: ['a', 1, true],
        nested: { attempt: 2, tags: ['x'] },
      };
      await t.publish(exchange, 'work', '{"a":1}', {
        type: 'REQUEST',
        replyTo: 'engine-uuid-1',
        correlationId: 'corr-1',
        headers,
      });
      await t.publish(exchange, 'work', '{"a":2}');
      await until(() => inbox.count === 2, 'two messages');
      const first = inbox.deliveries.find((d) => d.body === '{"a":1}') as Delivery;
      const second = inbox.deliveries.find((d) => d.body === '{"a":2}') as Delivery;
      expect(first.exchange).toBe(exchange);
      expect(first.topic).toBe('work');
      expect(first.properties.type).toBe('REQUEST');
      expect(first.properties.replyTo).toBe('engine-uuid-1');
      expect(first.properties.correlationId).toBe('corr-1');
      expect(first.properties.headers).toEqual(headers);
      expect(first.redelivered).toBe(false);
      if (first.deliveryCount !== undefined) expect(first.deliveryCount).toBe(1);
      if (t.capabilities.deliveryCount) expect(first.deliveryCount).toBe(1);
      expect(second.properties.type).toBeUndefined();
      expect(second.properties.replyTo).toBeUndefined();
      expect(second.properties.correlationId).toBeUndefined();
      expect(second.properties.headers).toEqual({});
    });

    it('moves JSON bodies from empty to 1 MiB unchanged', { timeout }, async () => {
      const exchange = exchangeFor('bodies');
      const t = await open();
      const inbox = new Recorder();
      await t.consume(exchange, 'work', inbox.handler);
      const big = JSON.stringify({ data: 'x'.repeat(MiB - 11) });
      expect(big.length).toBe(MiB);
      const bodies = ['', '{}', '{"s":"h\\u00e9llo \\u0000 ✓ 😀","n":[1,2.5,-3],"t":true,"z":null}', big];
      for (const body of bodies) await t.publish(exchange, 'work', body);
      await until(() => inbox.count === bodies.length, `${bodies.length} bodies`);
      const received = [...inbox.bodies].sort();
      const sent = [...bodies].sort();
      expect(received.length).toBe(sent.length);
      received.forEach((b, i) => expect(b === sent[i], `body ${i} (length ${b.length}) differs`).toBe(true));
    });

    it('delivers each message to exactly one of several competing consumers', { timeout }, async () => {
      const exchange = exchangeFor('compete');
      const inboxes = [new Recorder(), new Recorder(), new Recorder()];
      for (const inbox of inboxes) {
        inbox.mode = async (d) => {
          await sleep(5);
          await d.ack();
        };
        const c = await open();
        await c.consume(exchange, 'work', inbox.handler, { prefetch: 1 });
      }
      const publisher = await open();
      const n = 60;
      for (let i = 0; i < n; i++) await publisher.publish(exchange, 'work', JSON.stringify({ i }));
      const total = () => inboxes.reduce((sum, r) => sum + r.count, 0);
      await until(() => total() >= n, `${n} deliveries`);
      await quiet();
      const all = inboxes.flatMap((r) => r.bodies);
      expect(all.length).toBe(n);
      expect(new Set(all).size).toBe(n);
      expect(inboxes.filter((r) => r.count > 0).length).toBeGreaterThanOrEqual(2);
    });

    it('keeps topics and exchanges apart', { timeout }, async () => {
      const ex1 = exchangeFor('apart1');
      const ex2 = exchangeFor('apart2');
      const t = await open();
      const a = new Recorder();
      const b = new Recorder();
      const c = new Recorder();
      await t.consume(ex1, 'a', a.handler);
      await t.consume(ex1, 'b', b.handler);
      await t.consume(ex2, 'a', c.handler);
      await t.publish(ex1, 'a', '"1a"');
      await t.publish(ex1, 'b', '"1b"');
      await t.publish(ex2, 'a', '"2a"');
      await until(() => a.count + b.count + c.count >= 3, 'three messages');
      await quiet();
      expect(a.bodies).toEqual(['"1a"']);
      expect(b.bodies).toEqual(['"1b"']);
      expect(c.bodies).toEqual(['"2a"']);
    });

    it('redelivers a message rejected with requeue', { timeout }, async () => {
      const exchange = exchangeFor('requeue');
      const t = await open();
      const inbox = new Recorder(async (d) => {
        if (inbox.count === 1) await d.reject({ requeue: true });
        else await d.ack();
      });
      await t.consume(exchange, 'work', inbox.handler);
      await t.publish(exchange, 'work', '{"again":true}');
      await until(() => inbox.count >= 2, 'the redelivery');
      await quiet();
      expect(inbox.bodies).toEqual(['{"again":true}', '{"again":true}']);
      const again = inbox.deliveries[1] as Delivery;
      expect(again.redelivered).toBe(true);
      if (again.deliveryCount !== undefined) expect(again.deliveryCount).toBeGreaterThanOrEqual(2);
    });

    it('drops a message rejected without requeue', { timeout }, async () => {
      const exchange = exchangeFor('drop');
      const t = await open();
      const inbox = new Recorder(async (d) => {
        if (d.body === '"drop-default"') await d.reject();
        else if (d.body === '"drop-explicit"') await d.reject({ requeue: false });
        else await d.ack();
      });
      await t.consume(exchange, 'work', inbox.handler);
      await t.publish(exchange, 'work', '"drop-default"');
      await t.publish(exchange, 'work', '"drop-explicit"');
      await t.publish(exchange, 'work', '"sentinel"');
      await until(() => inbox.bodies.includes('"sentinel"') && inbox.count >= 3, 'the sentinel');
      await quiet();
      expect([...inbox.bodies].sort()).toEqual(['"drop-default"', '"drop-explicit"', '"sentinel"']);
    });

    it('ignores a second settle of the same delivery', { timeout }, async () => {
      const exchange = exchangeFor('twice');
      const t = await open();
      const inbox = new Recorder(async (d) => {
        await d.ack();
        expect(d.settled).toBe(true);
        await d.ack();
        await d.reject({ requeue: true });
      });
      await t.consume(exchange, 'work', inbox.handler);
      await t.publish(exchange, 'work', '"once"');
      await t.publish(exchange, 'work', '"twice"');
      await until(() => inbox.count >= 2, 'two messages');
      await quiet();
      expect(inbox.count).toBe(2);
    });

    it('requeues the delivery of a handler that throws', { timeout }, async () => {
      const exchange = exchangeFor('throws');
      const t = await open();
      const inbox = new Recorder(async (d) => {
        if (inbox.count === 1) throw new Error('handler bug');
        await d.ack();
      });
      await t.consume(exchange, 'work', inbox.handler);
      await t.publish(exchange, 'work', '"boom"');
      await until(() => inbox.count >= 2, 'the redelivery');
      expect(inbox.deliveries[1]?.redelivered).toBe(true);
    });

    it('redelivers to another consumer what a cancelled consumer held', { timeout }, async () => {
      const exchange = exchangeFor('cancel');
      const a = await open();
      const b = await open();
      const held = new Recorder('hold');
      const consumerA = await a.consume(exchange, 'work', held.handler);
      await a.publish(exchange, 'work', '"held"');
      await until(() => held.count === 1, 'A to hold the message');
      const other = new Recorder();
      await b.consume(exchange, 'work', other.handler);
      await consumerA.cancel();
      expect(consumerA.active).toBe(false);
      await until(() => other.count === 1, 'B to get the message back');
      expect(other.bodies).toEqual(['"held"']);
      expect(other.deliveries[0]?.redelivered).toBe(true);
      await held.deliveries[0]?.ack(); // too late: harmless
      await quiet();
      expect(held.count).toBe(1);
      expect(other.count).toBe(1);
    });

    it('redelivers to another consumer what a closed transport held unsettled', { timeout }, async () => {
      const exchange = exchangeFor('closed');
      const a = await open();
      const b = await open();
      const held = new Recorder('hold');
      await a.consume(exchange, 'work', held.handler, { prefetch: 2 });
      await b.publish(exchange, 'work', '"h1"');
      await b.publish(exchange, 'work', '"h2"');
      await until(() => held.count === 2, 'A to hold two messages');
      await a.close();
      const other = new Recorder();
      await b.consume(exchange, 'work', other.handler);
      await until(() => other.count === 2, 'B to get both back');
      expect([...other.bodies].sort()).toEqual(['"h1"', '"h2"']);
      expect(other.deliveries.every((d) => d.redelivered)).toBe(true);
    });

    onlyIf(options.crash)('redelivers to another consumer what a crashed consumer held', { timeout }, async () => {
      const exchange = exchangeFor('crash');
      const a = await open();
      const b = await open();
      const held = new Recorder('hold');
      await a.consume(exchange, 'work', held.handler);
      await b.publish(exchange, 'work', '"orphan"');
      await until(() => held.count === 1, 'A to hold the message');
      const other = new Recorder();
      await b.consume(exchange, 'work', other.handler);
      await options.crash?.(a);
      await until(() => other.count === 1, 'B to get the orphan');
      expect(other.bodies).toEqual(['"orphan"']);
      expect(other.deliveries[0]?.redelivered).toBe(true);
    });

    it('autoAck: deliveries arrive settled, regardless of prefetch; a reject, a throw or a cancel brings nothing back', { timeout }, async () => {
      const exchange = exchangeFor('autoack');
      const t = await open();
      await expect(t.consume(exchange, 'replies', () => undefined, { autoAck: 'yes' as unknown as boolean })).rejects.toSatisfy((e) =>
        TfError.is(e, 'TF_INVALID_ARGUMENT'),
      );
      const settledOnArrival: boolean[] = [];
      const inbox = new Recorder(async (d) => {
        settledOnArrival.push(d.settled);
        if (d.body === '"reject"') await d.reject({ requeue: true });
        else if (d.body === '"throw"') throw new Error('handler bug');
        else if (d.body === '"ack"') await d.ack();
        // "hold": never settled by the handler
      });
      const consumer = await t.consume(exchange, 'replies', inbox.handler, { autoAck: true, prefetch: 1 });
      for (const body of ['"hold"', '"reject"', '"throw"', '"ack"', '"hold2"']) await t.publish(exchange, 'replies', body);
      await until(() => inbox.count === 5, 'all five, though prefetch is 1 and one is held');
      await quiet();
      expect([...inbox.bodies].sort()).toEqual(['"ack"', '"hold"', '"hold2"', '"reject"', '"throw"']);
      expect(settledOnArrival).toEqual([true, true, true, true, true]);
      expect(inbox.deliveries.every((d) => d.settled && !d.redelivered)).toBe(true);
      await consumer.cancel();
      // Nothing was held: another consumer of the topic gets only what is published next.
      const other = new Recorder();
      await t.consume(exchange, 'replies', other.handler);
      await t.publish(exchange, 'replies', '"next"');
      await until(() => other.count >= 1, 'the next message');
      await quiet();
      expect(other.bodies).toEqual(['"next"']);
      expect(inbox.count).toBe(5);
    });

    it('autoAck: a closed transport leaves nothing to redeliver; it competes with acking consumers', { timeout }, async () => {
      const exchange = exchangeFor('autoack-close');
      const a = await open();
      const b = await open();
      const auto = new Recorder('hold');
      await a.consume(exchange, 'replies', auto.handler, { autoAck: true });
      await b.publish(exchange, 'replies', '"r1"');
      await b.publish(exchange, 'replies', '"r2"');
      await until(() => auto.count === 2, 'the auto-acked consumer to get both');
      await a.close();
      const other = new Recorder();
      await b.consume(exchange, 'replies', other.handler);
      await b.publish(exchange, 'replies', '"r3"');
      await until(() => other.count >= 1, 'r3');
      await quiet();
      expect(other.bodies).toEqual(['"r3"']);
    });

    it('honours prefetch: never more unsettled deliveries than asked', { timeout }, async () => {
      const exchange = exchangeFor('prefetch');
      const t = await open();
      const inbox = new Recorder('hold');
      await t.consume(exchange, 'work', inbox.handler, { prefetch: 2 });
      for (let i = 0; i < 5; i++) await t.publish(exchange, 'work', JSON.stringify({ i }));
      await until(() => inbox.count === 2, 'two deliveries');
      await quiet();
      expect(inbox.count).toBe(2);
      await inbox.deliveries[0]?.ack(); // after the handler returned: still frees a slot
      await until(() => inbox.count === 3, 'a third delivery');
      await quiet();
      expect(inbox.count).toBe(3);
      expect(inbox.held.length).toBe(2);
      inbox.mode = 'ack';
      await Promise.all(inbox.held.map((d) => d.ack()));
      await until(() => inbox.count === 5, 'all five');
      const seen = inbox.bodies.map((b) => (JSON.parse(b) as { i: number }).i).sort();
      expect(seen).toEqual([0, 1, 2, 3, 4]);
    });

    it('closes gracefully: stops consuming, lets running handlers finish, then closes', { timeout }, async () => {
      const exchange = exchangeFor('graceful');
      const a = await open();
      let release: () => void = () => undefined;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      let finished = 0;
      const inbox = new Recorder(async (d) => {
        await gate;
        await d.ack();
        finished += 1;
      });
      await a.consume(exchange, 'work', inbox.handler, { prefetch: 1 });
      for (const body of ['"m1"', '"m2"', '"m3"']) await a.publish(exchange, 'work', body);
      await until(() => inbox.count === 1, 'the first delivery');
      let closed = false;
      const closing = a.close().then(() => {
        closed = true;
      });
      await quiet();
      expect(closed).toBe(false);
      release();
      await closing;
      expect(finished).toBe(1);
      expect(inbox.count).toBe(1);
      const b = await open();
      const rest = new Recorder();
      await b.consume(exchange, 'work', rest.handler);
      await until(() => rest.count >= 2, 'the two messages left');
      await quiet();
      const first = inbox.bodies[0];
      expect(rest.count).toBe(2);
      expect(rest.bodies).not.toContain(first);
    });

    it('moves many messages between concurrent publishers and consumers, losing none', { timeout }, async () => {
      const exchange = exchangeFor('many');
      const perPublisher = 100;
      const publishers = await Promise.all([open(), open(), open()]);
      const inboxes = [new Recorder(), new Recorder(), new Recorder()];
      for (const inbox of inboxes) {
        inbox.mode = async (d) => {
          await sleep(Math.random() * 3);
          await d.ack();
        };
        const c = await open();
        await c.consume(exchange, 'work', inbox.handler, { prefetch: 10 });
      }
      const expected: string[] = [];
      await Promise.all(
        publishers.map((p, pi) => {
          const bodies = Array.from({ length: perPublisher }, (_, i) => JSON.stringify({ pi, i }));
          expected.push(...bodies);
          return Promise.all(bodies.map((b) => p.publish(exchange, 'work', b)));
        }),
      );
      const all = () => inboxes.flatMap((r) => r.deliveries);
      await until(() => new Set(all().map((d) => d.body)).size >= expected.length, `${expected.length} messages`);
      await quiet();
      const firstTime = all().filter((d) => !d.redelivered).map((d) => d.body);
      expect(new Set(all().map((d) => d.body))).toEqual(new Set(expected));
      // Duplicates only as redeliveries.
      expect(firstTime.length).toBe(new Set(firstTime).size);
    });

    onlyIf(options.dropConnection)('reconnects after the connection drops and resumes its consumers', { timeout }, async () => {
      const exchange = exchangeFor('reconnect');
      const t = await open();
      const p = await open();
      const events: { name: TransportEventName; payload: TransportEventMap[TransportEventName] }[] = [];
      for (const name of ['connected', 'disconnected', 'reconnecting', 'error'] as const) {
        t.on(name, (payload) => events.push({ name, payload }));
      }
      const inbox = new Recorder('hold');
      await t.consume(exchange, 'work', inbox.handler);
      await p.publish(exchange, 'work', '"before"');
      await until(() => inbox.count === 1, 'the first message');
      const stale = inbox.deliveries[0] as Delivery;
      await options.dropConnection?.(t);
      // Published while the connection is down: waits for it, then goes through.
      const during = t.publish(exchange, 'work', '"during"');
      await until(() => events.some((e) => e.name === 'disconnected'), 'a disconnected event');
      await until(
        () => events.some((e) => e.name === 'connected' && (e.payload as TransportEventMap['connected']).reconnected),
        'a reconnected event',
      );
      const disconnected = events.find((e) => e.name === 'disconnected')?.payload as TransportEventMap['disconnected'];
      expect(disconnected.willReconnect).toBe(true);
      expect(t.state).toBe('connected');
      await during;
      await stale.ack(); // a delivery from the lost connection: harmless
      inbox.mode = 'ack';
      await Promise.all(inbox.held.filter((d) => d !== stale).map((d) => d.ack()));
      await p.publish(exchange, 'work', '"after"');
      await until(
        () => ['"before"', '"during"', '"after"'].every((b) => inbox.deliveries.some((d) => d.body === b && d.settled)),
        'the held message again and the ones published around the drop',
      );
      const again = inbox.deliveries.filter((d) => d.body === '"before"');
      expect(again.length).toBeGreaterThanOrEqual(2);
      expect(again[again.length - 1]?.redelivered).toBe(true);
      expect(events.some((e) => e.name === 'error')).toBe(false);
    });
  });
}
