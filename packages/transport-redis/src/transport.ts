import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { BaseTransport, ConnectionFailedError, TransportError, TransportErrorCode } from '@tf/transport';
import type {
  ConsumerSpec,
  PublishSpec,
  RawDelivery,
  Subscription,
  TransportCapabilities,
  TransportFactory,
  WireProperties,
} from '@tf/transport';
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { AckQueue, ackCommands } from './ack-queue';
import { sendBatch, type BatchCommand } from './batch';
import { StreamSubscription } from './consumer';
import type { SubscriptionHost } from './consumer';
import { explainRedisConnectFailure } from './connect-failure';
import { isConnectionError } from './errors';
import { streamKey } from './layout';
import { REDIS_OPTION_NAMES, resolveOptions } from './options';
import type { RedisTransportInit, RedisTransportOptions, ResolvedOptions } from './options';
import { defineScripts } from './scripts';
import type { RedisCommands } from './scripts';
import { IOREDIS_VERSION } from './version';
import { entryFields } from './wire';

const CAPABILITIES: TransportCapabilities = Object.freeze({
  crossProcess: true,
  persistent: true,
  reconnect: true,
  deliveryCount: true,
  autoAck: true,
  publishWithoutCreate: true,
  temporaryTopics: true,
});

interface PendingPublish {
  readonly args: string[];
  resolve(): void;
  reject(error: unknown): void;
}

/** The longest an ack waits for a write to ride with. */
const ACK_DELAY_MS = 5;

/** Publishes batched in one turn up to this many are sent as one transaction. */
const MULTI_MAX = 16;

const HOST = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');

/**
 * Redis streams as queues. A topic is the stream `<keyPrefix><exchange>:<topic>` read by one
 * consumer group (`tf`): each entry goes to one consumer. Ack = XACK + XDEL (atomically, in a
 * script), so the stream holds only what is not acked yet. Entries pending on a consumer that
 * stopped renewing its lease are claimed by another (XAUTOCLAIM). Each consumer blocks on its
 * own connection; publishing, acks and lease work go through one command connection.
 */
export class RedisTransport extends BaseTransport {
  readonly name = 'redis';
  readonly capabilities = CAPABILITIES;
  protected readonly driver = 'ioredis';
  protected readonly driverVersion = IOREDIS_VERSION;
  readonly leaseMs: number;
  readonly blockMs: number;
  readonly keyPrefix: string;
  /** `CLIENT SETNAME` of every connection of this transport (`tf:<host>:<pid>:<random>`), for operators and tests. */
  readonly connectionName: string;
  readonly #options: ResolvedOptions;
  #commands: RedisCommands | undefined;
  readonly #readers = new Set<Redis>();
  readonly #subscriptions = new Set<StreamSubscription>();
  /** Consumer names by consumer: the same name after a reconnect, so what it held comes back at once. */
  readonly #names = new WeakMap<ConsumerSpec, string>();
  #consumerCount = 0;
  #crashed = false;
  #closing = false;
  /** Acks waiting to go out with the next write (or after a few milliseconds). */
  readonly #acks = new AckQueue(ACK_DELAY_MS, () => void this.#flushAcks());
  /** Publishes waiting for the end of this tick, to go out in one write. */
  #batch: { client: RedisCommands; items: PendingPublish[] } | undefined;
  /** Clients closed on purpose: their 'end' is not a lost connection. */
  readonly #retired = new WeakSet<Redis>();

  constructor(options: RedisTransportInit = {}) {
    const { url, retryOptions, logger, maxMessageBytes, ...rest } = options;
    const resolved = resolveOptions(rest, url);
    super({ url: resolved.url, retryOptions, logger, maxMessageBytes });
    this.#options = resolved;
    this.leaseMs = resolved.leaseMs;
    this.blockMs = resolved.blockMs;
    this.keyPrefix = resolved.keyPrefix;
    this.connectionName = `tf:${HOST}:${process.pid}:${randomBytes(4).toString('hex')}`;
  }

  /** The stream key of a topic. */
  keyOf(exchange: string, topic: string): string {
    return streamKey(this.keyPrefix, exchange, topic);
  }

