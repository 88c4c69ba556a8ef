import { TRANSPORT_BRAND, hasBrand } from './brand';
import { InvalidArgumentError, TfError } from './tf-error';
import type { Logger } from './logger';
import { silentLogger } from './logger';
import { TypedEmitter } from './emitter';
import { ConnectFailureReason, ConnectionFailedError, TransportError, TransportErrorCode } from './errors';
import { assertDestinationName, parseRetryOptions, retryDelayMs } from './options';
import { redactUri } from './redact';
import { booleanFlag, nonNegativeInteger } from './validate';
import { BaseConsumer } from './consumer';
import { MessageTooLargeError, oversizeBytes, resolveMaxMessageBytes } from './limits';
import type { CommonTransportOptions } from './limits';
import type { ConsumerSpec, Subscription } from './consumer';
import type { RawDelivery } from './delivery';
import { normaliseProperties } from './properties';
import type { WireProperties } from './properties';
import { publishSpec } from './topics';
import type { PublishSpec } from './topics';
import type {
  ConsumeOptions,
  DeliveryHandler,
  MessageProperties,
  PublishOptions,
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

/** An error's message on one line, for a log line that must not carry a stack. */
function messageOf(err: unknown): string {
  let text: string;
  if (!(err instanceof Error)) text = String(err);
  else if (err.message !== '') text = err.message;
  // Node's connect to a name with several addresses fails with an AggregateError and no message.
  else if (err instanceof AggregateError && err.errors.length > 0) text = err.errors.map(messageOf).join('; ');
  else text = (err as { code?: unknown }).code !== undefined ? String((err as { code?: unknown }).code) : err.name;
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The `reason` of a `ConnectionFailedError` (from any copy of `@tf/transport`); `other` for anything else. */
function reasonOf(err: unknown): ConnectFailureReason {
  const reason = TfError.is(err, TransportErrorCode.ConnectionFailed) ? (err as { reason?: unknown }).reason : undefined;
  return Object.values(ConnectFailureReason).includes(reason as ConnectFailureReason)
    ? (reason as ConnectFailureReason)
    : ConnectFailureReason.Other;
}

/** True for any transport object, from any copy of `@tf/transport` (checked by brand). */
export function isTransport(value: unknown): value is Transport {
  return hasBrand(value, TRANSPORT_BRAND);
}

export interface BaseTransportOptions extends CommonTransportOptions {
  url?: string | undefined;
  retryOptions?: TransportRetryOptions | TransportRetryOptionsInput | undefined;
  logger?: Logger | undefined;
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
  /** Largest message published or handed to a handler (body plus properties, bytes). */
  readonly maxMessageBytes: number;
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
    this.maxMessageBytes = resolveMaxMessageBytes(options.maxMessageBytes);
    this.#events = new TypedEmitter<TransportEventMap>(this.logger);
  }

  /** Open the underlying connection. Throw to fail (the base retries when `capabilities.reconnect`). */
  protected abstract doConnect(): Promise<void>;
  /** Close the underlying connection; consumers are already cancelled. Must tolerate a dead connection. */
  protected abstract doClose(): Promise<void>;
  /**
   * Hand the message over; resolve once the transport has taken it. With `spec.createTopic`
   * false, drop it (and resolve) when the topic does not exist instead of creating it.
   */
  protected abstract doPublish(exchange: string, topic: string, body: string, properties: WireProperties, spec: PublishSpec): Promise<void>;
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

  /**
   * Connect (or reconnect and resume consumers), retrying under `retryOptions` when the
   * transport reconnects. Each failed attempt that will be retried logs one warn line (the
   * error's message, the attempt number, the delay before the next one); the error with its
   * stack goes to debug. The last failure is not logged here: it is thrown (and, when
   * reconnecting, emitted as `error`).
   */
  async #establish(resume: boolean, cause?: unknown): Promise<void> {
    let lastError: unknown = cause;
    let retry = 0;
    // Attempts made and failed so far: a lost connection is not one.
    let failed = 0;
    if (!resume) {
      try {
        await this.#attempt(false);
        return;
      } catch (err) {
        lastError = err;
        failed = 1;
        this.#attemptFailed(failed, err);
        if (TfError.is(err, 'TF_INVALID_ARGUMENT')) retry = Number.POSITIVE_INFINITY;
      }
    }
    while (this.capabilities.reconnect && retry < Number.POSITIVE_INFINITY) {
      retry += 1;
      const delayMs = retryDelayMs(retry, resume ? this.retryOptions : this.#connectPolicy());
      if (delayMs === undefined) break;
      if (failed > 0) this.#willRetry(failed, lastError, delayMs);
      this.emit('reconnecting', { attempt: retry, delayMs, ...(lastError instanceof Error ? { error: lastError } : {}) });
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
        failed += 1;
        this.#attemptFailed(failed, err);
      }
    }
    const wasResume = resume;
    this.#state = 'closed';
    for (const c of [...this.#consumers]) c.abandon();
    if (!wasResume && TfError.is(lastError, 'TF_INVALID_ARGUMENT')) throw lastError;
    const error = new ConnectionFailedError(
      reasonOf(lastError),
      `Transport '${this.name}' could not ${wasResume ? 're' : ''}connect to ${redactUri(this.url) ?? 'its broker'}` +
        `${failed > 1 ? ` after ${failed} attempts` : ''}: ${messageOf(lastError)}`,
      { cause: lastError },
    );
    if (wasResume) {
      this.emit('error', error);
      this.emit('disconnected', { error, willReconnect: false });
    }
    throw error;
  }

  /** The retry policy of the first connection: `maxConnectRetries`, when given, instead of `maxRetries`. */
  #connectPolicy(): TransportRetryOptions {
    const { maxConnectRetries } = this.retryOptions;
    return maxConnectRetries === undefined ? this.retryOptions : { ...this.retryOptions, maxRetries: maxConnectRetries };
  }

  /** A failed attempt, with its stack, for debugging; the warn line comes from `#willRetry`. */
  #attemptFailed(attempt: number, err: unknown): void {
    this.logger.debug({ err, attempt }, `transport ${this.name}: connection attempt ${attempt} failed`);
  }

  /** One warn line per failed attempt that is retried: no stack, no error object. */
  #willRetry(attempt: number, err: unknown, retryInMs: number): void {
    const error = messageOf(err);
    this.logger.warn(
      { attempt, retryInMs, error },
      `transport ${this.name}: connection attempt ${attempt} failed (${error}); retrying in ${retryInMs} ms`,
    );
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
    // One line at warn; the error with its stack at debug.
    const reason = error === undefined ? undefined : messageOf(error);
    this.logger.warn(
      { willReconnect, ...(reason === undefined ? {} : { error: reason }) },
      `transport ${this.name}: connection lost${reason === undefined ? '' : ` (${reason})`}${willReconnect ? '; reconnecting' : ''}`,
    );
    if (error !== undefined) this.logger.debug({ err: error }, `transport ${this.name}: connection lost`);
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
    throw new TransportError(TransportErrorCode.NotConnected, `Transport '${this.name}' is ${this.#state}; call connect() first.`);
  }

  publish(exchange: string, topic: string, body: string, properties?: MessageProperties, options?: PublishOptions): Promise<void> {
    let props: WireProperties;
    let spec: PublishSpec;
    try {
      assertDestinationName('exchange', exchange);
      assertDestinationName('topic', topic);
      if (typeof body !== 'string') throw new InvalidArgumentError(`A message body must be a string, got ${typeof body}.`);
      props = normaliseProperties(properties);
      spec = publishSpec(options);
      const size = oversizeBytes(body, props, this.maxMessageBytes);
      if (size !== undefined) throw new MessageTooLargeError(topic, size, this.maxMessageBytes);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.#state !== 'connected') return this.#publishWhenReady(exchange, topic, body, props, spec);
    // Connected: straight to the wire, no extra turns of the microtask queue.
    let publishing: Promise<void>;
    try {
      publishing = this.doPublish(exchange, topic, body, props, spec);
    } catch (err) {
      return this.#publishAgain(exchange, topic, body, props, spec, err);
    }
    return publishing.then(undefined, (err: unknown) => this.#publishAgain(exchange, topic, body, props, spec, err));
  }

  /** A publish failed: lost the connection mid-publish, publish again once reconnected (at least once). */
  #publishAgain(exchange: string, topic: string, body: string, props: WireProperties, spec: PublishSpec, err: unknown): Promise<void> {
    if (this.#state === 'reconnecting') return this.#publishWhenReady(exchange, topic, body, props, spec);
    return Promise.reject(err);
  }

  async #publishWhenReady(exchange: string, topic: string, body: string, props: WireProperties, spec: PublishSpec): Promise<void> {
    for (;;) {
      await this.#ready();
      try {
        await this.doPublish(exchange, topic, body, props, spec);
        return;
      } catch (err) {
        // Lost the connection mid-publish: publish again once reconnected (at least once).
        if (this.#state === 'reconnecting') continue;
        throw err;
      }
    }
  }

  async consume(exchange: string, topic: string, handler: DeliveryHandler, options: ConsumeOptions = {}): Promise<TransportConsumer> {
    assertDestinationName('exchange', exchange);
    assertDestinationName('topic', topic);
    if (typeof handler !== 'function') throw new InvalidArgumentError('consume() needs a handler function.');
    const prefetch = nonNegativeInteger('prefetch', options.prefetch ?? 0);
    const autoAck = booleanFlag('autoAck', options.autoAck ?? false);
    const temporary = booleanFlag('temporary', options.temporary ?? false);
    await this.#ready();
    const consumer = new BaseConsumer(
      { exchange, topic, prefetch, autoAck, temporary },
      handler,
      this.logger,
      (c) => this.#consumers.delete(c),
      this.capabilities.autoAck === true,
      this.maxMessageBytes,
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
    if (this.#state === 'connecting') {
      // Stop trying: the attempt in flight notices the state and closes what it opened, and a
      // wait between attempts ends now (with unlimited retries it would never end by itself).
      this.#state = 'closing';
      this.#wake?.();
      await this.#connecting?.catch(() => undefined);
    }
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
