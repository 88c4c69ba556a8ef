import { expect, it } from 'vitest';
import { Recorder, sleep } from '../helpers';
import type { ConformanceOptions } from '../options';
import { defineSuite, onlyIf } from './context';

/**
 * Each topic is a competing-consumer queue: one consumer gets each message, and what a
 * cancelled, closed or (with `crash`) crashed consumer held unsettled goes to another. The
 * closed-transport test needs `topicsOutliveConsumers` (the default).
 */
export function competingConsumersSuite(options: ConformanceOptions): void {
  defineSuite(options, ({ timeout, open, exchangeFor, until, quiet }) => {
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

    // The closed transport was the topic's last consumer: its messages wait for the next one
    // only where topics outlive their consumers.
    onlyIf(options.topicsOutliveConsumers !== false)(
      'redelivers to another consumer what a closed transport held unsettled',
      { timeout },
      async () => {
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
      },
    );

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
  });
}
