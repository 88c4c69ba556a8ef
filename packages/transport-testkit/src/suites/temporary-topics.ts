import type { Transport } from '@tf/transport';
import { expect, it } from 'vitest';
import { Recorder, waitFor } from '../helpers';
import type { ConformanceOptions } from '../options';
import { defineSuite, onlyIf } from './context';

/**
 * `consume(..., { temporary: true })`, as an engine consumes its reply topic: the topic and what
 * it holds go when the consumer is cancelled or its transport closed, and, after
 * `temporaryTopicExpiryMs`, when the consumer dies without either. Publishers use
 * `createTopic: false`, so nothing brings it back. For transports with
 * `capabilities.temporaryTopics`; run it from the transport's test file.
 */
export function temporaryTopicsSuite(options: ConformanceOptions): void {
  const { topicExists, crash, temporaryTopicExpiryMs } = options;
  defineSuite(options, ({ timeout, open, exchangeFor, until, quiet }) => {
    async function gone(exchange: string, topic: string): Promise<void> {
      if (topicExists) await until(async () => !(await topicExists(exchange, topic)), `${exchange}/${topic} to be removed`);
    }

    /** A fresh consumer of the topic, made after its removal, gets nothing of what was published before. */
    async function nothingLeft(t: Transport, exchange: string, topic: string): Promise<void> {
      const after = new Recorder();
      const c = await t.consume(exchange, topic, after.handler, { temporary: true });
      await quiet();
      expect(after.bodies).toEqual([]);
      await c.cancel();
    }

    for (const end of ['cancelled', 'closed'] as const) {
      it(`removes a temporary topic, with what it holds, when its consumer is ${end}`, { timeout }, async () => {
        const exchange = exchangeFor(`temporary-${end}`);
        const t = await open();
        const p = await open();
        expect(t.capabilities.temporaryTopics).toBe(true);
        const inbox = new Recorder('hold');
        const consumer = await t.consume(exchange, 'reply', inbox.handler, { temporary: true, prefetch: 1 });
        for (const body of ['"r1"', '"r2"', '"r3"']) await p.publish(exchange, 'reply', body, {}, { createTopic: false });
        await until(() => inbox.count === 1, 'the first reply');
        if (topicExists) expect(await topicExists(exchange, 'reply')).toBe(true);
        if (end === 'cancelled') await consumer.cancel();
        else await t.close();
        await gone(exchange, 'reply');
        // A late reply to the consumer that is gone: dropped, and the topic is not back.
        await p.publish(exchange, 'reply', '"late"', {}, { createTopic: false });
        if (topicExists) expect(await topicExists(exchange, 'reply')).toBe(false);
        await nothingLeft(p, exchange, 'reply');
      });
    }

    it('keeps other topics of the exchange when a temporary topic goes', { timeout }, async () => {
      const exchange = exchangeFor('temporary-neighbours');
      const t = await open();
      const work = new Recorder();
      const reply = new Recorder();
      const c = await t.consume(exchange, 'reply', reply.handler, { temporary: true });
      await t.publish(exchange, 'work', '"kept"');
      await c.cancel();
      await gone(exchange, 'reply');
      await t.consume(exchange, 'work', work.handler);
      await until(() => work.count === 1, 'the message of the other topic');
      expect(work.bodies).toEqual(['"kept"']);
    });

    onlyIf(crash && topicExists && temporaryTopicExpiryMs)(
      'a crashed consumer\u2019s temporary topic expires after temporaryTopicExpiryMs, and late replies do not bring it back',
      { timeout },
      async () => {
        if (!crash || !topicExists || !temporaryTopicExpiryMs) return;
        const exchange = exchangeFor('temporary-crash');
        const t = await open();
        const p = await open();
        const inbox = new Recorder('hold');
        await t.consume(exchange, 'reply', inbox.handler, { temporary: true });
        await p.publish(exchange, 'reply', '"r1"', {}, { createTopic: false });
        await until(() => inbox.count === 1, 'a reply');
        await crash(t);
        // Another consumer of the exchange (whatever sweeps for the transport) carries on.
        await p.consume(exchange, 'work', () => undefined);
        await waitFor(async () => !(await topicExists(exchange, 'reply')), {
          timeoutMs: temporaryTopicExpiryMs + (options.waitMs ?? 10_000),
          intervalMs: 50,
          message: 'the crashed consumer\u2019s temporary topic to expire',
        });
        await p.publish(exchange, 'reply', '"late"', {}, { createTopic: false });
        expect(await topicExists(exchange, 'reply')).toBe(false);
      },
    );
  });
}
