import type { Delivery, RequestHeaders } from '@tf/core';

/**
 * What a worker does with a REQUEST before it runs anything:
 * - `run`: run it;
 * - `expired`: its engine has timed it out already (or is gone): settle it unrun;
 * - `recount`: put back on the topic with its delivery count in `x-tf-deliveries` (a broker
 *   that does not count deliveries redelivered it), then settle this copy;
 * - `dead`: delivered more than the limit: set aside in the dead letters, answered with a FAILURE.
 */
export type Admission =
  | { readonly verdict: 'run' }
  | { readonly verdict: 'expired'; readonly lateMs: number }
  | { readonly verdict: 'recount'; readonly deliveries: number }
  | { readonly verdict: 'dead'; readonly deliveries: number };

/**
 * How late past its `x-tf-expires-at` (the engine's clock) a request is still run: the clocks
 * of engine and worker hosts may differ this much without dropping good requests.
 */
export const EXPIRY_TOLERANCE_MS = 30_000;

/**
 * Judges a request by its headers and delivery. Deliveries are the broker's count when it
 * keeps one (Redis, files, memory, RabbitMQ quorum queues); on a broker that only flags a
 * redelivery (RabbitMQ classic queues) the worker carries the count in a header, so a request
 * that kills every worker taking it still runs at most `maxDeliveries` times.
 */
export function admit(delivery: Delivery, headers: RequestHeaders, maxDeliveries: number, now: number): Admission {
  if (headers.expiresAt !== undefined && now > headers.expiresAt + EXPIRY_TOLERANCE_MS) {
    return { verdict: 'expired', lateMs: now - headers.expiresAt };
  }
  const native = delivery.deliveryCount;
  if (native !== undefined) return native > maxDeliveries ? { verdict: 'dead', deliveries: native } : { verdict: 'run' };
  const counted = headers.deliveries ?? 1;
  if (!delivery.redelivered) return counted > maxDeliveries ? { verdict: 'dead', deliveries: counted } : { verdict: 'run' };
  const deliveries = counted + 1;
  return deliveries > maxDeliveries ? { verdict: 'dead', deliveries } : { verdict: 'recount', deliveries };
}
