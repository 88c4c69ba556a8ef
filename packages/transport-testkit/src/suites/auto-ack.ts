import { TfError } from '@tf/transport';
import { expect, it } from 'vitest';
import { Recorder } from '../helpers';
import type { ConformanceOptions } from '../options';
import { defineSuite } from './context';

/**
 * `consume(..., { autoAck: true })`: deliveries arrive settled and nothing the consumer got ever
 * comes back.
 */
export function autoAckSuite(options: ConformanceOptions): void {
  defineSuite(options, ({ timeout, open, exchangeFor, until, quiet }) => {
    it('autoAck: deliveries arrive settled, regardless of prefetch; a reject, a throw or a cancel brings nothing back', {
      timeout,
    }, async () => {
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
  });
}
