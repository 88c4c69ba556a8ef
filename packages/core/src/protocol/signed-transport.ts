import {
  normaliseProperties,
  silentLogger,
  TRANSPORT_BRAND,
  type ConsumeOptions,
  type Delivery,
  type DeliveryHandler,
  type Logger,
  type MessageProperties,
  type Transport,
  type TransportCapabilities,
  type TransportConsumer,
  type TransportDetails,
  type TransportEventListener,
  type TransportEventName,
  type TransportRetryOptions,
  type TransportState,
} from '@tf/transport';
import { SigningConfigError, signingKeys, type SigningKeys, type SigningOptions } from './signing-keys';
import { SigningHeader, signMessage, verifyMessage, type SignatureRejection } from './signing';
import { SigningCounters } from './signing-stats';

export interface SignedTransportOptions {
  /** Where drops are reported (warn, at most one line per reason every `logIntervalMs`, never the body). */
  logger?: Logger | undefined;
  /** Counters to add to; pass the same ones to every transport of one engine or worker. */
  counters?: SigningCounters | undefined;
  /** Default 10 000. */
  logIntervalMs?: number | undefined;
  /** The clock (tests). */
  now?: (() => number) | undefined;
}

/** `delivery` as it was published: the same, but for the signature's headers. Settling it settles `delivery`. */
function unsigned(delivery: Delivery): Delivery {
  const headers = { ...delivery.properties.headers };
  delete headers[SigningHeader.SIGNATURE];
  delete headers[SigningHeader.KEY_ID];
  delete headers[SigningHeader.SIGNED_AT];
  return {
    exchange: delivery.exchange,
    topic: delivery.topic,
    body: delivery.body,
    properties: { ...delivery.properties, headers },
    redelivered: delivery.redelivered,
    deliveryCount: delivery.deliveryCount,
    get settled() {
      return delivery.settled;
    },
    ack: () => delivery.ack(),
    reject: (options) => delivery.reject(options),
  };
}

/** Logs a drop at warn, at most once per reason and interval, with how many were not logged since. */
class DropLog {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #last = new Map<SignatureRejection, { at: number; suppressed: number }>();

  constructor(logger: Logger, intervalMs: number) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
  }

  drop(reason: SignatureRejection, delivery: Delivery, now: number): void {
    const last = this.#last.get(reason);
    if (last && now - last.at < this.#intervalMs) {
      last.suppressed += 1;
      return;
    }
    const { type, headers } = delivery.properties;
    const keyId = headers[SigningHeader.KEY_ID];
    this.#logger.warn(
      {
        reason,
        exchange: delivery.exchange,
        topic: delivery.topic,
        type,
        ...(typeof keyId === 'string' ? { keyId: keyId.slice(0, 64) } : {}),
        suppressed: last?.suppressed ?? 0,
      },
      'dropping a message that is not correctly signed',
    );
    this.#last.set(reason, { at: now, suppressed: 0 });
  }
}

/**
 * A transport that signs what it publishes and drops what it receives unless correctly signed
 * (see docs/protocol.md, "Signing"); a handler gets a delivery as it was published, without
 * the signature's headers. Everything else is the wrapped transport's: its state, events and
 * lifecycle (`close()` closes it).
 */
export class SignedTransport implements Transport {
  readonly [TRANSPORT_BRAND] = true as const;
  readonly keys: SigningKeys;
  readonly counters: SigningCounters;
  readonly #inner: Transport;
  readonly #now: () => number;
  readonly #drops: DropLog;

  constructor(inner: Transport, keys: SigningOptions, options: SignedTransportOptions = {}) {
    // Both would write the same headers: the outer signature would be lost, and every message dropped.
    if (inner instanceof SignedTransport)
      throw new SigningConfigError('signingKey', 'the transport given already signs; give the key once.');
    this.#inner = inner;
    this.keys = signingKeys(keys);
    this.counters = options.counters ?? new SigningCounters();
    this.#now = options.now ?? Date.now;
    this.#drops = new DropLog(options.logger ?? silentLogger, options.logIntervalMs ?? 10_000);
  }

  /** The transport underneath. */
  get inner(): Transport {
    return this.#inner;
  }
  get name(): string {
    return this.#inner.name;
  }
  get capabilities(): TransportCapabilities {
    return this.#inner.capabilities;
  }
  get retryOptions(): TransportRetryOptions {
    return this.#inner.retryOptions;
  }
  get state(): TransportState {
    return this.#inner.state;
  }

  connect(): Promise<void> {
    return this.#inner.connect();
  }

  close(options?: { timeoutMs?: number }): Promise<void> {
    return this.#inner.close(options);
  }

  /** Signs, then publishes; arguments after `properties` are passed on as they are. */
  publish(...args: Parameters<Transport['publish']>): Promise<void> {
    const [exchange, topic, body, properties, ...rest] = args;
    let signed: MessageProperties;
    try {
      const normalised = normaliseProperties(properties);
      signed = { ...normalised, headers: signMessage(this.keys, { exchange, topic, properties: normalised }, body, this.#now()) };
    } catch (error) {
      return Promise.reject(error);
    }
    this.counters.signed += 1;
    return this.#inner.publish(exchange, topic, body, signed, ...rest);
  }

  consume(exchange: string, topic: string, handler: DeliveryHandler, options?: ConsumeOptions): Promise<TransportConsumer> {
    return this.#inner.consume(exchange, topic, (delivery) => this.#receive(delivery, handler), options);
  }

  #receive(delivery: Delivery, handler: DeliveryHandler): void | Promise<void> {
    const now = this.#now();
    const result = verifyMessage(this.keys, delivery, delivery.body, now);
    if (result.ok) {
      this.counters.verified += 1;
      return handler(unsigned(delivery));
    }
    this.counters.reject(result.reason);
    this.#drops.drop(result.reason, delivery, now);
    // Dropped for good: requeued, it would only come back as bad as it is.
    if (!delivery.settled) return delivery.reject({ requeue: false });
  }

  details(): TransportDetails {
    return this.#inner.details();
  }

  on<K extends TransportEventName>(event: K, listener: TransportEventListener<K>): () => void {
    return this.#inner.on(event, listener);
  }

  off<K extends TransportEventName>(event: K, listener: TransportEventListener<K>): void {
    this.#inner.off(event, listener);
  }
}

/** `transport`, signing what it publishes and verifying what it delivers with `keys`. */
export function signedTransport(transport: Transport, keys: SigningOptions, options?: SignedTransportOptions): SignedTransport {
  return new SignedTransport(transport, keys, options);
}
