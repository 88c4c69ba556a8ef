import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Socket } from 'node:net';
import * as amqplib from 'amqplib';
import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Message, Options } from 'amqplib';
import {
  BaseTransport,
  InvalidArgumentError,
  TransportError,
  TransportErrorCode,
  normaliseOptionKeys,
} from '@tf/transport';
import type {
  ConsumerSpec,
  Logger,
  RawDelivery,
  Subscription,
  TransportCapabilities,
  TransportFactory,
  TransportRetryOptions,
  TransportRetryOptionsInput,
  WireProperties,
} from '@tf/transport';
import { AmqpErrorCode, AmqpTransportError, channelError, replyCodeOf } from './errors';
import { fromAmqpHeaders } from './headers';
import { DEFAULT_AMQP_URL, parseAmqpUrls } from './url';
import type { AmqpEndpoint } from './url';
import { AMQPLIB_VERSION } from './version';

/** How exchanges or queues are declared. The defaults are Python TaskFlow's (kombu's): transient, auto-deleted. */
export interface AmqpDeclareOptions {
  /** Survives a broker restart. Default `false` (TaskFlow). */
  durable?: boolean;
  /** Deleted by the broker once its last consumer (queue) or binding (exchange) is gone. Default `true` (TaskFlow). */
  autoDelete?: boolean;
}

/** TLS settings for `amqps://` (or to upgrade an `amqp://` URL), given to Node's `tls.connect`. */
export interface AmqpTlsOptions {
  /** Trusted CA certificate(s), PEM. Default: Node's bundled roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate, PEM (mutual TLS). */
  cert?: string | Buffer;
  /** Client private key, PEM. */
  key?: string | Buffer;
  /** Pass phrase of `key`. */
  passphrase?: string;
  /** Check the broker's certificate (default `true`). */
  rejectUnauthorized?: boolean;
  /** Name to check the certificate against (SNI); default the URL's host name. */
  servername?: string;
}

/** The options `transportOptions` may hold (camelCase; snake_case keys are accepted too). */
export interface AmqpTransportOptions {
  /**
   * Flags of the `<exchange>_<topic>` queues. Default `{ durable: false, autoDelete: true }`, exactly
   * Python TaskFlow's: required to share queues with Python engines and workers (RabbitMQ refuses a
   * declaration whose flags differ from the existing queue's). An all-tf deployment may choose
   * `{ durable: true, autoDelete: false }` so that messages held by the last consumer of a queue
   * survive that consumer's death (see the README).
   */
  queueOptions?: AmqpDeclareOptions;
  /** Flags of the exchange. Default: those of `queueOptions` (so TaskFlow's when that is unset). */
  exchangeOptions?: AmqpDeclareOptions;
  /** TLS: `true` or socket options. An `amqps://` URL uses TLS anyway; `tls` on an `amqp://` URL upgrades it. */
  tls?: boolean | AmqpTlsOptions;
  /** AMQP heartbeat, ms (sent in whole seconds, rounded up). Default 30 000; `0` disables heartbeats. A URL's `?heartbeat=` (seconds) wins. */
  heartbeatMs?: number;
  /** How long opening a connection (TCP, TLS and AMQP handshake) may take, ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** The client-provided connection name the broker shows (management UI, `rabbitmqctl list_connections`). Default `tf <host> <pid> <random>`. */
  connectionName?: string;
}

/** What `new AmqpTransport(...)` takes: the transport options plus the connection settings every transport has. */
export interface AmqpTransportConfig extends AmqpTransportOptions {
  /** `amqp://user:password@host:port/vhost` or `amqps://...`; several separated by `;` are tried in turn. Default kombu's `amqp://guest:guest@localhost:5672//`. */
  url?: string | undefined;
  retryOptions?: TransportRetryOptions | TransportRetryOptionsInput | undefined;
  logger?: Logger | undefined;
}

/** The names `transportOptions` accepts (camelCase). */
export const AMQP_TRANSPORT_OPTIONS: readonly (keyof AmqpTransportOptions)[] = [
  'queueOptions',
  'exchangeOptions',
  'tls',
  'heartbeatMs',
  'connectTimeoutMs',
  'connectionName',
];

