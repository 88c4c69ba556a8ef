import type { TRANSPORT_BRAND } from './brand';
import type { Logger } from './logger';
import type { CommonTransportOptions } from './limits';

/** A value a header may hold: JSON, so every transport can carry it (AMQP tables, Redis fields, files). */
export type HeaderValue = string | number | boolean | null | HeaderValue[] | { [key: string]: HeaderValue };

/** Free-form headers. Protocol extensions (attempt numbers, heartbeats, signatures) travel here, never in the body. */
export type MessageHeaders = Record<string, HeaderValue>;

/**
 * The properties a message carries beside its body: TaskFlow's AMQP properties
 * `type`, `reply_to`, `correlation_id` and `headers`, camelCased.
 */
export interface MessageProperties {
  /** `NOTIFY`, `REQUEST` or `RESPONSE` in TaskFlow's protocol; a transport moves it without looking. */
  type?: string;
  /** The topic (routing key) an answer goes to: the sender's own topic. */
  replyTo?: string;
  /** Ties a RESPONSE to its REQUEST. */
  correlationId?: string;
  /** Free-form headers, `{}` when none. */
  headers?: MessageHeaders;
}

/** A message handed to a consumer. Settle it exactly once with `ack()` or `reject()`; later calls are no-ops. */
export interface Delivery {
  readonly exchange: string;
  readonly topic: string;
  /** The body exactly as published (TaskFlow's JSON text; a transport never parses it). */
  readonly body: string;
  /** As published; `headers` is always an object (`{}` when none were sent). */
  readonly properties: Readonly<MessageProperties> & { readonly headers: MessageHeaders };
  /** True when this message was delivered before (to this or another consumer) and not acked. */
  readonly redelivered: boolean;
  /** How many times this message has been delivered, this time included, when the transport knows. */
  readonly deliveryCount: number | undefined;
  /** True once acked or rejected (or once its connection was lost: it will be redelivered). */
  readonly settled: boolean;
  /** Done with it: the message is removed for good. */
  ack(): Promise<void>;
  /**
   * Give it back. `requeue: true` puts it back on its topic for another delivery (to any
   * consumer); `requeue: false` (the default, as kombu's `reject()`) drops it.
   */
  reject(options?: { requeue?: boolean }): Promise<void>;
}

/**
 * Called once per delivery, concurrently up to the consumer's prefetch. It may settle the
 * delivery before or after it returns. A delivery still unsettled when its consumer is
 * cancelled or its transport closed goes back to the topic and is redelivered. A handler
 * that throws (or rejects) has its unsettled delivery requeued, and the error is logged.
 */
export type DeliveryHandler = (delivery: Delivery) => void | Promise<void>;

export interface ConsumeOptions {
  /**
   * The most unsettled deliveries this consumer holds at once (AMQP `basic.qos` prefetch
   * count). `0` or absent: no limit. A worker passes its concurrency. Ignored with `autoAck`.
   */
  prefetch?: number;
  /**
   * Every delivery is acked as it is handed over (AMQP `noAck`), at most once instead of at
   * least once: a delivery arrives `settled`, `ack()` and `reject()` do nothing, a handler
   * that throws does not get it back, and what was on its way to a consumer whose connection
   * (or process) dies is lost. For messages only useful while their consumer lives, like
   * the responses on an engine's own topic; never for work. It saves the acks' writes.
   * Transports with `capabilities.autoAck` do it natively (no ack is sent at all); for the
   * others the base acks each delivery before calling the handler. Default `false`.
   */
  autoAck?: boolean;
  /**
   * The topic belongs to this consumer alone (an engine's reply topic, a worker's control
   * topic). It is removed, with what it holds, when the consumer is cancelled or its
   * transport closed; when the consumer vanishes without cancelling (process killed,
   * connection lost and not regained) it expires after the transport option
   * `temporaryTopicExpiryMs` (default 60 000 ms). Pair it with `createTopic: false` on the
   * publishers' side, so that nothing re-creates it once it is gone. Transports with
   * `capabilities.temporaryTopics`. Default `false`.
   */
  temporary?: boolean;
}

/** How one message is published (`Transport.publish`'s last argument). */
export interface PublishOptions {
  /**
   * false: deliver only to a topic that exists now; never create it. A message to a topic that
   * does not exist is dropped and publish resolves normally (debug log). For replies: a reply to
   * an engine that is gone must not create a topic nobody will read. Default true.
   */
  readonly createTopic?: boolean;
  /** Dropped unread once it has waited this long (ms), where the broker has a per-message TTL (AMQP `expiration`); others may ignore it. */
  readonly ttlMs?: number;
}

