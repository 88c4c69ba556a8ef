import { expect, it } from 'vitest';
import { Recorder } from '../helpers';
import type { ConformanceOptions } from '../options';
import { defineSuite } from './context';

/** `close()` is graceful: it stops consuming, waits for running handlers, and loses nothing unprocessed. */
export function closeSuite(options: ConformanceOptions): void {
  defineSuite(options, ({ timeout, open, exchangeFor, until, quiet }) => {
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
  });
}
