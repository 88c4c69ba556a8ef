import { TfError } from '@tf/transport';
import { expect, it } from 'vitest';
import { Recorder } from '../helpers';
import type { ConformanceOptions } from '../options';
import { defineSuite } from './context';

/**
 * `publish(..., { createTopic: false })`, as a worker replies: delivered to a topic that exists,
 * dropped (publish still resolves) when it does not, and the topic is not created. For
 * transports with `capabilities.publishWithoutCreate`; run it from the transport's test file.
 */
export function replyPublishSuite(options: ConformanceOptions): void {
  const { topicExists } = options;
  defineSuite(options, ({ timeout, open, exchangeFor, until, quiet }) => {
    it('createTopic: false drops a message to a topic that does not exist, and does not create it', { timeout }, async () => {
      const fresh = exchangeFor('nocreate-fresh');
      const known = exchangeFor('nocreate-known');
      const t = await open();
      expect(t.capabilities.publishWithoutCreate).toBe(true);
      // The exchange exists (a topic of it is consumed), the topic does not; and an exchange nobody used.
      const other = new Recorder();
      await t.consume(known, 'other', other.handler);
      await t.publish(known, 'gone', '"lost1"', { replyTo: 'x' }, { createTopic: false });
      await t.publish(fresh, 'gone', '"lost2"', {}, { createTopic: false });
      if (topicExists) {
        expect(await topicExists(known, 'gone')).toBe(false);
        expect(await topicExists(fresh, 'gone')).toBe(false);
      }
      // Publishing goes on as before, on the same connection.
      await t.publish(known, 'other', '"still"');
      await until(() => other.count === 1, 'a message to a topic that exists');
      const late = new Recorder();
      await t.consume(known, 'gone', late.handler);
      const lateFresh = new Recorder();
      await t.consume(fresh, 'gone', lateFresh.handler);
      await quiet();
      expect(late.count).toBe(0);
      expect(lateFresh.count).toBe(0);
      // Now that the topics exist, the same publish arrives.
      await t.publish(known, 'gone', '"kept"', {}, { createTopic: false });
      await t.publish(fresh, 'gone', '"kept"', {}, { createTopic: false });
      await until(() => late.count === 1 && lateFresh.count === 1, 'messages to topics that exist now');
      expect(late.bodies).toEqual(['"kept"']);
      expect(other.bodies).toEqual(['"still"']);
    });

    it('createTopic: false delivers to a topic made by an earlier publish, before anyone consumes', { timeout }, async () => {
      const exchange = exchangeFor('nocreate-published');
      const t = await open();
      await t.publish(exchange, 'work', '"first"');
      await t.publish(exchange, 'work', '"second"', { correlationId: 'c1' }, { createTopic: false, ttlMs: 60_000 });
      const inbox = new Recorder();
      await t.consume(exchange, 'work', inbox.handler);
      await until(() => inbox.count === 2, 'both messages');
      expect([...inbox.bodies].sort()).toEqual(['"first"', '"second"']);
      expect(inbox.deliveries.find((d) => d.body === '"second"')?.properties.correlationId).toBe('c1');
    });

    it('dropped publishes do not disturb others in flight on the same connection', { timeout }, async () => {
      const exchange = exchangeFor('nocreate-mixed');
      const nowhere = exchangeFor('nocreate-nowhere');
      const t = await open();
      const p = await open();
      const inbox = new Recorder();
      await t.consume(exchange, 'work', inbox.handler);
      const bodies = Array.from({ length: 30 }, (_, i) => JSON.stringify({ i }));
      await Promise.all(
        bodies.flatMap((b, i) => [
          p.publish(exchange, 'work', b),
          p.publish(i % 2 === 0 ? nowhere : exchange, `gone${i % 3}`, b, {}, { createTopic: false }),
        ]),
      );
      await until(() => new Set(inbox.bodies).size === bodies.length, `${bodies.length} messages`);
      await quiet();
      expect(new Set(inbox.bodies)).toEqual(new Set(bodies));
      if (topicExists) {
        for (const topic of ['gone0', 'gone1', 'gone2']) {
          expect(await topicExists(exchange, topic)).toBe(false);
          expect(await topicExists(nowhere, topic)).toBe(false);
        }
      }
    });

    it('rejects bad publish options with TF_INVALID_ARGUMENT', { timeout }, async () => {
      const exchange = exchangeFor('nocreate-args');
      const t = await open();
      const invalid = (e: unknown) => TfError.is(e, 'TF_INVALID_ARGUMENT');
      await expect(t.publish(exchange, 'work', '{}', {}, { createTopic: 'no' as unknown as boolean })).rejects.toSatisfy(invalid);
      await expect(t.publish(exchange, 'work', '{}', {}, { ttlMs: -1 })).rejects.toSatisfy(invalid);
      await expect(t.publish(exchange, 'work', '{}', {}, { mandatory: true } as never)).rejects.toSatisfy(invalid);
    });
  });
}