const TLS_KEYS = ['ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'servername'];

interface Flags {
  readonly durable: boolean;
  readonly autoDelete: boolean;
}

function readFlags(name: string, value: unknown, defaults: Flags): Flags {
  if (value === undefined || value === null) return defaults;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`AMQP transport option ${name} must be an object like { durable, autoDelete }.`);
  }
  const o = normaliseOptionKeys(value);
  const out = { ...defaults };
  for (const [key, v] of Object.entries(o)) {
    if (key !== 'durable' && key !== 'autoDelete') {
      throw new InvalidArgumentError(`AMQP transport option ${name} accepts durable and autoDelete, not '${key}'.`);
    }
    if (typeof v !== 'boolean') throw new InvalidArgumentError(`AMQP transport option ${name}.${key} must be a boolean.`);
    out[key] = v;
  }
  return out;
}

function readTls(value: unknown): AmqpTlsOptions | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError('AMQP transport option tls must be true or an object { ca, cert, key, passphrase, rejectUnauthorized, servername }.');
  }
  const o = normaliseOptionKeys(value);
  for (const key of Object.keys(o)) {
    if (!TLS_KEYS.includes(key)) {
      throw new InvalidArgumentError(`AMQP transport option tls does not accept '${key}'. Allowed: ${TLS_KEYS.join(', ')}.`);
    }
  }
  if (o['rejectUnauthorized'] !== undefined && typeof o['rejectUnauthorized'] !== 'boolean') {
    throw new InvalidArgumentError('AMQP transport option tls.rejectUnauthorized must be a boolean.');
  }
  return o as AmqpTlsOptions;
}

function readMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new InvalidArgumentError(`AMQP transport option ${name} must be a number of milliseconds >= 0, got ${String(value)}.`);
  }
  return value;
}

/** The queue of `topic` in `exchange`, as TaskFlow names it. */
export function queueName(exchange: string, topic: string): string {
  return `${exchange}_${topic}`;
}

/** AMQP properties of a published message: TaskFlow's (kombu's) exactly, plus what was given. */
function publishOptions(p: WireProperties): Options.Publish {
  const out: Options.Publish = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    deliveryMode: 2,
    headers: p.headers,
    mandatory: true,
  };
  if (p.type !== undefined) out.type = p.type;
  if (p.replyTo !== undefined) out.replyTo = p.replyTo;
  if (p.correlationId !== undefined) out.correlationId = p.correlationId;
  return out;
}

function deliveryOf(msg: ConsumeMessage): Pick<RawDelivery, 'body' | 'properties' | 'redelivered' | 'deliveryCount'> {
  const headers = fromAmqpHeaders(msg.properties.headers);
  const props: WireProperties = { headers };
  const { type, replyTo, correlationId } = msg.properties as { type?: unknown; replyTo?: unknown; correlationId?: unknown };
  if (typeof type === 'string') props.type = type;
  if (typeof replyTo === 'string') props.replyTo = replyTo;
  if (typeof correlationId === 'string') props.correlationId = correlationId;
  // Quorum queues count earlier deliveries in x-delivery-count; classic queues do not.
  const previous = headers['x-delivery-count'];
  return {
    body: msg.content.toString('utf8'),
    properties: props,
    redelivered: msg.fields.redelivered,
    deliveryCount: typeof previous === 'number' ? previous + 1 : undefined,
  };
}

/** The socket under an amqplib connection (amqplib keeps it as `connection.stream`). */
function socketOf(model: ChannelModel): Socket | undefined {
  const stream = (model.connection as unknown as { stream?: unknown }).stream;
  if (stream && typeof stream === 'object' && typeof (stream as Socket).destroy === 'function') return stream as Socket;
  return undefined;
}

const noop = (): void => undefined;

/** The longest an ack waits for a write to ride with. */
const ACK_DELAY_MS = 5;

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * amqplib queues every frame a channel sends and writes them to the socket from a
 * `setImmediate`, one `socket.write` (one syscall) per frame: a publish, an ack and a
 * publish in one tick are three writes. Cork the socket while amqplib's muxer empties its
 * queues, so what is ready goes out in one `writev`. Nothing waits longer than before.
 */
