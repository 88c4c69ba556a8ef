import type { Delivery, MessageHeaders } from '@tf/transport';
import { expect, it } from 'vitest';
import { Recorder, sleep } from '../helpers';
import type { ConformanceOptions } from '../options';
import { defineSuite } from './context';

const MiB = 1024 * 1024;

/**
 * What `publish` has taken arrives, even if published before anyone consumes: body, properties
 * and headers unchanged, on its own exchange and topic only, none lost under concurrency.
 */
export function deliverySuite(options: ConformanceOptions): void {
  defineSuite(options, ({ timeout, open, exchangeFor, until, quiet }) => {
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
      for (const [i, b] of received.entries()) expect(b === sent[i], `body ${i} (length ${b.length}) differs`).toBe(true);
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
      const firstTime = all()
        .filter((d) => !d.redelivered)
        .map((d) => d.body);
      expect(new Set(all().map((d) => d.body))).toEqual(new Set(expected));
      // Duplicates only as redeliveries.
      expect(firstTime.length).toBe(new Set(firstTime).size);
    });
  });
}
