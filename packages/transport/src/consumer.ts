import type { Logger } from './logger';
import { BaseDelivery } from './delivery';
import type { RawDelivery } from './delivery';
import type { DeliveryHandler, TransportConsumer } from './types';
import { DEFAULT_MAX_MESSAGE_BYTES, oversizeBytes } from './limits';

/** What a subclass's consumer is: the exchange, topic and prefetch to consume with. */
export interface ConsumerSpec {
  readonly exchange: string;
  readonly topic: string;
  /** 0: no limit. */
  readonly prefetch: number;
  /**
   * `consume(..., { autoAck: true })`. When the transport's `capabilities.autoAck` is true it
   * consumes without acks (the broker drops each message as it sends it; the raw delivery's
   * `ack`/`reject` are never called); otherwise the base acks each delivery on arrival.
   */
  readonly autoAck: boolean;
  /**
   * `consume(..., { temporary: true })`: the topic is this consumer's alone. Remove it (with
   * what it holds) in `release()`; make it expire when the consumer vanishes without
   * releasing. Only for transports with `capabilities.temporaryTopics`.
   */
  readonly temporary: boolean;
}

/** A running subscription, as `doConsume` returns it. */
export interface Subscription {
  /** Stop new deliveries (AMQP `basic.cancel`). Deliveries in hand stay settleable. */
  stop(): void | Promise<void>;
  /** After the base has returned every unsettled delivery: free what is left (a channel...). */
  release?(): void | Promise<void>;
}

/** Wait for every promise to settle, or for `timeoutMs`, whichever comes first. */
function settleDeadline(promises: Iterable<Promise<unknown>>, timeoutMs: number | undefined): Promise<void> {
  const all = Promise.allSettled([...promises]).then(() => undefined);
  if (timeoutMs === undefined) return all;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  return Promise.race([all, deadline]).finally(() => clearTimeout(timer));
}

/**
 * The consumer `BaseTransport.consume` returns: wraps raw deliveries, runs the handler
 * (requeueing what it throws on), tracks unsettled deliveries and running handlers, and
 * cancels gracefully (stop, wait for handlers, requeue what is unsettled, release).
 */
export class BaseConsumer implements TransportConsumer {
  readonly spec: ConsumerSpec;
  readonly #handler: DeliveryHandler;
  readonly #logger: Logger;
  readonly #unsettled = new Set<BaseDelivery>();
  readonly #running = new Set<Promise<void>>();
  /** `spec.autoAck` and the transport does it natively: nothing to ack. */
  readonly #nativeAutoAck: boolean;
  readonly #forget = (d: BaseDelivery): void => {
    this.#unsettled.delete(d);
  };
  #active = true;
  #cancelling: Promise<void> | undefined;
  subscription: Subscription | undefined;
  readonly #onGone: (c: BaseConsumer) => void;
  readonly #maxMessageBytes: number;

  constructor(
    spec: ConsumerSpec,
    handler: DeliveryHandler,
    logger: Logger,
    onGone: (c: BaseConsumer) => void,
    nativeAutoAck: boolean,
    maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES,
  ) {
    this.spec = spec;
    this.#maxMessageBytes = maxMessageBytes;
    this.#handler = handler;
    this.#logger = logger;
    this.#onGone = onGone;
    this.#nativeAutoAck = spec.autoAck && nativeAutoAck;
  }

  get exchange(): string {
    return this.spec.exchange;
  }
  get topic(): string {
    return this.spec.topic;
  }
  get active(): boolean {
    return this.#active;
  }

  /** Bound: what a subclass calls for each message. */
  readonly deliver = (raw: RawDelivery): void => {
    if (!this.#active) {
      // Arrived after stop(): give it straight back (an auto-acked one is gone already).
      if (this.#nativeAutoAck) return;
      Promise.resolve(raw.reject(true)).catch((err: unknown) => this.#logger.warn({ err }, 'requeue after cancel failed'));
      return;
    }
    if (this.#refuseOversize(raw)) return;
    if (this.spec.autoAck) {
      if (!this.#nativeAutoAck) {
        try {
          const acking = raw.ack();
          if (acking) acking.catch((err: unknown) => this.#logger.warn({ err, topic: this.spec.topic }, 'auto-ack failed'));
        } catch (err) {
          this.#logger.warn({ err, topic: this.spec.topic }, 'auto-ack failed');
        }
      }
      this.#run(new BaseDelivery(this.spec, raw, this.#forget, true));
      return;
    }
    const delivery = new BaseDelivery(this.spec, raw, this.#forget);
    this.#unsettled.add(delivery);
    this.#run(delivery);
  };

  /** A message over `maxMessageBytes` never reaches the handler: dropped (not requeued) and logged. */
  #refuseOversize(raw: RawDelivery): boolean {
    const size = oversizeBytes(raw.body, raw.properties, this.#maxMessageBytes);
    if (size === undefined) return false;
    const { topic, exchange } = this.spec;
    const limit = this.#maxMessageBytes;
    this.#logger.warn(
      { exchange, topic, size, limit },
      `dropping a message of ${size} bytes on topic '${topic}': over the limit of ${limit} bytes`,
    );
    if (this.#nativeAutoAck) return true;
    const settle = (): void | Promise<void> => (this.spec.autoAck ? raw.ack() : raw.reject(false));
    try {
      Promise.resolve(settle()).catch((err: unknown) => this.#logger.warn({ err, topic }, 'dropping an oversized message failed'));
    } catch (err) {
      this.#logger.warn({ err, topic }, 'dropping an oversized message failed');
    }
    return true;
  }

  /** Call the handler; track it only when it returns a promise (a synchronous handler costs no promise). */
  #run(delivery: BaseDelivery): void {
    let result: void | Promise<void>;
    try {
      result = this.#handler(delivery);
    } catch (err) {
      void this.#failed(delivery, err);
      return;
    }
    if (result === undefined || result === null || typeof (result as Promise<void>).then !== 'function') return;
    const run = Promise.resolve(result).then(undefined, (err: unknown) => this.#failed(delivery, err));
    this.#running.add(run);
    void run.then(() => this.#running.delete(run));
  }

  async #failed(delivery: BaseDelivery, err: unknown): Promise<void> {
    const requeue = !delivery.settled;
    this.#logger.warn(
      { err, exchange: this.spec.exchange, topic: this.spec.topic },
      `delivery handler threw${requeue ? '; requeueing' : ''}`,
    );
    if (!delivery.settled) await delivery.reject({ requeue: true }).catch(() => undefined);
  }

  /** The connection is gone: nothing in hand can be settled any more. */
  connectionLost(): void {
    for (const d of [...this.#unsettled]) d.markStale();
    this.subscription = undefined;
  }

  cancel(timeoutMs?: number): Promise<void> {
    this.#cancelling ??= this.#cancel(timeoutMs);
    return this.#cancelling;
  }

  async #cancel(timeoutMs: number | undefined): Promise<void> {
    this.#active = false;
    const sub = this.subscription;
    try {
      if (sub) await sub.stop();
      await settleDeadline(this.#running, timeoutMs);
      for (const d of [...this.#unsettled]) {
        await d.reject({ requeue: true }).catch((err: unknown) => this.#logger.warn({ err }, 'requeue on cancel failed'));
      }
      if (sub && this.subscription === sub) await sub.release?.();
    } finally {
      this.subscription = undefined;
      this.#onGone(this);
    }
  }

  /** Mark inactive without talking to the connection (it is gone for good). */
  abandon(): void {
    this.#active = false;
    this.connectionLost();
    this.#onGone(this);
  }
}
