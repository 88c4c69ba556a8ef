import type { Transport } from '@tf/transport';
import { expect, it } from 'vitest';
import { Recorder } from '../helpers';
import type { ConformanceOptions } from '../options';
import { type SuiteContext, defineSuite, onlyIf } from './context';

/**
 * `close()` is graceful: it stops consuming, waits for running handlers, and (where topics
 * outlive their consumers, `topicsOutliveConsumers`) loses nothing unprocessed.
 */
export function closeSuite(options: ConformanceOptions): void {
  defineSuite(options, (context) => {
    const { timeout, open, until, quiet } = context;

    it('closes gracefully: stops consuming, lets running handlers finish, then closes', { timeout }, async () => {
      const { exchange, inbox, b } = await closeWhileHandling(context, 'graceful');
      // Nothing acked comes back: a message published now is all a new consumer may get
      // besides what was never handled.
      const rest = new Recorder();
      await b.consume(exchange, 'work', rest.handler);
      await b.publish(exchange, 'work', '"after close"');
      await until(() => rest.bodies.includes('"after close"'), 'a message published after the close');
      await quiet();
      expect(rest.bodies).not.toContain(inbox.bodies[0]);
    });

    onlyIf(options.topicsOutliveConsumers !== false)(
      'loses nothing unprocessed on close: the next consumer gets what was not handled',
      { timeout },
      async () => {
        const { exchange, inbox, b } = await closeWhileHandling(context, 'unprocessed');
        const rest = new Recorder();
        await b.consume(exchange, 'work', rest.handler);
        await until(() => rest.count >= 2, 'the two messages left');
        await quiet();
        expect(rest.count).toBe(2);
        expect([...rest.bodies, ...inbox.bodies].sort()).toEqual(['"m1"', '"m2"', '"m3"']);
      },
    );

    /**
     * Three messages, a consumer (prefetch 1) whose handler is held on the first, then
     * `close()`: it must wait for that handler, which acks the first, and nothing more.
     * Returns a second transport, open.
     */
    async function closeWhileHandling(
      { exchangeFor }: SuiteContext,
      name: string,
    ): Promise<{ exchange: string; inbox: Recorder; b: Transport }> {
      const exchange = exchangeFor(name);
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
      return { exchange, inbox, b: await open() };
    }
  });
}