/** One subscription to a topic, as returned by `Transport.consume`. */
export interface TransportConsumer {
  readonly exchange: string;
  readonly topic: string;
  /** False once cancelled (or its transport closed). */
  readonly active: boolean;
  /**
   * Stop gracefully: no new deliveries, wait for running handlers, then unsettled
   * deliveries go back to the topic. Idempotent.
   */
  cancel(): Promise<void>;
}

/** What differs between transports; callers check these instead of transport names. */
export interface TransportCapabilities {
  /** Consumers in other processes (or machines) receive what this process publishes. */
  readonly crossProcess: boolean;
  /** Messages survive a restart of the process holding them (a broker, a folder). */
  readonly persistent: boolean;
  /** A dropped connection is re-established under `retryOptions`, consumers resumed. */
  readonly reconnect: boolean;
  /** Deliveries carry `deliveryCount`. */
  readonly deliveryCount: boolean;
  /**
   * `consume(..., { autoAck: true })` is native: the broker drops each message as it hands it
   * over and nothing is sent back per message (AMQP `noAck`, Redis `XREADGROUP ... NOACK`).
   * Absent or false: `BaseTransport` acks each delivery on arrival instead (same contract, one
   * ack per message on the wire).
   */
  readonly autoAck?: boolean;
  /**
   * `publish(..., { createTopic: false })` never creates a topic: a message to a topic that
   * does not exist is dropped. Absent or false: the option may be ignored (the topic is
   * created as for any publish).
   */
  readonly publishWithoutCreate?: boolean;
  /**
   * `consume(..., { temporary: true })` removes the topic when the consumer is cancelled, and
   * lets it expire after `temporaryTopicExpiryMs` when the consumer vanished without cancelling.
   * Absent or false: the option is ignored (the topic stays, like any other).
   */
  readonly temporaryTopics?: boolean;
}

/** For logs and banners. Never holds a password. */
export interface TransportDetails {
  /** The transport's name: `memory`, `amqp`, a third party's. */
  readonly name: string;
  /** The driver underneath (e.g. `amqplib`, `ioredis`, `memory`). */
  readonly driver: string;
  /** The driver's (or the transport package's) version. */
  readonly version: string;
  /** The connection URI with any password replaced by `***`, when there is one. */
  readonly uri: string | undefined;
}

/**
 * Reconnect (and publish-retry) policy, kombu's `retry_policy` as TaskFlow passes it.
 * Attempt n waits `min(intervalStartMs + (n - 1) * intervalStepMs, intervalMaxMs)`;
 * after `maxRetries` failed attempts the transport gives up (`null`: never).
 */
export interface TransportRetryOptions {
  readonly intervalStartMs: number;
  readonly intervalStepMs: number;
  readonly intervalMaxMs: number;
  readonly maxRetries: number | null;
  /**
   * Retries of the first connection (`connect()`), when it should differ from reconnecting
   * after a loss: a worker keeps reconnecting for ever, but a broker unreachable at start is
   * more likely a wrong URL. Absent: `maxRetries`.
   */
  readonly maxConnectRetries?: number | null;
}

/**
 * Retry options as a user writes them. Milliseconds under `*Ms` names; kombu's names
 * (`interval_start`, `interval_step`, `interval_max`, `max_retries`, or camelCased
 * `intervalStart`...) keep kombu's seconds. `parseRetryOptions` turns this into
 * `TransportRetryOptions`.
 */
export interface TransportRetryOptionsInput {
  intervalStartMs?: number;
  intervalStepMs?: number;
  intervalMaxMs?: number;
  maxRetries?: number | null;
  /** Seconds. */
  intervalStart?: number;
  /** Seconds. */
  intervalStep?: number;
  /** Seconds. */
  intervalMax?: number;
  /** Seconds (kombu). */
  interval_start?: number;
  /** Seconds (kombu). */
  interval_step?: number;
  /** Seconds (kombu). */
  interval_max?: number;
  max_retries?: number | null;
  /** See `TransportRetryOptions.maxConnectRetries`. */
  maxConnectRetries?: number | null;
  max_connect_retries?: number | null;
}

/** `idle` -> `connecting` -> `connected` (<-> `reconnecting`) -> `closing` -> `closed` (-> `connecting` again). */
export type TransportState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closing' | 'closed';

/** Connection events and their payloads. */
export interface TransportEventMap {
  /** Connected; `reconnected` when this follows a lost connection (consumers are resumed). */
  connected: { reconnected: boolean };
  /** The connection is gone: lost (`willReconnect` says whether it will be retried) or closed. */
  disconnected: { error?: Error; willReconnect: boolean };
  /** Reconnect attempt `attempt` starts after `delayMs`. */
  reconnecting: { attempt: number; delayMs: number; error?: Error };
  /** Something went wrong outside any call the user made (e.g. reconnecting gave up). */
  error: Error;
}

