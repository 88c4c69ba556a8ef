import { TRANSPORT_BRAND, TfError, hasBrand } from '@tf/transport';
import type { TransportEventName } from '@tf/transport';
import { expect, it } from 'vitest';
import type { ConformanceOptions } from '../options';
import { defineSuite } from './context';

/**
 * A transport is branded, describes itself without its password, connects, rejects misuse with
 * typed errors, and closes.
 */
export function lifecycleSuite(options: ConformanceOptions): void {
  defineSuite(options, ({ timeout, create, exchangeFor }) => {
    it('is a branded transport with capabilities, retry options and details without password', { timeout }, async () => {
      const t = await create();
      expect(hasBrand(t, TRANSPORT_BRAND)).toBe(true);
      expect(typeof t.name).toBe('string');
      expect(t.name.length).toBeGreaterThan(0);
      for (const flag of ['crossProcess', 'persistent', 'reconnect', 'deliveryCount'] as const) {
        expect(typeof t.capabilities[flag]).toBe('boolean');
      }
      expect(['boolean', 'undefined']).toContain(typeof t.capabilities.autoAck);
      for (const key of ['intervalStartMs', 'intervalStepMs', 'intervalMaxMs'] as const) {
        expect(typeof t.retryOptions[key]).toBe('number');
      }
      expect(t.retryOptions.maxRetries === null || typeof t.retryOptions.maxRetries === 'number').toBe(true);
      const details = t.details();
      expect(details.name).toBe(t.name);
      expect(typeof details.driver).toBe('string');
      expect(details.driver.length).toBeGreaterThan(0);
      expect(typeof details.version).toBe('string');
      expect(details.version.length).toBeGreaterThan(0);
      if (details.uri !== undefined) {
        // user:password@ only with the password masked.
        expect(details.uri).not.toMatch(/\/\/[^/@:;\s]*:(?!\*+@)[^@/;\s]+@/);
      }
      if (options.password) expect(JSON.stringify(details)).not.toContain(options.password);
    });

    it('connects, emits connected, rejects misuse with typed errors, closes idempotently', { timeout }, async () => {
      const exchange = exchangeFor('lifecycle');
      const t = await create();
      await expect(t.publish(exchange, 'a', '{}')).rejects.toSatisfy((e) => TfError.is(e, 'TF_TRANSPORT_NOT_CONNECTED'));
      const events: TransportEventName[] = [];
      t.on('connected', () => events.push('connected'));
      t.on('disconnected', () => events.push('disconnected'));
      await t.connect();
      await t.connect();
      expect(t.state).toBe('connected');
      expect(events).toEqual(['connected']);
      await expect(t.publish(exchange, 'no/slash', '{}')).rejects.toSatisfy((e) => TfError.is(e, 'TF_INVALID_ARGUMENT'));
      await expect(t.publish('', 'a', '{}')).rejects.toSatisfy((e) => TfError.is(e, 'TF_INVALID_ARGUMENT'));
      await expect(t.consume(exchange, 'a', () => undefined, { prefetch: -1 })).rejects.toSatisfy((e) =>
        TfError.is(e, 'TF_INVALID_ARGUMENT'),
      );
      await t.close();
      await t.close();
      expect(t.state).toBe('closed');
      expect(events).toEqual(['connected', 'disconnected']);
      await expect(t.publish(exchange, 'a', '{}')).rejects.toSatisfy((e) => TfError.is(e, 'TF_TRANSPORT_NOT_CONNECTED'));
    });
  });
}
