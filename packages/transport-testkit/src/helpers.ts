import type { Delivery, DeliveryHandler } from '@tf/transport';

/** Resolve after `ms`. In the suite only to let time pass before asserting that something did NOT happen. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface WaitForOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Poll this often (default 10 ms). */
  intervalMs?: number;
  /** Says what was awaited, in the timeout error. */
  message?: string;
}

/** Poll `condition` until it returns true (or a truthy value, returned); reject after `timeoutMs`. */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const { timeoutMs = 10_000, intervalMs = 10, message = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${message}${why}`);
    }
    await sleep(intervalMs);
  }
}

/** A unique exchange (or topic) name, so suites can run in parallel against one real broker. */
export function uniqueName(prefix = 'tfc'): string {
  const slug = prefix
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .slice(0, 60);
  return `${slug}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}

/** What a handler does with each delivery in a `Recorder`. */
export type RecorderMode = 'ack' | 'hold' | ((delivery: Delivery) => void | Promise<void>);

/** A handler that keeps every delivery it gets, acking it, holding it unsettled, or doing what it is told. */
export class Recorder {
  readonly deliveries: Delivery[] = [];
  mode: RecorderMode;

  constructor(mode: RecorderMode = 'ack') {
    this.mode = mode;
  }

  readonly handler: DeliveryHandler = async (delivery) => {
    this.deliveries.push(delivery);
    if (this.mode === 'ack') await delivery.ack();
    else if (typeof this.mode === 'function') await this.mode(delivery);
  };

  get bodies(): string[] {
    return this.deliveries.map((d) => d.body);
  }

  get count(): number {
    return this.deliveries.length;
  }

  /** Deliveries not yet settled. */
  get held(): Delivery[] {
    return this.deliveries.filter((d) => !d.settled);
  }
}
