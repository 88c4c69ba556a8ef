import { nonNegativeNumber } from '@tf/transport';
import type { BaseTransportOptions } from '@tf/transport';

/** `transportOptions` of the memory transport. */
export interface MemoryTransportOptions {
  /** Every message this transport publishes reaches its topic this much later (simulated network latency). */
  latencyMs?: number;
  /**
   * Accepted and ignored, so configurations written for TaskFlow (whose kombu memory
   * transport polls) work unchanged: deliveries here are pushed, never polled.
   */
  pollingInterval?: number;
  /** How long a temporary topic (`consume(..., { temporary: true })`) outlives a consumer that vanished without cancelling. Default 60 000 ms. */
  temporaryTopicExpiryMs?: number;
}

/** Every option name the transport accepts (camelCase). */
export const MEMORY_OPTION_NAMES = [
  'latencyMs',
  'pollingInterval',
  'temporaryTopicExpiryMs',
] as const satisfies readonly (keyof MemoryTransportOptions)[];

/** What the constructor takes: the base options and the transport's. */
export type MemoryTransportInit = BaseTransportOptions & MemoryTransportOptions;

/** Check `latencyMs`: a number >= 0, default 0. */
export function resolveLatencyMs(latencyMs: unknown): number {
  return nonNegativeNumber('memory transport: latencyMs', latencyMs ?? 0);
}