export type TransportEventName = keyof TransportEventMap;
export type TransportEventListener<K extends TransportEventName> = (payload: TransportEventMap[K]) => void;

/**
 * The transport contract: how the engine and workers move TaskFlow's messages.
 *
 * - A named *exchange* holds *topics*. Each topic is a competing-consumer queue: a message
 *   published to it goes to exactly one live consumer of the topic, at least once. A message
 *   published before anyone consumes is kept until someone does.
 * - `publish` resolves only when the transport has taken the message (publisher confirm,
 *   file renamed into place, Redis reply...). After that, closing the publisher loses nothing.
 * - A consumer settles each delivery: `ack()`, or `reject({ requeue })`. A delivery held by a
 *   consumer that is cancelled, closed, or dies (lost connection, killed process) is delivered
 *   again to a live consumer, with `redelivered: true`.
 * - The body is a string (JSON text); the transport moves it and the properties untouched.
 * - Lifecycle: `connect()`, then `publish`/`consume`; `close()` is graceful (stop consuming,
 *   let running handlers finish, return unsettled deliveries, then disconnect). A closed
 *   transport may be connected again. While `reconnecting`, `publish` and `consume` wait for
 *   the connection (and reject if reconnecting gives up).
 * - Exchange and topic names: 1 to 200 of `A-Z a-z 0-9 _ . -`.
 * - Errors are `TfError`s with a `code` (see `TransportErrorCode`).
 * - A transport object carries `TRANSPORT_BRAND` (recognise it with `isTransport`, not
 *   `instanceof`). Extending `BaseTransport` gives all of the above but the wire work.
 *
 * `@tf/transport-testkit` is this contract in executable form.
 */
export interface Transport {
  readonly [TRANSPORT_BRAND]: true;
  /** The name it is selected by (`memory`, `amqp`...). */
  readonly name: string;
  readonly capabilities: TransportCapabilities;
  /** The reconnect policy in force. */
  readonly retryOptions: TransportRetryOptions;
  readonly state: TransportState;

  /** Open the connection. Resolves when connected; idempotent while connected. */
  connect(): Promise<void>;
  /**
   * Graceful close: stop every consumer, wait for running handlers (at most `timeoutMs` when
   * given), return unsettled deliveries to their topics, then disconnect. Idempotent.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
  /**
   * Publish `body` to `topic` of `exchange`; resolves once the transport has taken it (or,
   * with `createTopic: false`, dropped it because the topic does not exist).
   */
  publish(exchange: string, topic: string, body: string, properties?: MessageProperties, options?: PublishOptions): Promise<void>;
  /** Consume `topic` of `exchange`, competing with every other consumer of it. Resolves once consuming. */
  consume(exchange: string, topic: string, handler: DeliveryHandler, options?: ConsumeOptions): Promise<TransportConsumer>;
  /** Driver, version and URI without password. */
  details(): TransportDetails;
  /** Listen to a connection event; returns a function that stops listening. */
  on<K extends TransportEventName>(event: K, listener: TransportEventListener<K>): () => void;
  off<K extends TransportEventName>(event: K, listener: TransportEventListener<K>): void;
}

/** What `TransportFactory.create` receives: options already normalised (camelCase) and checked. */
export interface TransportCreateOptions<O extends object = Record<string, unknown>> {
  /** The connection URL, when one was given. */
  url: string | undefined;
  /**
   * `transportOptions`, keys camelCased: names from `factory.options`, and
   * `maxMessageBytes` (pass it on to `BaseTransport`'s constructor).
   */
  options: Partial<O> & CommonTransportOptions;
  retryOptions: TransportRetryOptions;
  logger: Logger;
}

/**
 * What a transport package exports as `transport` (or as its default export):
 *
 * ```ts
 * export const transport: TransportFactory<MyOptions> = {
 *   name: 'sqs', schemes: ['sqs'], options: ['region', 'queuePrefix'],
 *   create: ({ url, options, retryOptions, logger }) => new SqsTransport(...),
 * };
 * ```
 * The package is found by name: `@tf/transport-<name>`, then `tf-transport-<name>`.
 */
export interface TransportFactory<O extends object = Record<string, unknown>> {
  readonly name: string;
  /** URL schemes it serves, without `:` (e.g. `['amqp', 'amqps']`); used once it is registered. */
  readonly schemes?: readonly string[];
  /** Every option name `create` accepts, camelCase. Any other key is an error. */
  readonly options: readonly (keyof O & string)[];
  /** A new, unconnected transport. */
  create(options: TransportCreateOptions<O>): Transport | Promise<Transport>;
}
