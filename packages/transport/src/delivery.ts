import { copyProperties } from './properties';
import type { Delivery, MessageHeaders, MessageProperties } from './types';

/** A delivery as a subclass hands it to `BaseTransport`; the base wraps it into a `Delivery`. */
export interface RawDelivery {
  body: string;
  /** Copied by the base: only the known properties reach the handler. */
  properties: MessageProperties;
  redelivered: boolean;
  deliveryCount?: number | undefined;
  /** Remove the message for good. Called at most once, and never after `reject`. */
  ack(): void | Promise<void>;
  /** Return the message to its topic (`requeue`) or drop it. Called at most once, never after `ack`. */
  reject(requeue: boolean): void | Promise<void>;
}

/** The `Delivery` a handler gets: settles at most once, however often `ack`/`reject` are called. */
export class BaseDelivery implements Delivery {
  // Delivery's fields, declared again as a class must (their docs are on the interface).
  readonly exchange: string;
  readonly topic: string;
  readonly body: string;
  readonly properties: Readonly<MessageProperties> & { readonly headers: MessageHeaders };
  readonly redelivered: boolean;
  readonly deliveryCount: number | undefined;
  #settled = false;
  readonly #raw: RawDelivery;
  readonly #onSettled: (d: BaseDelivery) => void;

  constructor(
    source: { readonly exchange: string; readonly topic: string },
    raw: RawDelivery,
    onSettled: (d: BaseDelivery) => void,
    settled = false,
  ) {
    this.exchange = source.exchange;
    this.topic = source.topic;
    this.body = raw.body;
    this.properties = Object.freeze(copyProperties(raw.properties));
    this.redelivered = raw.redelivered;
    this.deliveryCount = raw.deliveryCount;
    this.#raw = raw;
    this.#onSettled = onSettled;
    this.#settled = settled;
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Claim the right to settle; false when it was settled already. */
  #claim(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.#onSettled(this);
    return true;
  }

  async ack(): Promise<void> {
    if (this.#claim()) await this.#raw.ack();
  }

  async reject(options?: { requeue?: boolean }): Promise<void> {
    if (this.#claim()) await this.#raw.reject(options?.requeue === true);
  }

  /** Its connection is gone: the broker will redeliver it; settling it now does nothing. */
  markStale(): void {
    this.#claim();
  }
}