function corkWrites(model: ChannelModel, socket: Socket | undefined): void {
  const muxer = (model.connection as unknown as { muxer?: { _readIncoming?: () => void } }).muxer;
  const readIncoming = muxer?._readIncoming;
  if (!socket || !muxer || typeof readIncoming !== 'function') return;
  muxer._readIncoming = function corked(this: unknown): void {
    socket.cork();
    try {
      readIncoming.call(muxer);
    } finally {
      socket.uncork();
    }
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Declare `<exchange>` (direct) and `<exchange>_<topic>` bound with routing key `<topic>`. */
async function declareTopic(ch: Channel, exchange: string, topic: string, ex: Flags, q: Flags): Promise<string> {
  const queue = queueName(exchange, topic);
  await ch.assertExchange(exchange, 'direct', { durable: ex.durable, autoDelete: ex.autoDelete });
  await ch.assertQueue(queue, { durable: q.durable, autoDelete: q.autoDelete, exclusive: false });
  await ch.bindQueue(queue, exchange, topic);
  return queue;
}

interface PendingPublish {
  readonly exchange: string;
  readonly routingKey: string;
  readonly content: Buffer;
  returned: boolean;
}

/** The confirm channel for publishing, with its cache of declared topics. */
class Publisher {
  readonly channel: ConfirmChannel;
  closed = false;
  error: Error | undefined;
  readonly #declared = new Map<string, Promise<void>>();
  /** Keys of `#declared` whose declaration is done: a publish to them needs no await. */
  readonly #done = new Set<string>();
  /** Publishes waiting for their confirm, in publish order (a Set: removing one is O(1) with 10,000 in flight). */
  readonly #pending = new Set<PendingPublish>();

  constructor(channel: ConfirmChannel, onClose: (p: Publisher) => void) {
    this.channel = channel;
    channel.on('error', (err: Error) => {
      this.error = err;
    });
    channel.on('close', () => {
      this.closed = true;
      onClose(this);
    });
    // A mandatory message nobody could take comes back before its confirm (in publish order).
    channel.on('return', (msg: Message) => {
      for (const x of this.#pending) {
        if (!x.returned && x.exchange === msg.fields.exchange && x.routingKey === msg.fields.routingKey && x.content.equals(msg.content)) {
          x.returned = true;
          return;
        }
      }
    });
  }

  /** Declare the topic's exchange, queue and binding once per channel (concurrent callers share one declaration). */
  declare(exchange: string, topic: string, ex: Flags, q: Flags): Promise<void> {
    const key = `${exchange}\u0000${topic}`;
    let declared = this.#declared.get(key);
    if (!declared) {
      const promise = declareTopic(this.channel, exchange, topic, ex, q).then(() => {
        if (this.#declared.get(key) === promise) this.#done.add(key);
      });
      declared = promise;
      this.#declared.set(key, promise);
      promise.catch(() => {
        if (this.#declared.get(key) === promise) this.#declared.delete(key);
      });
    }
    return declared;
  }

  /** True once `declare(exchange, topic)` has completed on this channel (and was not forgotten). */
  declared(exchange: string, topic: string): boolean {
    return this.#done.has(`${exchange}\u0000${topic}`);
  }

  /** Forget a declaration (its queue vanished): the next publish declares it again. */
  forget(exchange: string, topic: string): void {
    const key = `${exchange}\u0000${topic}`;
    this.#declared.delete(key);
    this.#done.delete(key);
  }

  /** Publish and wait for the broker's confirm; resolves `true` when the message was returned unroutable. */
  publish(exchange: string, routingKey: string, content: Buffer, options: Options.Publish): Promise<boolean> {
    const pending: PendingPublish = { exchange, routingKey, content, returned: false };
    this.#pending.add(pending);
    return new Promise<boolean>((resolve, reject) => {
      try {
        this.channel.publish(exchange, routingKey, content, options, (err: unknown) => {
          this.#pending.delete(pending);
          if (err) reject(err instanceof Error ? err : new Error(`publish not confirmed: ${String(err)}`));
          else resolve(pending.returned);
        });
      } catch (err) {
        this.#pending.delete(pending);
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }
}

/** One AMQP connection and what hangs off it. A new one after every reconnect. */
interface Link {
  readonly id: number;
  readonly model: ChannelModel;
  readonly socket: Socket | undefined;
  readonly endpoint: AmqpEndpoint;
  /** The connection is gone (closed, lost or destroyed). */
  dead: boolean;
  /** We are closing it on purpose: its close is not a lost connection. */
  closing: boolean;
  lastError: Error | undefined;
  publisher: Promise<Publisher> | undefined;
  /** `publisher` once open (and until it closes): a publish needs no await for it. */
  openPublisher: Publisher | undefined;
  /** Consumers with acks waiting to ride with the next write: send them now. */
  readonly ackFlushers: Set<() => void>;
}

/**
 * The tf transport over RabbitMQ (AMQP 0-9-1) through amqplib, with Python TaskFlow's
 * topology: a direct exchange `<exchange>`, one queue `<exchange>_<topic>` per topic bound
 * with routing key `<topic>`, properties `type`/`reply_to`/`correlation_id`/`headers`,
 * JSON bodies with delivery mode 2.
 *
 * Publishing goes through a confirm channel (`publish` resolves once the broker confirmed;
 * the target queue is declared first, once per channel, so a message to a topic nobody
 * consumes yet is kept). Each consumer has its own channel with `prefetch` as `basic.qos`
 * and manual acks. A dropped connection is re-established under `retryOptions`, consumers
 * resumed and publishes in flight sent again (at least once).
 */
export class AmqpTransport extends BaseTransport {
  readonly name = 'amqp';
  protected readonly driver = 'amqplib';
  protected readonly driverVersion = AMQPLIB_VERSION;

  readonly #endpoints: AmqpEndpoint[];
  readonly #queueFlags: Flags;
  readonly #exchangeFlags: Flags;
  readonly #tls: AmqpTlsOptions | undefined;
  readonly #heartbeatMs: number;
  readonly #connectTimeoutMs: number;
  readonly #connectionName: string;
  #link: Link | undefined;
  #linkCount = 0;
  #nextEndpoint = 0;
  /** Set by `destroy()`: the lost connection is not re-established. */
  #destroyed = false;

  constructor(config: AmqpTransportConfig = {}) {
    const url = config.url ?? DEFAULT_AMQP_URL;
    super({ url, retryOptions: config.retryOptions, logger: config.logger });
    this.#endpoints = parseAmqpUrls(url);
    const taskflow: Flags = { durable: false, autoDelete: true };
    this.#queueFlags = readFlags('queueOptions', config.queueOptions, taskflow);
    this.#exchangeFlags = readFlags('exchangeOptions', config.exchangeOptions, this.#queueFlags);
    this.#tls = readTls(config.tls);
    this.#heartbeatMs = readMs('heartbeatMs', config.heartbeatMs, 30_000);
    this.#connectTimeoutMs = readMs('connectTimeoutMs', config.connectTimeoutMs, 10_000);
    if (config.connectionName !== undefined && typeof config.connectionName !== 'string') {
      throw new InvalidArgumentError('AMQP transport option connectionName must be a string.');
    }
    this.#connectionName = config.connectionName ?? `tf ${hostname()} ${process.pid} ${randomUUID().slice(0, 8)}`;
  }

  get capabilities(): TransportCapabilities {
    return {
      crossProcess: true,
      persistent: this.#queueFlags.durable && this.#exchangeFlags.durable,
      reconnect: !this.#destroyed,
      deliveryCount: false,
      autoAck: true,
    };
  }

  /** The client-provided connection name the broker shows for this transport's connection. */
  get connectionName(): string {
    return this.#connectionName;
  }

  /** The flags queues and the exchange are declared with. */
  get topology(): { readonly queue: Readonly<Required<AmqpDeclareOptions>>; readonly exchange: Readonly<Required<AmqpDeclareOptions>> } {
    return { queue: { ...this.#queueFlags }, exchange: { ...this.#exchangeFlags } };
  }

  /**
   * Drop the connection at once, as a killed process would: no `basic.cancel`, no acks, no
   * `connection.close`; the broker gives what the consumers held to other consumers. The
   * transport is then `closed` and does not reconnect (`connect()` opens it again). For
   * fault-injection tests, and for a process that must let go of everything immediately.
   */
  destroy(): void {
    const link = this.#link;
    this.#destroyed = true;
    if (!link || link.dead) return;
    // amqplib notices a socket that ends with an error (a bare destroy() emits neither 'end' nor 'error').
    if (link.socket) link.socket.destroy(new Error('AMQP connection destroyed'));
    else void link.model.close().catch(() => undefined);
  }

  protected async doConnect(): Promise<void> {
    this.#destroyed = false;
    if (this.#link && !this.#link.dead) await this.doClose();
    let lastError: unknown;
    const n = this.#endpoints.length;
    for (let i = 0; i < n; i++) {
      const index = (this.#nextEndpoint + i) % n;
      const endpoint = this.#endpoints[index] as AmqpEndpoint;
      try {
        const link = await this.#open(endpoint);
        this.#nextEndpoint = index;
        this.#link = link;
        return;
      } catch (err) {
        lastError = err;
        this.logger.warn({ err, url: endpoint.display }, 'amqp: connection attempt failed');
      }
    }
    this.#nextEndpoint = (this.#nextEndpoint + 1) % n;
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  async #open(endpoint: AmqpEndpoint): Promise<Link> {
    const tls = endpoint.protocol === 'amqps' || this.#tls !== undefined;
    const connect: Options.Connect = {
      protocol: tls ? 'amqps' : 'amqp',
      hostname: endpoint.hostname,
      username: endpoint.username,
      password: endpoint.password,
      vhost: endpoint.vhost,
      heartbeat: endpoint.heartbeatSeconds ?? Math.ceil(this.#heartbeatMs / 1000),
    };
    if (endpoint.port !== undefined) connect.port = endpoint.port;
    if (endpoint.frameMax !== undefined) connect.frameMax = endpoint.frameMax;
    const model = await amqplib.connect(connect, {
      ...(tls ? this.#tls : {}),
      noDelay: true,
      keepAlive: true,
      timeout: this.#connectTimeoutMs,
      clientProperties: { connection_name: this.#connectionName },
    });
    const socket = socketOf(model);
    corkWrites(model, socket);
    const link: Link = {
      id: ++this.#linkCount,
      model,
      socket,
      endpoint,
      dead: false,
      closing: false,
      lastError: undefined,
      publisher: undefined,
      openPublisher: undefined,
      ackFlushers: new Set(),
    };
    model.on('error', (err: Error) => {
      link.lastError = err;
      if (!link.closing) this.logger.warn({ err, url: endpoint.display }, 'amqp: connection error');
    });
    model.on('close', (err?: Error) => this.#linkClosed(link, err ?? link.lastError));
    model.on('blocked', (reason: string) => this.logger.warn({ reason }, 'amqp: the broker blocked publishing'));
    model.on('unblocked', () => this.logger.info({}, 'amqp: the broker unblocked publishing'));
    try {
      // Open the confirm channel now: the first publish does not pay for it.
      await this.#publisher(link);
    } catch (err) {
      link.closing = true;
      await model.close().catch(() => link.socket?.destroy(new Error('AMQP connection abandoned')));
      throw err;
    }
    this.logger.debug({ url: endpoint.display, link: link.id }, 'amqp: connected');
    return link;
  }

  #linkClosed(link: Link, error: Error | undefined): void {
    if (link.dead) return;
    link.dead = true;
    if (this.#link === link) this.#link = undefined;
    if (link.closing) return;
    this.connectionLost(error ?? new Error('AMQP connection closed'));
  }

  /** The live connection; a dead one found here is reported lost (so the base reconnects), then NotConnected. */
  #live(): Link {
    const link = this.#link;
    if (link && !link.dead) return link;
    if (this.state === 'connected') this.connectionLost(link?.lastError ?? new Error('AMQP connection lost'));
    throw new TransportError(TransportErrorCode.NotConnected, 'The AMQP connection is not open.');
  }

  /** Tear a connection down as lost (a channel died under it): the base reconnects and resumes. */
  #fail(link: Link, error: Error): void {
    if (link.dead || link.closing) return;
    link.lastError = error;
    this.logger.warn({ err: error }, 'amqp: a channel closed unexpectedly; reconnecting');
    if (link.socket) link.socket.destroy(error);
    else void link.model.close().catch(() => undefined);
  }

  #publisher(link: Link): Promise<Publisher> {
    if (!link.publisher) {
      const opening: Promise<Publisher> = link.model.createConfirmChannel().then((ch) => {
        const pub = new Publisher(ch, (closed) => {
          if (link.publisher === opening) link.publisher = undefined;
          if (link.openPublisher === closed) link.openPublisher = undefined;
        });
        if (link.publisher === opening && !pub.closed) link.openPublisher = pub;
        return pub;
      });
      link.publisher = opening;
      opening.catch(() => {
        if (link.publisher === opening) link.publisher = undefined;
      });
    }
    return link.publisher;
  }

  protected async doClose(): Promise<void> {
    const link = this.#link;
    this.#link = undefined;
    if (!link || link.dead) return;
    link.closing = true;
    try {
      await withTimeout(link.model.close(), 5_000);
    } catch (err) {
      this.logger.debug({ err }, 'amqp: close failed; destroying the socket');
      link.socket?.destroy(err instanceof Error ? err : new Error(String(err)));
    }
    link.dead = true;
  }

  protected async doPublish(exchange: string, topic: string, body: string, properties: WireProperties): Promise<void> {
    const content = Buffer.from(body, 'utf8');
    const options = publishOptions(properties);
    const attempts = 5;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const link = this.#live();
      // Acks waiting for a write go out with this one (amqplib writes both in one tick).
      if (link.ackFlushers.size > 0) for (const flush of [...link.ackFlushers]) flush();
      let pub: Publisher | undefined;
      try {
        pub = link.openPublisher ?? (await this.#publisher(link));
        if (!pub.declared(exchange, topic)) await pub.declare(exchange, topic, this.#exchangeFlags, this.#queueFlags);
        const returned = await pub.publish(exchange, topic, content, options);
        if (!returned) return;
        // Unroutable: the queue vanished since it was declared (auto-delete). Declare it again.
        pub.forget(exchange, topic);
        lastProblem = `no queue took it (returned unroutable)`;
      } catch (err) {
        await tick(); // let a connection close that caused this arrive first
        if (link.dead) {
          // The connection is gone: the base publishes again once reconnected.
          if (this.state === 'connected') this.connectionLost(link.lastError ?? (err as Error));
          throw err;
        }
        // Retried on a new channel: a closed channel (its own error carries no reply code: another
        // operation closed it), a nack (the broker could not take it this time), or 404 (the
        // exchange vanished, auto-deleted, though this channel had declared it). Refused for good:
        // a declaration's own 406 (other flags), 403...
        const code = replyCodeOf(err);
        if (code !== undefined && code !== 404) throw channelError(err, `Publishing to ${exchange}/${topic} failed`);
        const message = err instanceof Error ? err.message : String(err);
        const channelGone = pub === undefined || pub.closed || /channel closed/i.test(message);
        if (code === undefined && !channelGone && !/nack/i.test(message)) {
          throw new AmqpTransportError(AmqpErrorCode.PublishFailed, `Publishing to ${exchange}/${topic} failed: ${message}`, {
            cause: err,
          });
        }
        lastProblem = message;
      }
    }
    throw new AmqpTransportError(
      AmqpErrorCode.PublishFailed,
      `Publishing to ${exchange}/${topic} failed after ${attempts} attempts: ${lastProblem}.`,
    );
  }

  protected async doConsume(spec: ConsumerSpec, deliver: (raw: RawDelivery) => void): Promise<Subscription> {
    const link = this.#live();
    const { exchange, topic } = spec;
    let ch: Channel;
    try {
      ch = await link.model.createChannel();
    } catch (err) {
      await tick();
      if (link.dead && this.state === 'connected') this.connectionLost(link.lastError ?? (err as Error));
      throw err;
    }
    let established = false;
    let stopped = false;
    let released = false;
    let closeReason: Error | undefined;
    let consumerTag: string | undefined;
    ch.on('error', (err: Error) => {
      closeReason = err;
    });
    ch.on('close', () => {
      if (!established || released || link.dead) return;
      // The broker closed this consumer's channel while the connection lives: what it held is
      // redelivered; reconnect so the base resumes every consumer on fresh channels.
      setImmediate(() => {
        if (!released && !link.dead) this.#fail(link, closeReason ?? new Error(`AMQP channel of ${exchange}/${topic} closed`));
      });
    });

    const settle = (what: string, fn: () => void): void => {
      if (link.dead || released) return; // its connection or channel is gone: the broker redelivers it
      try {
        fn();
      } catch (err) {
        this.logger.debug({ err, exchange, topic }, `amqp: ${what} on a closed channel ignored`);
      }
    };

    // Acks are not confirmed by AMQP anyway: instead of a socket write of their own, they wait
    // (at most ACK_DELAY_MS) for the next publish on this connection, or the next ack flush,
    // and go out in the same write. Sent before basic.cancel and before the channel closes.
    let acks: ConsumeMessage[] = [];
    let ackTimer: NodeJS.Timeout | undefined;
    const flushAcks = (): void => {
      link.ackFlushers.delete(flushAcks);
      clearTimeout(ackTimer);
      ackTimer = undefined;
      const batch = acks;
      acks = [];
      for (const msg of batch) settle('ack', () => ch.ack(msg));
    };
    const queueAck = (msg: ConsumeMessage): void => {
      if (link.dead || released) return;
      acks.push(msg);
      if (ackTimer === undefined) {
        link.ackFlushers.add(flushAcks);
        ackTimer = setTimeout(flushAcks, ACK_DELAY_MS);
        ackTimer.unref();
      }
    };

    const onMessage = (msg: ConsumeMessage | null): void => {
      if (msg === null) {
        // The broker cancelled this consumer: its queue was deleted. Declare it again and go on.
        if (stopped || released || link.dead) return;
        this.logger.warn({ exchange, topic }, 'amqp: the broker cancelled a consumer (queue deleted); consuming again');
        void start().catch((err: unknown) => this.#fail(link, err instanceof Error ? err : new Error(String(err))));
        return;
      }
      if (spec.autoAck) {
        // noAck: the broker forgot it as it sent it; the base never settles it.
        deliver({ ...deliveryOf(msg), ack: noop, reject: noop });
        return;
      }
      deliver({
        ...deliveryOf(msg),
        ack: () => queueAck(msg),
        reject: (requeue) => settle('reject', () => ch.reject(msg, requeue)),
      });
    };

    const start = async (): Promise<void> => {
      const queue = await declareTopic(ch, exchange, topic, this.#exchangeFlags, this.#queueFlags);
      const ok = await ch.consume(queue, onMessage, { noAck: spec.autoAck });
      consumerTag = ok.consumerTag;
    };

    try {
      if (spec.prefetch > 0 && !spec.autoAck) await ch.prefetch(spec.prefetch, false);
      await start();
      established = true;
    } catch (err) {
      released = true;
      await ch.close().catch(() => undefined);
      await tick();
      if (link.dead) {
        if (this.state === 'connected') this.connectionLost(link.lastError ?? (err as Error));
        throw err;
      }
      throw channelError(closeReason ?? err, `Consuming ${exchange}/${topic} failed`);
    }

    return {
      stop: async () => {
        stopped = true;
        flushAcks();
        if (link.dead || consumerTag === undefined) return;
        try {
          await ch.cancel(consumerTag);
        } catch (err) {
          this.logger.debug({ err, exchange, topic }, 'amqp: basic.cancel failed');
        }
      },
      release: async () => {
        flushAcks();
        released = true;
        if (link.dead) return;
        await ch.close().catch(() => undefined);
      },
    };
  }
}

/** What `transportOptions` may hold for `transport: 'amqp'`. */
export type AmqpFactoryOptions = AmqpTransportOptions;

/** The factory tf loads for `transport: 'amqp'` and for `amqp://` / `amqps://` URLs. */
export const transport: TransportFactory<AmqpFactoryOptions> = {
  name: 'amqp',
  schemes: ['amqp', 'amqps'],
  options: AMQP_TRANSPORT_OPTIONS,
  create: ({ url, options, retryOptions, logger }) => new AmqpTransport({ ...options, url, retryOptions, logger }),
};
