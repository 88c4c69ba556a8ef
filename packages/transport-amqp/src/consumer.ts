import type { Channel, ConsumeMessage } from 'amqplib';
import { TfError } from '@tf/transport';
import type { ConsumerSpec, Logger, RawDelivery, Subscription } from '@tf/transport';
import { AmqpErrorCode, channelError } from './errors';
import { letCloseArrive } from './link';
import type { Link } from './link';
import type { DeclareFlags } from './options';
import { declareTopic, deliveryOf, queueName } from './wire';

/** What a subscription needs from its transport. */
export interface SubscriptionHost {
  readonly logger: Logger;
  readonly exchangeFlags: DeclareFlags;
  readonly queueFlags: DeclareFlags;
  /** A temporary topic's queue `x-expires`, when `queueFlags` are not auto-delete. */
  readonly temporaryTopicExpiryMs: number;
  /** `link` turned out dead: report the connection lost (while connected), so the base reconnects and resumes. */
  lost(link: Link, error: Error): void;
  /** A channel closed under a live connection: tear the connection down as lost. */
  fail(link: Link, error: Error): void;
}

/** Declarations of a consumer tried this often when its exchange vanishes meanwhile (404). */
const DECLARE_ATTEMPTS = 3;

/** The longest an ack waits for a write to ride with. */
const ACK_DELAY_MS = 5;

const noop = (): void => undefined;

/**
 * One consumer of one queue: its own channel on the link, `prefetch` as `basic.qos`, manual
 * acks (or `noAck` for autoAck). Acks are batched to ride with the next write. A queue the
 * broker deletes under it is declared again; a channel the broker closes tears the
 * connection down, so the base reconnects and resumes every consumer on fresh channels.
 */
export class QueueSubscription implements Subscription {
  readonly #host: SubscriptionHost;
  readonly #link: Link;
  readonly #spec: ConsumerSpec;
  readonly #deliver: (raw: RawDelivery) => void;
  readonly #channel: Channel;
  #established = false;
  #stopped = false;
  #released = false;
  #closeReason: Error | undefined;
  #consumerTag: string | undefined;
  #acks: ConsumeMessage[] = [];
  #ackTimer: NodeJS.Timeout | undefined;

  /** Open a channel on `link` and consume the spec's queue (declared first). */
  static async open(
    host: SubscriptionHost,
    link: Link,
    spec: ConsumerSpec,
    deliver: (raw: RawDelivery) => void,
  ): Promise<QueueSubscription> {
    for (let attempt = 1; ; attempt++) {
      let channel: Channel;
      try {
        channel = await link.model.createChannel();
      } catch (err) {
        await letCloseArrive();
        if (link.dead) host.lost(link, err as Error);
        throw err;
      }
      const subscription = new QueueSubscription(host, link, spec, deliver, channel);
      try {
        await subscription.#start();
        return subscription;
      } catch (err) {
        // An auto-delete exchange goes with its last binding: when another queue of it went
        // between our exchange declaration and our binding (a crashed consumer's), the broker
        // answers 404 and closes the channel. Declare it all again on a fresh channel.
        const vanished = TfError.is(err, AmqpErrorCode.ChannelClosed) && (err as { replyCode?: unknown }).replyCode === 404;
        if (!vanished || attempt >= DECLARE_ATTEMPTS || link.dead) throw err;
        host.logger.debug(
          { err, exchange: spec.exchange, topic: spec.topic, attempt },
          'amqp: the exchange vanished while declaring a consumer; again',
        );
      }
    }
  }

