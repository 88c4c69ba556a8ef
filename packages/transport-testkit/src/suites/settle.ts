import type { Delivery } from '@tf/transport';
import { expect, it } from 'vitest';
import { Recorder } from '../helpers';
import type { ConformanceOptions } from '../options';
import { defineSuite } from './context';

/**
 * A delivery is settled once: `reject({ requeue: true })` redelivers it, `reject()` drops it, a
 * second settle is ignored, and a handler that throws has its delivery requeued.
 */
export function settleSuite(options: ConformanceOptions): void {
  defineSuite(options, ({ timeout, open, exchangeFor, until, quiet }) => {
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
      // Recorded in the handler, asserted after: the transport catches what a handler throws.
      const settledAfterAck: boolean[] = [];
      const secondSettleErrors: unknown[] = [];
      const inbox = new Recorder(async (d) => {
        await d.ack();
        settledAfterAck.push(d.settled);
        for (const again of [() => d.ack(), () => d.reject({ requeue: true }), () => d.reject()]) {
          await again().catch((error: unknown) => secondSettleErrors.push(error));
        }
      });
      await t.consume(exchange, 'work', inbox.handler);
      await t.publish(exchange, 'work', '"once"');
      await t.publish(exchange, 'work', '"twice"');
      await until(() => inbox.count >= 2 && settledAfterAck.length >= 2, 'two messages');
      await quiet();
      expect(settledAfterAck).toEqual([true, true]);
      expect(secondSettleErrors).toEqual([]);
      expect(inbox.count).toBe(2);
      expect([...inbox.bodies].sort()).toEqual(['"once"', '"twice"']);
      expect(inbox.deliveries.every((d) => d.settled && !d.redelivered)).toBe(true);
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
  });
}
