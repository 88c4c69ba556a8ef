import * as amqplib from 'amqplib';
import type { Options } from 'amqplib';
import { BaseTransport, TransportError, TransportErrorCode } from '@tf/transport';
import type {
  ConsumerSpec,
  PublishSpec,
  RawDelivery,
  Subscription,
  TransportCapabilities,
  TransportFactory,
  WireProperties,
} from '@tf/transport';
import { connectFailed } from './connect-failure';
import { QueueSubscription } from './consumer';
import type { SubscriptionHost } from './consumer';
import { AmqpErrorCode, AmqpTransportError, channelError, replyCodeOf } from './errors';
import { letCloseArrive } from './link';
import type { Link, PublisherSlot } from './link';
import { AMQP_OPTION_NAMES, resolveOptions } from './options';
import type { AmqpDeclareOptions, AmqpTransportInit, AmqpTransportOptions, ResolvedOptions } from './options';
import { Publisher } from './publisher';
import { corkWrites, socketOf } from './socket';
import { DEFAULT_AMQP_URL, parseAmqpUrls } from './url';
import type { AmqpEndpoint } from './url';
import { AMQPLIB_VERSION } from './version';
import { publishOptions } from './wire';

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
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
  readonly #options: ResolvedOptions;
  /** What each consumer's subscription needs from this transport. */
  readonly #subscriptionHost: SubscriptionHost;
  #link: Link | undefined;
  #linkCount = 0;
  #nextEndpoint = 0;
  /** Set by `destroy()`: the lost connection is not re-established. */
  #destroyed = false;

  constructor(config: AmqpTransportInit = {}) {
    const url = config.url ?? DEFAULT_AMQP_URL;
    super({ url, retryOptions: config.retryOptions, logger: config.logger, maxMessageBytes: config.maxMessageBytes });
    this.#endpoints = parseAmqpUrls(url);
    this.#options = resolveOptions(config);
    this.#subscriptionHost = {
      logger: this.logger,
      exchangeFlags: this.#options.exchangeFlags,
      queueFlags: this.#options.queueFlags,
      temporaryTopicExpiryMs: this.#options.temporaryTopicExpiryMs,
      lost: (link, error) => this.#lost(link, error),
      fail: (link, error) => this.#fail(link, error),
    };
  }

  get capabilities(): TransportCapabilities {
    return {
      crossProcess: true,
      persistent: this.#options.queueFlags.durable && this.#options.exchangeFlags.durable,
      reconnect: !this.#destroyed,
      deliveryCount: false,
      autoAck: true,
      publishWithoutCreate: true,
      temporaryTopics: true,
    };
  }

  /** The client-provided connection name the broker shows for this transport's connection. */
  get connectionName(): string {
    return this.#options.connectionName;
  }

  /** The flags queues and the exchange are declared with. */
  get topology(): { readonly queue: Readonly<Required<AmqpDeclareOptions>>; readonly exchange: Readonly<Required<AmqpDeclareOptions>> } {
    return { queue: { ...this.#options.queueFlags }, exchange: { ...this.#options.exchangeFlags } };
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
        lastError = connectFailed(err, endpoint, this.#usesTls(endpoint));
        // Debug only: the base logs each failed attempt once, at warn, on one line.
        this.logger.debug({ err, url: endpoint.display }, 'amqp: connection attempt failed');
      }
    }
    this.#nextEndpoint = (this.#nextEndpoint + 1) % n;
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  #usesTls(endpoint: AmqpEndpoint): boolean {
    return endpoint.protocol === 'amqps' || this.#options.tls !== undefined;
  }

  async #open(endpoint: AmqpEndpoint): Promise<Link> {
    const { tls: tlsOptions, heartbeatMs, connectTimeoutMs, connectionName } = this.#options;
    const tls = this.#usesTls(endpoint);
    const connect: Options.Connect = {
      protocol: tls ? 'amqps' : 'amqp',
      hostname: endpoint.hostname,
      username: endpoint.username,
      password: endpoint.password,
      vhost: endpoint.vhost,
      heartbeat: endpoint.heartbeatSeconds ?? Math.ceil(heartbeatMs / 1000),
    };
    if (endpoint.port !== undefined) connect.port = endpoint.port;
    if (endpoint.frameMax !== undefined) connect.frameMax = endpoint.frameMax;
    const model = await amqplib.connect(connect, {
      ...(tls ? tlsOptions : {}),
      noDelay: true,
      keepAlive: true,
      timeout: connectTimeoutMs,
      clientProperties: { connection_name: connectionName },
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
      publisher: { opening: undefined, open: undefined },
      conditional: { opening: undefined, open: undefined },
      ackFlushers: new Set(),
    };
    model.on('error', (err: Error) => {
      link.lastError = err;
      // Debug only: the 'close' that follows reaches the base, which logs 'connection lost' at warn.
      if (!link.closing) this.logger.debug({ err, url: endpoint.display }, 'amqp: connection error');
    });
    model.on('close', (err?: Error) => this.#linkClosed(link, err ?? link.lastError));
    model.on('blocked', (reason: string) => this.logger.warn({ reason }, 'amqp: the broker blocked publishing'));
    model.on('unblocked', () => this.logger.info({}, 'amqp: the broker unblocked publishing'));
    try {
      // Open the confirm channel now: the first publish does not pay for it.
      await this.#publisher(link.publisher, link);
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

  /** `link` turned out dead: report the connection lost (once, while connected) so the base reconnects. */
  #lost(link: Link, error: Error): void {
    if (this.state === 'connected') this.connectionLost(link.lastError ?? error);
  }

  /** Tear a connection down as lost (a channel died under it): the base reconnects and resumes. */
  #fail(link: Link, error: Error): void {
    if (link.dead || link.closing) return;
    link.lastError = error;
    this.logger.warn({ err: error }, 'amqp: a channel closed unexpectedly; reconnecting');
    if (link.socket) link.socket.destroy(error);
    else void link.model.close().catch(() => undefined);
  }

  /** The confirm channel of `slot` on `link`, opened on first use (and again after it closed). */
  #publisher(slot: PublisherSlot, link: Link): Promise<Publisher> {
    if (!slot.opening) {
      const opening: Promise<Publisher> = link.model.createConfirmChannel().then((ch) => {
        const pub = new Publisher(ch, (closed) => {
          if (slot.opening === opening) slot.opening = undefined;
          if (slot.open === closed) slot.open = undefined;
        });
        if (slot.opening === opening && !pub.closed) slot.open = pub;
        return pub;
      });
      slot.opening = opening;
      opening.catch(() => {
        if (slot.opening === opening) slot.opening = undefined;
      });
    }
    return slot.opening;
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

  protected async doPublish(exchange: string, topic: string, body: string, properties: WireProperties, spec: PublishSpec): Promise<void> {
    const content = Buffer.from(body, 'utf8');
    const options = publishOptions(properties, spec.ttlMs);
    if (!spec.createTopic) return this.#publishIfTopic(exchange, topic, content, options);
    const attempts = 5;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const link = this.#live();
      // Acks waiting for a write go out with this one (amqplib writes both in one tick).
      if (link.ackFlushers.size > 0) for (const flush of [...link.ackFlushers]) flush();
      let pub: Publisher | undefined;
      try {
        pub = link.publisher.open ?? (await this.#publisher(link.publisher, link));
        if (!pub.declared(exchange, topic)) await pub.declare(exchange, topic, this.#options.exchangeFlags, this.#options.queueFlags);
        const returned = await pub.publish(exchange, topic, content, options);
        if (!returned) return;
        // Unroutable: the queue vanished since it was declared (auto-delete). Declare it again.
        pub.forget(exchange, topic);
        lastProblem = `no queue took it (returned unroutable)`;
      } catch (err) {
        await letCloseArrive();
        if (link.dead) {
          // The connection is gone: the base publishes again once reconnected.
          this.#lost(link, err as Error);
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

  /**
   * `createTopic: false`: nothing is declared. The message is published `mandatory` on the
   * conditional confirm channel; returned unroutable (no queue) it is dropped, and so it is
   * when the exchange does not exist (the broker closes that channel with 404; the next such
   * publish opens another).
   */
  async #publishIfTopic(exchange: string, topic: string, content: Buffer, options: Options.Publish): Promise<void> {
    const attempts = 5;
    let lastProblem = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const link = this.#live();
      if (link.ackFlushers.size > 0) for (const flush of [...link.ackFlushers]) flush();
      let pub: Publisher | undefined;
      try {
        pub = link.conditional.open ?? (await this.#publisher(link.conditional, link));
        if (await pub.publish(exchange, topic, content, options)) this.#dropped(exchange, topic, 'no queue');
        return;
      } catch (err) {
        await letCloseArrive();
        if (link.dead) {
          this.#lost(link, err as Error);
          throw err;
        }
        // The channel's own error says why it closed; a publish's error says only "channel closed".
        const cause = pub?.error ?? err;
        if (replyCodeOf(cause) === 404) {
          const missing = /no exchange '([^']*)'/.exec(cause instanceof Error ? cause.message : String(cause))?.[1];
          if (missing === undefined || missing === exchange) {
            this.#dropped(exchange, topic, 'no exchange');
            return;
          }
          // Another publish's exchange was missing and took this one with the channel: again.
        } else {
          const code = replyCodeOf(err);
          if (code !== undefined) throw channelError(err, `Publishing to ${exchange}/${topic} failed`);
          const message = err instanceof Error ? err.message : String(err);
          const channelGone = pub === undefined || pub.closed || /channel closed/i.test(message);
          if (!channelGone && !/nack/i.test(message)) {
            throw new AmqpTransportError(AmqpErrorCode.PublishFailed, `Publishing to ${exchange}/${topic} failed: ${message}`, {
              cause: err,
            });
          }
        }
        lastProblem = cause instanceof Error ? cause.message : String(cause);
      }
    }
    throw new AmqpTransportError(
      AmqpErrorCode.PublishFailed,
      `Publishing to ${exchange}/${topic} failed after ${attempts} attempts: ${lastProblem}.`,
    );
  }

  #dropped(exchange: string, topic: string, why: string): void {
    this.logger.debug({ exchange, topic }, `amqp: dropped a message to a topic that does not exist (createTopic: false; ${why})`);
  }

  protected async doConsume(spec: ConsumerSpec, deliver: (raw: RawDelivery) => void): Promise<Subscription> {
    return QueueSubscription.open(this.#subscriptionHost, this.#live(), spec, deliver);
  }
}

/** Selected as `transport: 'amqp'` or by an `amqp://` / `amqps://` URL. */
export const transport: TransportFactory<AmqpTransportOptions> = {
  name: 'amqp',
  schemes: ['amqp', 'amqps'],
  options: AMQP_OPTION_NAMES,
  create: ({ url, options, retryOptions, logger }) => new AmqpTransport({ ...options, url, retryOptions, logger }),
};