  #redisOptions(): RedisOptions {
    const o = this.#options;
    return {
      lazyConnect: true,
      // The base reconnects (under retryOptions) and resumes consumers; ioredis must not.
      retryStrategy: () => null,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: o.connectTimeoutMs,
      connectionName: this.connectionName,
      ...(o.tls ? { tls: o.tls } : {}),
      ...(o.db !== undefined ? { db: o.db } : {}),
    };
  }

  async #open(extra: RedisOptions = {}): Promise<Redis> {
    const client = new Redis(this.#options.url, { ...this.#redisOptions(), ...extra });
    let lastError: Error | undefined;
    client.on('error', (err: Error) => {
      lastError = err;
    });
    try {
      await client.connect();
    } catch (err) {
      client.disconnect();
      // ioredis rejects with a bare 'Connection is closed.'; the cause came first, as an 'error' event.
      const cause = lastError ?? err;
      const { reason, message } = explainRedisConnectFailure(cause, this.#options.tls !== undefined);
      throw new ConnectionFailedError(reason, message, { cause });
    }
    client.once('end', () => {
      if (!this.#retired.has(client)) this.#lose(lastError ?? new Error('redis transport: connection closed'));
    });
    return client;
  }

  protected async doConnect(): Promise<void> {
    this.#crashed = false;
    this.#closing = false;
    this.#commands = defineScripts(await this.#open());
  }

  protected async doClose(): Promise<void> {
    await this.#flushAcks();
    this.#closing = true;
    for (const s of this.#subscriptions) s.kill();
    this.#subscriptions.clear();
    for (const r of this.#readers) this.#retire(r);
    this.#readers.clear();
    const client = this.#commands;
    this.#commands = undefined;
    if (!client) return;
    this.#retired.add(client);
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
    else client.disconnect();
  }

  #client(): RedisCommands {
    if (this.#crashed) {
      throw new TransportError(TransportErrorCode.NotConnected, 'redis transport: crashed (simulateCrash); close it and connect again.');
    }
    const client = this.#commands;
    if (!client) throw new TransportError(TransportErrorCode.NotConnected, 'redis transport: not connected.');
    return client;
  }

  protected doPublish(exchange: string, topic: string, body: string, properties: WireProperties, spec: PublishSpec): Promise<void> {
    const client = this.#client();
    // NOMKSTREAM (Redis >= 6.2): no stream, no entry; XADD replies nil.
    const args = spec.createTopic
      ? [this.keyOf(exchange, topic), '*', ...entryFields(body, properties)]
      : [this.keyOf(exchange, topic), 'NOMKSTREAM', '*', ...entryFields(body, properties)];
    return new Promise<void>((resolve, reject) => {
      const batch = this.#batch;
      if (batch && batch.client === client) {
        batch.items.push({ args, resolve, reject });
        return;
      }
      this.#batch = { client, items: [{ args, resolve, reject }] };
      // Publishes made in the same turn of the event loop (an unordered flow's requests, a
      // worker's RUNNING and SUCCESS for a quick task) go out in one write, at the end of
      // this turn: nothing waits for a timer or for I/O.
      setImmediate(this.#flushPublishes);
    });
  }

  readonly #flushPublishes = (): void => {
    const batch = this.#batch;
    this.#batch = undefined;
    if (!batch) return;
    const { client, items } = batch;
    const acks = this.#acks.takeAll();
    if (items.length === 1 && acks.size === 0) {
      const [only] = items as [PendingPublish];
      client.xadd(...(only.args as [string, string, ...string[]])).then((id) => {
        if (id === null) this.#dropped(only.args);
        only.resolve();
      }, only.reject);
      return;
    }
    // One write: the publishes, and the acks that were waiting for a write to ride with.
    // A few publishes go in a transaction (MULTI/EXEC adds nothing to the round trip) so that
    // a consumer blocked on their stream gets them in one read, not one read each (a worker's
    // RUNNING and SUCCESS); a large batch does not, so that consumers start on it at once.
    const commands: BatchCommand[] = items.map((item) => ['XADD', ...item.args] as BatchCommand);
    commands.push(...ackCommands(acks));
    sendBatch(client, commands, items.length > 1 && items.length <= MULTI_MAX).then(
      (results) => {
        items.forEach((item, i) => {
          const [error, id] = results[i] ?? [null, undefined];
          if (error) item.reject(error);
          else {
            if (id === null) this.#dropped(item.args);
            item.resolve();
          }
        });
        const ackError = results.slice(items.length).find(([error]) => error)?.[0];
        if (ackError)
          this.logger.warn(
            { err: ackError },
            'redis transport: an ack failed; a pending message is delivered again, a deleted one trimmed later',
          );
      },
      (err: unknown) => {
        for (const item of items) item.reject(err);
      },
    );
  };

  /** An XADD NOMKSTREAM found no stream: the message is dropped, as `createTopic: false` says. */
  #dropped(args: readonly string[]): void {
    this.logger.debug({ key: args[0] }, 'redis transport: dropped a message to a topic that does not exist (createTopic: false)');
  }

  /** Send every queued ack now. Never rejects: an ack that cannot be sent means the message comes again. */
  async #flushAcks(): Promise<void> {
    const acks = this.#acks.takeAll();
    if (acks.size === 0) return;
    const client = this.#commands;
    if (!client || this.#crashed) return;
    try {
      const results = await sendBatch(client, ackCommands(acks), false);
      const error = results.find(([e]) => e)?.[0];
      if (error) throw error;
    } catch (err) {
      this.logger.warn({ err }, 'redis transport: acks failed; those messages will be delivered again');
    }
  }

  protected async doConsume(spec: ConsumerSpec, deliver: (raw: RawDelivery) => void): Promise<Subscription> {
    this.#client();
    let name = this.#names.get(spec);
    if (name === undefined) {
      this.#consumerCount += 1;
      name = `${this.connectionName.slice(3)}:${this.#consumerCount}`;
      this.#names.set(spec, name);
    }
    const reader = await this.#open();
    this.#readers.add(reader);
    const subscription = new StreamSubscription(this.#host(), spec, this.keyOf(spec.exchange, spec.topic), name, reader, deliver);
    this.#subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (err) {
      this.#subscriptions.delete(subscription);
      this.#readers.delete(reader);
      subscription.kill();
      if (this.state === 'connected' && isConnectionError(err)) this.#lose(err as Error);
      throw err;
    }
    return {
      stop: () => subscription.stop(),
      release: async () => {
        this.#subscriptions.delete(subscription);
        await subscription.release();
        this.#readers.delete(reader);
      },
    };
  }

  #host(): SubscriptionHost {
    return {
      logger: this.logger,
      leaseMs: this.leaseMs,
      blockMs: this.blockMs,
      temporaryTopicExpiryMs: this.#options.temporaryTopicExpiryMs,
      commands: () => this.#client(),
      failed: (error) => this.#lose(error),
      retire: (client) => this.#retired.add(client),
      acks: this.#acks,
      flushAcks: () => this.#flushAcks(),
    };
  }

  /** A connection dropped: stop every reader, forget the clients, let the base reconnect and resume consumers. */
  #lose(error: Error): void {
    if (this.state !== 'connected' || this.#crashed || this.#closing) return;
    this.#dropAll();
    this.connectionLost(error);
  }

  #dropAll(): void {
    this.#acks.takeAll(); // acks of a lost connection: those messages come again
    for (const s of this.#subscriptions) s.kill();
    this.#subscriptions.clear();
    for (const r of this.#readers) this.#retire(r);
    this.#readers.clear();
    if (this.#commands) this.#retire(this.#commands);
    this.#commands = undefined;
  }

  #retire(client: Redis): void {
    this.#retired.add(client);
    client.disconnect();
  }

  /**
   * For tests (fault injection): die like a `kill -9`'d process. Every connection is cut
   * without acking, requeueing or leaving the group; what its consumers held stays pending
   * under their names and is claimed by other consumers once the lease runs out. Publish and
   * consume fail until the transport is closed and connected again.
   */
  simulateCrash(): void {
    if (this.#crashed) return;
    this.#crashed = true;
    this.#dropAll();
  }
}

/** Selected as `transport: 'redis'` or by a `redis://` / `rediss://` URL. */
export const transport: TransportFactory<RedisTransportOptions> = {
  name: 'redis',
  schemes: ['redis', 'rediss'],
  options: REDIS_OPTION_NAMES,
  create: ({ url, options, retryOptions, logger }) => new RedisTransport({ url, retryOptions, logger, ...options }),
};
