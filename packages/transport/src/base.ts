import { TRANSPORT_BRAND, hasBrand } from './brand';
import { InvalidArgumentError, TfError } from './tf-error';
import type { Logger } from './logger';
import { silentLogger } from './logger';
import { TypedEmitter } from './emitter';
import { TransportError, TransportErrorCode } from './errors';
import { assertDestinationName, normaliseOptionKeys, parseRetryOptions, redactUri, retryDelayMs } from './options';
import type {
  ConsumeOptions,
  Delivery,
  DeliveryHandler,
  MessageHeaders,
  MessageProperties,
  Transport,
  TransportCapabilities,
  TransportConsumer,
  TransportDetails,
  TransportEventListener,
  TransportEventMap,
  TransportEventName,
  TransportRetryOptions,
  TransportRetryOptionsInput,
  TransportState,
} from './types';

/** True for any transport object, from any copy of `@tf/transport` (checked by brand). */
export function isTransport(value: unknown): value is Transport {
  return hasBrand(value, TRANSPORT_BRAND);
}

/** Message properties as a `BaseTransport` subclass receives and returns them: headers always present. */
export type WireProperties = MessageProperties & { headers: MessageHeaders };

/** A delivery as a subclass hands it to `BaseTransport`; the base wraps it into a `Delivery`. */
export interface RawDelivery {
  body: string;
  properties: MessageProperties;
  redelivered: boolean;
  deliveryCount?: number | undefined;
  /** Remove the message for good. Called at most once, and never after `reject`. */
  ack(): void | Promise<void>;
  /** Return the message to its topic (`requeue`) or drop it. Called at most once, never after `ack`. */
  reject(requeue: boolean): void | Promise<void>;
}

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
}

/** A running subscription, as `doConsume` returns it. */
export interface Subscription {
  /** Stop new deliveries (AMQP `basic.cancel`). Deliveries in hand stay settleable. */
  stop(): void | Promise<void>;
  /** After the base has returned every unsettled delivery: free what is left (a channel...). */
  release?(): void | Promise<void>;
}

export interface BaseTransportOptions {
  url?: string | undefined;
  retryOptions?: TransportRetryOptions | TransportRetryOptionsInput | undefined;
  logger?: Logger | undefined;
}

function settleDeadline(promises: Iterable<Promise<unknown>>, timeoutMs: number | undefined): Promise<void> {
  const all = Promise.allSettled([...promises]).then(() => undefined);
  if (timeoutMs === undefined) return all;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  return Promise.race([all, deadline]).finally(() => clearTimeout(timer));
}

class BaseDelivery implements Delivery {
  readonly exchange: string;
  readonly topic: string;
  readonly body: string;
  readonly properties: Readonly<MessageProperties> & { readonly headers: MessageHeaders };
  readonly redelivered: boolean;
  readonly deliveryCount: number | undefined;
  #settled = false;
  readonly #raw: RawDelivery;
  readonly #onSettled: (d: BaseDelivery) => void;

  constructor(spec: ConsumerSpec, raw: RawDelivery, onSettled: (d: BaseDelivery) => void, settled = false) {
    this.exchange = spec.exchange;
    this.topic = spec.topic;
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

function copyProperties(p: MessageProperties): WireProperties {
  const out: WireProperties = { headers: { ...(p.headers ?? {}) } };
  if (p.type !== undefined) out.type = p.type;
  if (p.replyTo !== undefined) out.replyTo = p.replyTo;
  if (p.correlationId !== undefined) out.correlationId = p.correlationId;
  return out;
}

const PROPERTY_NAMES = ['type', 'replyTo', 'correlationId', 'headers'];

/**
 * The common case of `normaliseProperties` (every publish): camelCase names only, strings
 * and a plain headers object. `undefined` when anything else is there (the general path
 * then checks it and says what is wrong).
 */
function fastProperties(p: MessageProperties | undefined): WireProperties | undefined {
  if (p === undefined || p === null) return { headers: {} };
  if (typeof p !== 'object' || Array.isArray(p)) return undefined;
  const out: WireProperties = { headers: {} };
  for (const key of Object.keys(p)) {
    const value = (p as Record<string, unknown>)[key];
    if (value === undefined) continue;
    switch (key) {
      case 'type':
      case 'replyTo':
      case 'correlationId':
        if (typeof value !== 'string') return undefined;
        out[key] = value;
        break;
      case 'headers':
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
        out.headers = { ...(value as MessageHeaders) };
        break;
      default:
        return undefined;
    }
  }
  return out;
}

/** Check and copy publish properties (snake_case `reply_to`/`correlation_id` accepted). */
export function normaliseProperties(properties: MessageProperties | undefined): WireProperties {
  const fast = fastProperties(properties);
  if (fast !== undefined) return fast;
  const p = normaliseOptionKeys(properties);
  for (const [key, value] of Object.entries(p)) {
    if (!PROPERTY_NAMES.includes(key)) {
      throw new InvalidArgumentError(`Unknown message property '${key}'. Allowed: ${PROPERTY_NAMES.join(', ')}.`);
    }
    if (key === 'headers') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new InvalidArgumentError('Message property headers must be an object.');
      }
    } else if (typeof value !== 'string') {
      throw new InvalidArgumentError(`Message property '${key}' must be a string, got ${typeof value}.`);
    }
  }
  return copyProperties(p as MessageProperties);
}

