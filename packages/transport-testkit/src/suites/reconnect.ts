import type { Delivery, TransportEventMap, TransportEventName } from '@tf/transport';
import { expect, it } from 'vitest';
import { Recorder } from '../helpers';
import type { ConformanceOptions } from '../options';
import { defineSuite } from './context';

/**
 * With `dropConnection`: the transport reconnects after a lost connection and resumes its
 * consumers; where topics outlive their consumers (`topicsOutliveConsumers`, the default), the
 * message held at the drop comes back. Without the hook, nothing is registered (not even a
 * skipped test).
 */
export function reconnectSuite(options: ConformanceOptions): void {
  const { dropConnection } = options;
  if (!dropConnection) return;
  // The dropped transport is the topic's only consumer: where the broker deletes a topic with
  // its last consumer, the held message is gone with it, and only the others are awaited.
  const heldComesBack = options.topicsOutliveConsumers !== false;
  defineSuite(options, ({ timeout, open, exchangeFor, until }) => {
    it('reconnects after the connection drops and resumes its consumers', { timeout }, async () => {
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
      await dropConnection(t);
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
      const awaited = heldComesBack ? ['"before"', '"during"', '"after"'] : ['"during"', '"after"'];
      await until(
        () => awaited.every((b) => inbox.deliveries.some((d) => d !== stale && d.body === b && d.settled)),
        heldComesBack ? 'the held message again and the ones published around the drop' : 'the ones published around the drop',
      );
      if (heldComesBack) {
        const again = inbox.deliveries.filter((d) => d.body === '"before"');
        expect(again.length).toBeGreaterThanOrEqual(2);
        expect(again[again.length - 1]?.redelivered).toBe(true);
      }
      expect(events.some((e) => e.name === 'error')).toBe(false);
    });
  });
}