  private constructor(host: SubscriptionHost, link: Link, spec: ConsumerSpec, deliver: (raw: RawDelivery) => void, channel: Channel) {
    this.#host = host;
    this.#link = link;
    this.#spec = spec;
    this.#deliver = deliver;
    this.#channel = channel;
    channel.on('error', (err: Error) => {
      this.#closeReason = err;
    });
    channel.on('close', () => {
      if (!this.#established || this.#released || link.dead) return;
      // The broker closed this consumer's channel while the connection lives: what it held is
      // redelivered; reconnect so the base resumes every consumer on fresh channels.
      setImmediate(() => {
        if (!this.#released && !link.dead) {
          host.fail(link, this.#closeReason ?? new Error(`AMQP channel of ${spec.exchange}/${spec.topic} closed`));
        }
      });
    });
  }

  async #start(): Promise<void> {
    const { exchange, topic, prefetch, autoAck } = this.#spec;
    try {
      if (prefetch > 0 && !autoAck) await this.#channel.prefetch(prefetch, false);
      await this.#consume();
      this.#established = true;
    } catch (err) {
      this.#released = true;
      await this.#channel.close().catch(() => undefined);
      await letCloseArrive();
      if (this.#link.dead) {
        this.#host.lost(this.#link, err as Error);
        throw err;
      }
      throw channelError(this.#closeReason ?? err, `Consuming ${exchange}/${topic} failed`);
    }
  }

  /** Declare the queue and consume it (again after the broker cancelled this consumer). */
  async #consume(): Promise<void> {
    const { exchange, topic, temporary } = this.#spec;
    const { exchangeFlags, queueFlags, temporaryTopicExpiryMs } = this.#host;
    // An auto-delete queue goes with its consumer's connection: no x-expires needed (nor
    // wanted: Python TaskFlow re-declares reply queues with no arguments).
    const expires = temporary && !queueFlags.autoDelete ? temporaryTopicExpiryMs : undefined;
    const queue = await declareTopic(this.#channel, exchange, topic, exchangeFlags, queueFlags, expires);
    const ok = await this.#channel.consume(queue, this.#onMessage, { noAck: this.#spec.autoAck });
    this.#consumerTag = ok.consumerTag;
  }

  readonly #onMessage = (msg: ConsumeMessage | null): void => {
    if (msg === null) {
      // The broker cancelled this consumer: its queue was deleted. Declare it again and go on.
      if (this.#stopped || this.#released || this.#link.dead) return;
      const { exchange, topic } = this.#spec;
      this.#host.logger.warn({ exchange, topic }, 'amqp: the broker cancelled a consumer (queue deleted); consuming again');
      void this.#consume().catch((err: unknown) => this.#host.fail(this.#link, err instanceof Error ? err : new Error(String(err))));
      return;
    }
    if (this.#spec.autoAck) {
      // noAck: the broker forgot it as it sent it; the base never settles it.
      this.#deliver(deliveryOf(msg, noop, noop));
      return;
    }
    this.#deliver(
      deliveryOf(
        msg,
        () => this.#queueAck(msg),
        (requeue) => this.#settle('reject', () => this.#channel.reject(msg, requeue)),
      ),
    );
  };

  #settle(what: string, fn: () => void): void {
    if (this.#link.dead || this.#released) return; // its connection or channel is gone: the broker redelivers it
    try {
      fn();
    } catch (err) {
      this.#host.logger.debug({ err, exchange: this.#spec.exchange, topic: this.#spec.topic }, `amqp: ${what} on a closed channel ignored`);
    }
  }

  // Acks are not confirmed by AMQP anyway: instead of a socket write of their own, they wait
  // (at most ACK_DELAY_MS) for the next publish on this connection, or the next ack flush,
  // and go out in the same write. Sent before basic.cancel and before the channel closes.
  #queueAck(msg: ConsumeMessage): void {
    if (this.#link.dead || this.#released) return;
    this.#acks.push(msg);
    if (this.#ackTimer === undefined) {
      this.#link.ackFlushers.add(this.#flushAcks);
      this.#ackTimer = setTimeout(this.#flushAcks, ACK_DELAY_MS);
      this.#ackTimer.unref();
    }
  }

  /** Bound: the link calls it before a publish, so the acks ride with that write. */
  readonly #flushAcks = (): void => {
    this.#link.ackFlushers.delete(this.#flushAcks);
    clearTimeout(this.#ackTimer);
    this.#ackTimer = undefined;
    const batch = this.#acks;
    this.#acks = [];
    for (const msg of batch) this.#settle('ack', () => this.#channel.ack(msg));
  };

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#flushAcks();
    if (this.#link.dead || this.#consumerTag === undefined) return;
    try {
      await this.#channel.cancel(this.#consumerTag);
    } catch (err) {
      this.#host.logger.debug({ err, exchange: this.#spec.exchange, topic: this.#spec.topic }, 'amqp: basic.cancel failed');
    }
  }

  /** Close the channel; a temporary topic's queue is deleted first, with what it holds. */
  async release(): Promise<void> {
    this.#flushAcks();
    this.#released = true;
    if (this.#link.dead) return;
    if (this.#spec.temporary) {
      const { exchange, topic } = this.#spec;
      try {
        await this.#channel.deleteQueue(queueName(exchange, topic));
      } catch (err) {
        this.#host.logger.debug({ err, exchange, topic }, "amqp: deleting a temporary topic's queue failed");
      }
    }
    await this.#channel.close().catch(() => undefined);
  }
}
