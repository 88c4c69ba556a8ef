import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { ConsumerSpec, Logger, RawDelivery } from '@tf/transport';
import { errorMessage } from './errors';
import { decodeProperties } from './wire';

/** What a pull subscription needs from its transport. */
export interface PullHost {
  readonly logger: Logger;
  readonly leaseMs: number;
  readonly pullExpiresMs: number;
  /** The topic's durable consumer, made again (stream and consumer) if it was removed. */
  consumer(): Promise<Consumer>;
  /** True while the connection this subscription pulls on is open. */
  connected(): boolean;
  /** True (once) for a message a consumer of this transport held when its connection was lost. */
  wasHeld(msg: JsMsg): boolean;
}

/** Unlimited prefetch still pulls in batches of this many. */
const BATCH = 256;
/** After a failed pull, wait this long before the next (a stream removed by hand, a server hiccup). */
const RETRY_MS = 250;

/**
 * One tf consumer of one topic: a loop of pull requests (`fetch`) on the topic's durable
 * consumer, each for no more messages than the free prefetch slots, so a worker never holds
 * more than its prefetch even though the durable is shared by every worker of the topic.
 * What it holds gets an in-progress ack every third of `leaseMs` (`ack_wait`), so a long task
 * is not redelivered while its holder lives; a holder that died stops sending them and
 * JetStream redelivers after `ack_wait`.
 */
export class PullSubscription {
  readonly #host: PullHost;
  readonly #spec: ConsumerSpec;
  readonly #deliver: (raw: RawDelivery) => void;
  readonly #held = new Set<JsMsg>();
  #consumer: Consumer;
  #running = false;
  #dead = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #pull: ConsumerMessages | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(host: PullHost, spec: ConsumerSpec, consumer: Consumer, deliver: (raw: RawDelivery) => void) {
    this.#host = host;
    this.#spec = spec;
    this.#consumer = consumer;
    this.#deliver = deliver;
  }

  get held(): number {
    return this.#held.size;
  }

  /** What it holds, for the transport to return after a lost connection. */
  heldMessages(): JsMsg[] {
    return [...this.#held];
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
    this.#timer = setInterval(() => this.#inProgress(), Math.max(30, Math.floor(this.#host.leaseMs / 3)));
    this.#timer.unref();
  }

  #free(): number {
    return this.#spec.prefetch === 0 ? BATCH : this.#spec.prefetch - this.#held.size;
  }

  /**
   * Pull again once this many slots are free (or nothing is held): half the prefetch. Pulling
   * at every freed slot would cost a pull request per message once the consumer is saturated.
   */
  #refillAt(): number {
    const prefetch = this.#spec.prefetch;
    return prefetch === 0 || this.#held.size === 0 ? 1 : Math.max(1, Math.ceil(prefetch / 2));
  }

  async #run(): Promise<void> {
    while (this.#running) {
      if (this.#free() < this.#refillAt()) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      try {
        const pull = await this.#consumer.fetch({ max_messages: this.#free(), expires: this.#host.pullExpiresMs });
        this.#pull = pull;
        // stop() came while the pull request was being made: end it now, not after pullExpiresMs.
        if (!this.#running) pull.stop();
        for await (const msg of pull) this.#onMessage(msg);
      } catch (err) {
        if (!this.#running || !this.#host.connected()) break;
        this.#host.logger.debug({ err, topic: this.#spec.topic }, 'nats transport: a pull failed; pulling again');
        await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
        if (!this.#running) break;
        try {
          this.#consumer = await this.#host.consumer();
        } catch (again) {
          if (this.#running && this.#host.connected())
            this.#host.logger.warn(
              { topic: this.#spec.topic, error: errorMessage(again) },
              'nats transport: cannot get the consumer back; retrying',
            );
        }
      } finally {
        this.#pull = undefined;
      }
    }
  }

  #onMessage(msg: JsMsg): void {
    if (!this.#running) {
      // Came in on a pull that was being stopped: straight back, not after ack_wait.
      if (!this.#dead) msg.nak();
      return;
    }
    let properties: ReturnType<typeof decodeProperties>;
    try {
      properties = decodeProperties(msg.headers);
    } catch (err) {
      this.#host.logger.warn(
        { topic: this.#spec.topic, seq: msg.seq, error: errorMessage(err) },
        'nats transport: dropping a message that is not a tf message',
      );
      msg.ack();
      return;
    }
    // A message held when the connection was lost is put back by the server as if never
    // delivered (count unchanged, not flagged redelivered): it was delivered, say so.
    const held = this.#host.wasHeld(msg);
    const deliveryCount = held ? Math.max(2, msg.info.deliveryCount) : msg.info.deliveryCount;
    this.#held.add(msg);
    const settle = (): boolean => {
      const had = this.#held.delete(msg);
      this.#wake?.();
      return had && !this.#dead;
    };
    this.#deliver({
      body: msg.string(),
      properties,
      redelivered: msg.redelivered || held,
      deliveryCount,
      ack: () => {
        if (settle()) msg.ack();
      },
      reject: (requeue) => {
        if (!settle()) return;
        // A drop is an ack: the work-queue stream forgets the message.
        if (!requeue) msg.ack();
        // Handed back by a consumer that stopped (cancel, close): its last pull request stays
        // queued at the server until it expires, and a redelivery sent to it (nobody listens)
        // is counted by the server as never made, so the next consumer got it unflagged
        // (deliveryCount 1). Delayed past that expiry, it goes to a live pull.
        else if (!this.#running) msg.nak(this.#host.pullExpiresMs);
        else msg.nak();
      },
    });
  }

  #inProgress(): void {
    if (this.#dead) return;
    for (const msg of this.#held) msg.working();
  }

  /** No more pulls; deliveries in hand stay settleable (and keep their in-progress acks). */
  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    this.#pull?.stop();
    await this.#loop;
  }

  /** After the base returned every unsettled delivery. */
  release(): void {
    this.#dead = true;
    clearInterval(this.#timer);
  }

  /** The connection is gone (or the process "crashed"): stop, touch nothing on the server. */
  kill(): void {
    this.#dead = true;
    this.#running = false;
    clearInterval(this.#timer);
    this.#wake?.();
    this.#pull?.stop();
  }
}