class BaseConsumer implements TransportConsumer {
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

  constructor(spec: ConsumerSpec, handler: DeliveryHandler, logger: Logger, onGone: (c: BaseConsumer) => void, nativeAutoAck: boolean) {
    this.spec = spec;
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
    this.#logger.warn({ err, exchange: this.spec.exchange, topic: this.spec.topic }, `delivery handler threw${requeue ? '; requeueing' : ''}`);
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

/**
 * The shared half of every transport: brand, state machine, events, argument checks,
 * consumer bookkeeping (settle-once deliveries, graceful cancel/close that waits for
 * running handlers and returns unsettled deliveries), reconnecting under `retryOptions`,
 * and `details()` with the password redacted. A subclass does only the wire work:
 * `doConnect`, `doClose`, `doPublish`, `doConsume`, and calls `connectionLost(error)` when
 * its connection drops.
 */
export abstract class BaseTransport implements Transport {
  declare readonly [TRANSPORT_BRAND]: true;
  abstract readonly name: string;
  abstract readonly capabilities: TransportCapabilities;
  /** For `details()`: the driver underneath and its version. */
  protected abstract readonly driver: string;
  protected abstract readonly driverVersion: string;

  readonly retryOptions: TransportRetryOptions;
  protected readonly url: string | undefined;
  protected readonly logger: Logger;
  readonly #events: TypedEmitter<TransportEventMap>;
  readonly #consumers = new Set<BaseConsumer>();
  #state: TransportState = 'idle';
  #connecting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  protected constructor(options: BaseTransportOptions = {}) {
    this.url = options.url;
    this.logger = options.logger ?? silentLogger;
    this.retryOptions = parseRetryOptions(options.retryOptions);
    this.#events = new TypedEmitter<TransportEventMap>(this.logger);
  }

  /** Open the underlying connection. Throw to fail (the base retries when `capabilities.reconnect`). */
  protected abstract doConnect(): Promise<void>;
  /** Close the underlying connection; consumers are already cancelled. Must tolerate a dead connection. */
  protected abstract doClose(): Promise<void>;
  /** Hand the message over; resolve once the transport has taken it. */
  protected abstract doPublish(exchange: string, topic: string, body: string, properties: WireProperties): Promise<void>;
  /** Start consuming; call `deliver` for each message. Called again after a reconnect. */
  protected abstract doConsume(spec: ConsumerSpec, deliver: (raw: RawDelivery) => void): Promise<Subscription>;

  get state(): TransportState {
    return this.#state;
  }

  on<K extends TransportEventName>(event: K, listener: TransportEventListener<K>): () => void {
    return this.#events.on(event, listener);
  }

  off<K extends TransportEventName>(event: K, listener: TransportEventListener<K>): void {
    this.#events.off(event, listener);
  }

  protected emit<K extends TransportEventName>(event: K, payload: TransportEventMap[K]): void {
    if (!this.#events.emit(event, payload) && event === 'error') {
      this.logger.error({ err: payload }, `transport ${this.name}: error`);
    }
  }

  details(): TransportDetails {
    return { name: this.name, driver: this.driver, version: this.driverVersion, uri: redactUri(this.url) };
  }

  async connect(): Promise<void> {
    switch (this.#state) {
      case 'connected':
        return;
      case 'connecting':
      case 'reconnecting':
        return this.#ready();
      case 'closing':
        await this.#closing;
        break;
      default:
        break;
    }
    this.#state = 'connecting';
    this.#connecting = this.#establish(false);
    try {
      await this.#connecting;
    } finally {
      this.#connecting = undefined;
    }
  }

  /** Connect (or reconnect and resume consumers), retrying under `retryOptions` when the transport reconnects. */
  async #establish(resume: boolean, cause?: unknown): Promise<void> {
    let lastError: unknown = cause;
    let attempt = 0;
    if (!resume) {
      try {
        await this.#attempt(false);
        return;
      } catch (err) {
        lastError = err;
        if (TfError.is(err, 'TF_INVALID_ARGUMENT')) attempt = Number.POSITIVE_INFINITY;
      }
    }
    while (this.capabilities.reconnect && attempt < Number.POSITIVE_INFINITY) {
      attempt += 1;
      const delayMs = retryDelayMs(attempt, this.retryOptions);
      if (delayMs === undefined) break;
      this.emit('reconnecting', { attempt, delayMs, ...(lastError instanceof Error ? { error: lastError } : {}) });
      await this.#sleep(delayMs);
      if (this.#state !== 'connecting' && this.#state !== 'reconnecting') {
        throw new TransportError(TransportErrorCode.NotConnected, `Transport '${this.name}' was closed while connecting.`);
      }
      try {
        await this.#attempt(resume);
        return;
      } catch (err) {
        if (this.#state !== 'connecting' && this.#state !== 'reconnecting') throw err; // closed meanwhile
        lastError = err;
        this.logger.warn({ err, attempt }, `transport ${this.name}: connection attempt failed`);
      }
    }
    const wasResume = resume;
    this.#state = 'closed';
    for (const c of [...this.#consumers]) c.abandon();
    if (!wasResume && TfError.is(lastError, 'TF_INVALID_ARGUMENT')) throw lastError;
    const error = new TransportError(
      TransportErrorCode.ConnectionFailed,
      `Transport '${this.name}' could not ${wasResume ? 're' : ''}connect to ${redactUri(this.url) ?? 'its broker'}: ${
        lastError instanceof Error ? lastError.message : String(lastError)
      }`,
      { cause: lastError },
    );
    if (wasResume) {
      this.emit('error', error);
      this.emit('disconnected', { error, willReconnect: false });
    }
    throw error;
  }

  async #attempt(resume: boolean): Promise<void> {
    await this.doConnect();
    if (resume) {
      try {
        for (const c of this.#consumers) {
          if (c.active) c.subscription = await this.doConsume(c.spec, c.deliver);
        }
      } catch (err) {
        await this.doClose().catch(() => undefined);
        throw err;
      }
    }
    if (this.#state !== 'connecting' && this.#state !== 'reconnecting') {
      // close() ran while this attempt was in flight: do not come back to life.
      await this.doClose().catch(() => undefined);
      throw new TransportError(TransportErrorCode.NotConnected, `Transport '${this.name}' was closed while connecting.`);
    }
    this.#state = 'connected';
    this.emit('connected', { reconnected: resume });
  }

  #sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const wake = (): void => {
        clearTimeout(timer);
        done();
      };
      function done(): void {
        resolve();
      }
      this.#wake = wake;
    }).finally(() => {
      this.#wake = undefined;
    });
  }

  /**
   * Subclasses call this when the underlying connection drops. Deliveries in hand become
   * unsettleable (the broker redelivers them); when `capabilities.reconnect`, the base
   * reconnects under `retryOptions` and resumes every consumer, else the transport closes.
   */
  protected connectionLost(error?: Error): void {
    if (this.#state !== 'connected') return;
    for (const c of this.#consumers) c.connectionLost();
    const willReconnect = this.capabilities.reconnect;
    this.logger.warn({ err: error }, `transport ${this.name}: connection lost`);
    if (!willReconnect) {
      this.#state = 'closed';
      for (const c of [...this.#consumers]) c.abandon();
      this.emit('disconnected', { ...(error ? { error } : {}), willReconnect: false });
      return;
    }
    this.#state = 'reconnecting';
    this.emit('disconnected', { ...(error ? { error } : {}), willReconnect: true });
    this.#connecting = this.#establish(true, error);
    this.#connecting
      .catch(() => undefined)
      .finally(() => {
        this.#connecting = undefined;
      });
  }

  /** Resolve when connected (waiting out a (re)connect); reject when not connected. */
  async #ready(): Promise<void> {
    if (this.#state === 'connected') return;
    if ((this.#state === 'connecting' || this.#state === 'reconnecting') && this.#connecting) {
      await this.#connecting;
      if ((this.#state as TransportState) === 'connected') return;
    }
    throw new TransportError(
      TransportErrorCode.NotConnected,
      `Transport '${this.name}' is ${this.#state}; call connect() first.`,
    );
  }

  publish(exchange: string, topic: string, body: string, properties?: MessageProperties): Promise<void> {
    let props: WireProperties;
    try {
      assertDestinationName('exchange', exchange);
      assertDestinationName('topic', topic);
      if (typeof body !== 'string') throw new InvalidArgumentError(`A message body must be a string, got ${typeof body}.`);
      props = normaliseProperties(properties);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#state !== 'connected') return this.#publishWhenReady(exchange, topic, body, props);
    // Connected: straight to the wire, no extra turns of the microtask queue.
    let publishing: Promise<void>;
    try {
      publishing = this.doPublish(exchange, topic, body, props);
    } catch (err) {
      return this.#publishAgain(exchange, topic, body, props, err);
    }
    return publishing.then(undefined, (err: unknown) => this.#publishAgain(exchange, topic, body, props, err));
  }

  /** A publish failed: lost the connection mid-publish, publish again once reconnected (at least once). */
  #publishAgain(exchange: string, topic: string, body: string, props: WireProperties, err: unknown): Promise<void> {
    if (this.#state === 'reconnecting') return this.#publishWhenReady(exchange, topic, body, props);
    return Promise.reject(err);
  }

  async #publishWhenReady(exchange: string, topic: string, body: string, props: WireProperties): Promise<void> {
    for (;;) {
      await this.#ready();
      try {
        await this.doPublish(exchange, topic, body, props);
        return;
      } catch (err) {
        // Lost the connection mid-publish: publish again once reconnected (at least once).
        if (this.#state === 'reconnecting') continue;
        throw err;
      }
    }
  }

  async consume(
    exchange: string,
    topic: string,
    handler: DeliveryHandler,
    options: ConsumeOptions = {},
  ): Promise<TransportConsumer> {
    assertDestinationName('exchange', exchange);
    assertDestinationName('topic', topic);
    if (typeof handler !== 'function') throw new InvalidArgumentError('consume() needs a handler function.');
    const prefetch = options.prefetch ?? 0;
    if (!Number.isInteger(prefetch) || prefetch < 0) {
      throw new InvalidArgumentError(`prefetch must be a whole number >= 0, got ${String(options.prefetch)}.`);
    }
    const autoAck = options.autoAck ?? false;
    if (typeof autoAck !== 'boolean') throw new InvalidArgumentError(`autoAck must be a boolean, got ${typeof autoAck}.`);
    await this.#ready();
    const consumer = new BaseConsumer(
      { exchange, topic, prefetch, autoAck },
      handler,
      this.logger,
      (c) => this.#consumers.delete(c),
      this.capabilities.autoAck === true,
    );
    this.#consumers.add(consumer);
    try {
      consumer.subscription = await this.doConsume(consumer.spec, consumer.deliver);
    } catch (err) {
      consumer.abandon();
      throw err;
    }
    return consumer;
  }

  close(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#state === 'idle' || this.#state === 'closed') {
      this.#state = 'closed';
      return Promise.resolve();
    }
    this.#closing ??= this.#close(options.timeoutMs).finally(() => {
      this.#closing = undefined;
    });
    return this.#closing;
  }

  async #close(timeoutMs: number | undefined): Promise<void> {
    if (this.#state === 'connecting') await this.#connecting?.catch(() => undefined);
    const wasConnected = this.#state === 'connected';
    this.#state = 'closing';
    this.#wake?.();
    try {
      await Promise.all([...this.#consumers].map((c) => c.cancel(timeoutMs)));
      await this.doClose();
    } finally {
      this.#state = 'closed';
      if (wasConnected) this.emit('disconnected', { willReconnect: false });
    }
  }
}
Object.defineProperty(BaseTransport.prototype, TRANSPORT_BRAND, { value: true });
