import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { AckPolicy, DiscardPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Consumer, JetStreamClient, JsMsg, JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { connect, credsAuthenticator } from '@nats-io/transport-node';
import type { ConnectionOptions, NatsConnection, Subscription as NatsSubscription } from '@nats-io/transport-node';
import { readFile } from 'node:fs/promises';
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
import { explainNatsConnectFailure } from './connect-failure';
import { PullSubscription } from './consumer';
import { NatsErrorCode, NatsTransportError, apiCode, errorMessage, isClosedConnection, isNoResponders } from './errors';
import { DURABLE, TEMPORARY_DESCRIPTION, aliveSubject, topicAddress } from './names';
import type { TopicAddress } from './names';
import { NATS_OPTION_NAMES, resolveOptions } from './options';
import type { NatsTransportInit, NatsTransportOptions, ResolvedOptions } from './options';
import { TemporaryTopicSweeper } from './sweeper';
import { NATS_CLIENT_VERSION } from './version';
import { encodeProperties } from './wire';

const CAPABILITIES: TransportCapabilities = Object.freeze({
  crossProcess: true,
  persistent: true,
  reconnect: true,
  deliveryCount: true,
  publishWithoutCreate: true,
  temporaryTopics: true,
});

const NS_PER_MS = 1_000_000;
/** JetStream API errors by code. */
const STREAM_NAME_IN_USE = 10058;
const SUBJECTS_OVERLAP = 10065;
const STREAM_NOT_FOUND = 10059;

/** Messages remembered as held at a lost connection, at most (a bound, not a working size). */
const MAX_REMEMBERED = 100_000;

const HOST = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');

interface Live {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
}

/**
 * NATS JetStream as queues. A topic is a work-queue stream (`<streamPrefix>_<exchange>_<topic>_<hash>`,
 * subject `<subjectPrefix>.<exchange>.<topic>`) read through one durable pull consumer (`tf`)
 * that every consumer of the topic shares: each message goes to one of them. Acks are
 * explicit, a requeue is a `nak`, and what a consumer that died held comes back after
 * `ack_wait` (`leaseMs`). The client's own reconnection is off: the base reconnects under
 * `retryOptions` and resumes consumers.
 */
export class NatsTransport extends BaseTransport {
  readonly name = 'nats';
  readonly capabilities = CAPABILITIES;
  protected readonly driver = '@nats-io/transport-node';
  protected readonly driverVersion = NATS_CLIENT_VERSION;
  readonly leaseMs: number;
  /** The NATS connection name (`tf:<host>:<pid>:<random>`), for operators (`nats server report connections`) and tests. */
  readonly connectionName: string;
  readonly #options: ResolvedOptions;
  #live: Live | undefined;
  #crashed = false;
  readonly #subscriptions = new Set<PullSubscription>();
  /** Streams of the temporary topics this transport consumes. */
  readonly #owned = new Set<string>();
  readonly #alive = new Set<NatsSubscription>();
  /** Connections closed on purpose: their end is not a lost connection. */
  readonly #retired = new WeakSet<NatsConnection>();
  readonly #sweeper: TemporaryTopicSweeper;
  /** Ack subjects of what consumers held when the connection was lost: nak'd on the next connection. */
  #orphans: string[] = [];
  /** `<stream>:<sequence>` of what consumers held when the connection was lost (bounded). */
  readonly #heldBeforeLoss = new Set<string>();

  constructor(options: NatsTransportInit = {}) {
    const { url, retryOptions, logger, maxMessageBytes, ...rest } = options;
    const resolved = resolveOptions(rest, url);
    super({ url: resolved.url, retryOptions, logger, maxMessageBytes });
    this.#options = resolved;
    this.leaseMs = resolved.leaseMs;
    this.connectionName = `tf:${HOST}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.#sweeper = new TemporaryTopicSweeper({
      logger: this.logger,
      subjectPrefix: resolved.subjectPrefix,
      temporaryTopicExpiryMs: resolved.temporaryTopicExpiryMs,
      connection: () => (this.#crashed ? undefined : this.#live),
      owns: (stream) => this.#owned.has(stream),
    });
  }

  /** The subject and stream of a topic. */
  addressOf(exchange: string, topic: string): TopicAddress {
    return topicAddress(this.#options.streamPrefix, this.#options.subjectPrefix, exchange, topic);
  }

  async #connectionOptions(): Promise<ConnectionOptions> {
    const o = this.#options;
    const out: ConnectionOptions = {
      servers: [...o.servers],
      name: this.connectionName,
      timeout: o.connectTimeoutMs,
      // The base reconnects (under retryOptions) and resumes consumers; the client must not.
      reconnect: false,
      pingInterval: 10_000,
      maxPingOut: 3,
    };
    if (o.user !== undefined) {
      out.user = o.user;
      out.pass = o.pass;
    }
    if (o.token !== undefined) out.token = o.token;
    if (o.credsFile !== undefined) out.authenticator = credsAuthenticator(await readFile(o.credsFile));
    if (o.tls !== undefined) out.tls = { ...o.tls };
    return out;
  }

  protected async doConnect(): Promise<void> {
    this.#crashed = false;
    let nc: NatsConnection;
    try {
      nc = await connect(await this.#connectionOptions());
    } catch (err) {
      const { reason, message } = explainNatsConnectFailure(err, this.#options.tls !== undefined);
      throw new ConnectionFailedError(reason, message, { cause: err });
    }
    let jsm: JetStreamManager;
    try {
      jsm = await jetstreamManager(nc);
    } catch (err) {
      this.#retired.add(nc);
      await nc.close().catch(() => undefined);
      throw new NatsTransportError(
        NatsErrorCode.JetStreamUnavailable,
        `nats transport: JetStream is not available on this server or account (${errorMessage(err)}); start nats-server with -js.`,
        { cause: err },
      );
    }
    this.#live = { nc, js: jetstream(nc), jsm };
    this.#returnOrphans(nc);
    void nc.closed().then((err) => {
      if (!this.#retired.has(nc)) this.#lose(err instanceof Error ? err : new Error('nats transport: connection closed'));
    });
  }

  protected async doClose(): Promise<void> {
    this.#sweeper.stop();
    for (const s of this.#subscriptions) s.kill();
    this.#subscriptions.clear();
    const live = this.#live;
    this.#live = undefined;
    if (!live) return;
    this.#retired.add(live.nc);
    if (live.nc.isClosed()) return;
    // flush: the acks and naks of the consumers just cancelled reach the server before we go.
    await live.nc.flush().catch(() => undefined);
    await live.nc.close().catch(() => undefined);
  }

  #connection(): Live {
    if (this.#crashed) {
      throw new TransportError(TransportErrorCode.NotConnected, 'nats transport: crashed (simulateCrash); close it and connect again.');
    }
    const live = this.#live;
    if (!live) throw new TransportError(TransportErrorCode.NotConnected, 'nats transport: not connected.');
    return live;
  }

  protected async doPublish(exchange: string, topic: string, body: string, properties: WireProperties, spec: PublishSpec): Promise<void> {
    const live = this.#connection();
    const address = this.addressOf(exchange, topic);
    const headers = encodeProperties(properties);
    const options = headers ? { headers } : {};
    try {
      try {
        await live.js.publish(address.subject, body, options);
      } catch (err) {
        if (!isNoResponders(err)) throw err;
        // No stream holds the subject: the topic does not exist.
        if (!spec.createTopic) {
          this.logger.debug(
            { subject: address.subject },
            'nats transport: dropped a message to a topic that does not exist (createTopic: false)',
          );
          return;
        }
        await this.#ensureStream(live, address, false);
        await live.js.publish(address.subject, body, options);
      }
    } catch (err) {
      // Lost mid-publish: tell the base now, so that it publishes again once reconnected.
      if (live.nc.isClosed() || isClosedConnection(err)) this.#lose(err instanceof Error ? err : new Error(errorMessage(err)));
      throw err;
    }
  }

  #streamConfig(address: TopicAddress, temporary: boolean): Partial<StreamConfig> & { name: string } {
    const o = this.#options;
    return {
      name: address.stream,
      subjects: [address.subject],
      retention: RetentionPolicy.Workqueue,
      storage: o.storage === 'memory' ? StorageType.Memory : StorageType.File,
      num_replicas: o.replicas,
      // Full: the publish is refused (the publisher sees it), rather than old work dropped unseen.
      discard: DiscardPolicy.New,
      max_age: o.maxAgeMs * NS_PER_MS,
      max_bytes: o.maxBytes === 0 ? -1 : o.maxBytes,
      max_msgs: o.maxMsgs === 0 ? -1 : o.maxMsgs,
      ...(temporary ? { description: TEMPORARY_DESCRIPTION } : {}),
    };
  }

  /** Make the topic's stream if it is missing; the name of the stream that holds the subject. */
  async #ensureStream(live: Live, address: TopicAddress, temporary: boolean): Promise<string> {
    try {
      await live.jsm.streams.add(this.#streamConfig(address, temporary));
      return address.stream;
    } catch (err) {
      const code = apiCode(err);
      // There already (made by another transport, possibly with other limits): use it as it is.
      if (code === STREAM_NAME_IN_USE) return address.stream;
      if (code === SUBJECTS_OVERLAP) return await live.jsm.streams.find(address.subject);
      throw err;
    }
  }

  /** Make the topic's stream and its durable consumer if they are missing; the consumer. */
  async #ensureConsumer(address: TopicAddress, temporary: boolean): Promise<Consumer> {
    const live = this.#connection();
    const stream = await this.#ensureStream(live, address, temporary);
    try {
      await live.jsm.consumers.add(stream, {
        durable_name: DURABLE,
        ack_policy: AckPolicy.Explicit,
        ack_wait: this.leaseMs * NS_PER_MS,
        max_deliver: -1,
        // A temporary topic's consumer goes by itself once nobody pulls (its stream goes with the sweeper).
        ...(temporary ? { inactive_threshold: this.#options.temporaryTopicExpiryMs * NS_PER_MS } : {}),
      });
    } catch (err) {
      // There already with another configuration (another transport's leaseMs): share it.
      this.logger.debug({ err, stream }, 'nats transport: using the existing consumer');
    }
    return await live.js.consumers.get(stream, DURABLE);
  }

  protected async doConsume(spec: ConsumerSpec, deliver: (raw: RawDelivery) => void): Promise<Subscription> {
    const live = this.#connection();
    const address = this.addressOf(spec.exchange, spec.topic);
    let alive: NatsSubscription | undefined;
    if (spec.temporary) {
      // Subscribed before the stream exists: a sweeper never finds the stream without its owner.
      alive = live.nc.subscribe(aliveSubject(this.#options.subjectPrefix, address.stream), {
        callback: (_err, msg) => {
          msg.respond();
        },
      });
      this.#alive.add(alive);
      this.#owned.add(address.stream);
      await live.nc.flush();
    }
    let consumer: Consumer;
    try {
      consumer = await this.#ensureConsumer(address, spec.temporary);
    } catch (err) {
      if (alive) {
        alive.unsubscribe();
        this.#alive.delete(alive);
        this.#owned.delete(address.stream);
      }
      if (live.nc.isClosed() || isClosedConnection(err)) this.#lose(err instanceof Error ? err : new Error(errorMessage(err)));
      throw err;
    }
    const subscription = new PullSubscription(
      {
        logger: this.logger,
        leaseMs: this.leaseMs,
        pullExpiresMs: this.#options.pullExpiresMs,
        consumer: () => this.#ensureConsumer(address, spec.temporary),
        wasHeld: (msg) => this.#heldBeforeLoss.delete(`${msg.info.stream}:${msg.info.streamSequence}`),
        connected: () => this.#live === live && !live.nc.isClosed() && !this.#crashed,
      },
      spec,
      consumer,
      deliver,
    );
    this.#subscriptions.add(subscription);
    subscription.start();
    this.#sweeper.add(spec.exchange);
    return {
      stop: () => subscription.stop(),
      release: async () => {
        subscription.release();
        this.#subscriptions.delete(subscription);
        this.#sweeper.remove(spec.exchange);
        if (!alive) return;
        alive.unsubscribe();
        this.#alive.delete(alive);
        this.#owned.delete(address.stream);
        try {
          await live.jsm.streams.delete(address.stream);
        } catch (err) {
          if (apiCode(err) !== STREAM_NOT_FOUND)
            this.logger.debug({ err, stream: address.stream }, 'nats transport: could not remove a temporary topic');
        }
      },
    };
  }

  /** A connection dropped: stop every pull, forget the connection, let the base reconnect and resume consumers. */
  #lose(error: Error): void {
    if (this.state !== 'connected' || this.#crashed) return;
    this.#dropAll();
    this.connectionLost(error);
  }

  /**
   * What the consumers held when the connection was lost cannot be settled any more (the base
   * made those deliveries no-ops). An ack subject is not tied to the connection that received
   * the message, so a nak from the new connection returns each at once, not after `ack_wait`.
   */
  #returnOrphans(nc: NatsConnection): void {
    const orphans = this.#orphans;
    this.#orphans = [];
    for (const subject of orphans) nc.publish(subject, '-NAK');
  }

  #dropAll(crash = false): void {
    if (!crash) {
      if (this.#heldBeforeLoss.size > MAX_REMEMBERED) this.#heldBeforeLoss.clear();
      for (const s of this.#subscriptions) {
        for (const msg of s.heldMessages()) {
          this.#heldBeforeLoss.add(`${msg.info.stream}:${msg.info.streamSequence}`);
          const reply = (msg as JsMsg & { readonly reply?: unknown }).reply;
          if (typeof reply === 'string') this.#orphans.push(reply);
        }
      }
    }
    this.#sweeper.stop();
    for (const s of this.#subscriptions) s.kill();
    this.#subscriptions.clear();
    this.#alive.clear();
    this.#owned.clear();
    const live = this.#live;
    this.#live = undefined;
    if (live) {
      this.#retired.add(live.nc);
      void live.nc.close().catch(() => undefined);
    }
  }

  /**
   * For tests (fault injection): die like a `kill -9`'d process. The connection is closed
   * without acking or naking anything: what its consumers held comes back to other consumers
   * after `leaseMs` (`ack_wait`); its temporary topics are swept after `temporaryTopicExpiryMs`.
   * Publish and consume fail until the transport is closed and connected again.
   */
  simulateCrash(): void {
    if (this.#crashed) return;
    this.#crashed = true;
    this.#orphans = [];
    this.#dropAll(true);
  }
}

/** Selected as `transport: 'nats'` (package `tf-transport-nats`), or by a `nats://` URL once registered (`tls://` URLs need the name: the scheme is not NATS's alone). */
export const transport: TransportFactory<NatsTransportOptions> = {
  name: 'nats',
  schemes: ['nats'],
  options: NATS_OPTION_NAMES,
  create: ({ url, options, retryOptions, logger }) => new NatsTransport({ url, retryOptions, logger, ...options }),
};
