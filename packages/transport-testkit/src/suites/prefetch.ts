import { expect, it } from 'vitest';
import { Recorder } from '../helpers';
import type { ConformanceOptions } from '../options';
import { defineSuite } from './context';

/** A consumer never holds more unsettled deliveries than its `prefetch`. */
export function prefetchSuite(options: ConformanceOptions): void {
  defineSuite(options, ({ timeout, open, exchangeFor, until, quiet }) => {
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
  });
}
