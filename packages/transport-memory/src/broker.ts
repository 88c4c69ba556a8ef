import { InvalidArgumentError, TransportError, TransportErrorCode, nonNegativeNumber } from '@tf/transport';
import type { ConsumerSpec, PublishSpec, Transport, TransportConsumer, WireProperties } from '@tf/transport';

/** A message held by the broker. */
export interface StoredMessage {
  readonly id: number;
  readonly body: string;
  readonly properties: WireProperties;
  /** How many times it has been handed to a consumer. */
  deliveries: number;
}

/** A consumer as the broker sees it. */
export interface BrokerConsumer {
  readonly id: number;
  readonly spec: ConsumerSpec;
  readonly owner: object;
  readonly unacked: Map<number, StoredMessage>;
  /** No new deliveries (cancelling). */
  stopped: boolean;
  /** Removed: its deliveries went back to the queue; settling them does nothing. */
  gone: boolean;
  readonly deliver: (message: StoredMessage) => void;
}

/** What a connected transport gives the broker: how to tell it its connection dropped. */
export interface ConnectionHooks {
  lost(error: Error): void;
  /** How long a temporary topic outlives a consumer of this connection that vanished without cancelling (ms). */
  readonly temporaryTopicExpiryMs: number;
}

interface Connection {
  readonly owner: object;
  readonly hooks: ConnectionHooks;
  readonly consumers: Set<BrokerConsumer>;
  alive: boolean;
}

interface Faults {
  drop: number;
  duplicate: number;
  delays: { ms: number; count: number }[];
}

class Queue {
  readonly ready: StoredMessage[] = [];
  readonly consumers: BrokerConsumer[] = [];
  next = 0;
  scheduled = false;
  faults: Faults = { drop: 0, duplicate: 0, delays: [] };
  /** Consumed with `temporary: true`: removed when its consumer is cancelled, expires when it vanishes. */
  temporary = false;
  expiry: NodeJS.Timeout | undefined;
}

/** Counts for one topic, for assertions in tests. */
export interface TopicStats {
  /** Waiting to be delivered (delayed messages not included). */
  readonly ready: number;
  /** Delivered and not yet settled. */
  readonly unacked: number;
  /** Live consumers. */
  readonly consumers: number;
}

const defer: (fn: () => void) => void = typeof setImmediate === 'function' ? (fn) => setImmediate(fn) : (fn) => setTimeout(fn, 0);

const key = (exchange: string, topic: string): string => `${exchange}\u0000${topic}`;

/**
 * The in-process broker every `MemoryTransport` of the process shares (as kombu's memory
 * transport does), with fault injection for tests. Get it as `memoryBroker`.
 */
export class MemoryBroker {
  /** Bumped if the shape transports rely on changes (two package copies share one broker). */
  readonly version = 1;
  readonly #queues = new Map<string, Queue>();
  readonly #connections = new Map<object, Connection>();
  readonly #refusals = new Map<object, number>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #ids = 0;

  #queue(exchange: string, topic: string): Queue {
    const k = key(exchange, topic);
    let q = this.#queues.get(k);
    if (!q) {
      q = new Queue();
      this.#queues.set(k, q);
    }
    return q;
  }

  #connection(owner: object): Connection {
    const conn = this.#connections.get(owner);
    if (!conn?.alive) {
      throw new TransportError(
        TransportErrorCode.NotConnected,
        'This memory transport has no broker connection (it vanished, or the broker was reset).',
      );
    }
    return conn;
  }

  // ---- used by MemoryTransport ----

  connect(owner: object, hooks: ConnectionHooks): void {
    const refusals = this.#refusals.get(owner) ?? 0;
    if (refusals > 0) {
      this.#refusals.set(owner, refusals - 1);
      throw new Error('memory broker refused the connection (fault injection)');
    }
    this.#connections.set(owner, { owner, hooks, consumers: new Set(), alive: true });
  }

  disconnect(owner: object): void {
    const conn = this.#connections.get(owner);
    if (!conn) return;
    this.#connections.delete(owner);
    conn.alive = false;
    for (const c of [...conn.consumers]) this.removeConsumer(c, { vanished: conn.hooks.temporaryTopicExpiryMs });
  }

  /**
   * Returns false when the message was dropped because `spec.createTopic` is false and the
   * topic does not exist (never consumed, never published to, or removed).
   */
  publish(
    owner: object,
    exchange: string,
    topic: string,
    body: string,
    properties: WireProperties,
    latencyMs = 0,
    spec?: PublishSpec,
  ): boolean {
    this.#connection(owner);
    if (spec?.createTopic === false && !this.#queues.has(key(exchange, topic))) return false;
    const q = this.#queue(exchange, topic);
    const f = q.faults;
    if (f.drop > 0) {
      f.drop -= 1;
      return true;
    }
    let copies = 1;
    if (f.duplicate > 0) {
      f.duplicate -= 1;
      copies = 2;
    }
    let delay = latencyMs;
    const d = f.delays[0];
    if (d) {
      delay += d.ms;
      d.count -= 1;
      if (d.count <= 0) f.delays.shift();
    }
    for (let i = 0; i < copies; i++) {
      const message: StoredMessage = {
        id: ++this.#ids,
        body,
        properties: { ...properties, headers: structuredClone(properties.headers) },
        deliveries: 0,
      };
      if (delay > 0) {
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          this.#enqueue(q, message);
        }, delay);
        this.#timers.add(timer);
      } else {
        this.#enqueue(q, message);
      }
    }
    return true;
  }

  #enqueue(q: Queue, message: StoredMessage, front = false): void {
    if (front) q.ready.unshift(message);
    else q.ready.push(message);
    this.#schedule(q);
  }

  #schedule(q: Queue): void {
    if (q.scheduled) return;
    q.scheduled = true;
    defer(() => this.#drain(q));
  }

  #drain(q: Queue): void {
    q.scheduled = false;
    while (q.ready.length > 0) {
      const consumer = this.#pick(q);
      if (!consumer) return;
      const message = q.ready.shift() as StoredMessage;
      message.deliveries += 1;
      consumer.unacked.set(message.id, message);
      consumer.deliver(message);
    }
  }

  /** Round robin over consumers with room under their prefetch. */
  #pick(q: Queue): BrokerConsumer | undefined {
    const n = q.consumers.length;
    for (let i = 0; i < n; i++) {
      const c = q.consumers[(q.next + i) % n] as BrokerConsumer;
      if (c.stopped || c.gone) continue;
      if (c.spec.prefetch > 0 && c.unacked.size >= c.spec.prefetch) continue;
      q.next = (q.next + i + 1) % n;
      return c;
    }
    return undefined;
  }

  addConsumer(owner: object, spec: ConsumerSpec, deliver: (message: StoredMessage) => void): BrokerConsumer {
    const conn = this.#connection(owner);
    const consumer: BrokerConsumer = { id: ++this.#ids, spec, owner, unacked: new Map(), stopped: false, gone: false, deliver };
    conn.consumers.add(consumer);
    const q = this.#queue(spec.exchange, spec.topic);
    if (spec.temporary) q.temporary = true;
    clearTimeout(q.expiry);
    q.expiry = undefined;
    q.consumers.push(consumer);
    this.#schedule(q);
    return consumer;
  }

  stopConsumer(consumer: BrokerConsumer): void {
    consumer.stopped = true;
  }

  /**
   * Remove a consumer; whatever it holds unsettled goes back to the front of its queue. The
   * last consumer of a temporary topic takes the topic with it: at once when cancelled, after
   * `vanished` ms when it vanished without cancelling (unless a consumer comes back meanwhile).
   */
  removeConsumer(consumer: BrokerConsumer, options: { vanished?: number } = {}): void {
    if (consumer.gone) return;
    consumer.gone = true;
    consumer.stopped = true;
    this.#connections.get(consumer.owner)?.consumers.delete(consumer);
    const k = key(consumer.spec.exchange, consumer.spec.topic);
    const q = this.#queues.get(k);
    if (!q) return;
    const i = q.consumers.indexOf(consumer);
    if (i >= 0) q.consumers.splice(i, 1);
    const held = [...consumer.unacked.values()].reverse();
    consumer.unacked.clear();
    for (const m of held) q.ready.unshift(m);
    if (q.temporary && q.consumers.length === 0) {
      if (options.vanished === undefined) {
        this.#removeQueue(k, q);
        return;
      }
      clearTimeout(q.expiry);
      q.expiry = setTimeout(() => {
        this.#timers.delete(q.expiry as NodeJS.Timeout);
        if (q.consumers.length === 0 && this.#queues.get(k) === q) this.#removeQueue(k, q);
      }, options.vanished);
      q.expiry.unref();
      this.#timers.add(q.expiry);
    }
    this.#schedule(q);
  }

  #removeQueue(k: string, q: Queue): void {
    clearTimeout(q.expiry);
    if (q.expiry) this.#timers.delete(q.expiry);
    q.ready.length = 0;
    this.#queues.delete(k);
  }

  ack(consumer: BrokerConsumer, id: number): void {
    if (consumer.gone || !consumer.unacked.delete(id)) return;
    this.#schedule(this.#queue(consumer.spec.exchange, consumer.spec.topic));
  }

  reject(consumer: BrokerConsumer, id: number, requeue: boolean): void {
    const message = consumer.unacked.get(id);
    if (consumer.gone || !message) return;
    consumer.unacked.delete(id);
    const q = this.#queue(consumer.spec.exchange, consumer.spec.topic);
    if (requeue) this.#enqueue(q, message, true);
    else this.#schedule(q);
  }

  // ---- fault injection and inspection, for tests ----

  /** The next `count` messages published to the topic are silently lost (`publish` still resolves). */
  dropNext(exchange: string, topic: string, count = 1): void {
    this.#queue(exchange, topic).faults.drop += nonNegativeNumber('memory broker: count', count);
  }

  /** The next `count` messages published to the topic are each delivered twice (as two messages). */
  duplicateNext(exchange: string, topic: string, count = 1): void {
    this.#queue(exchange, topic).faults.duplicate += nonNegativeNumber('memory broker: count', count);
  }

  /** The next `count` messages published to the topic reach it `ms` later (`publish` resolves at once). */
  delayNext(exchange: string, topic: string, ms: number, count = 1): void {
    this.#queue(exchange, topic).faults.delays.push({
      ms: nonNegativeNumber('memory broker: ms', ms),
      count: nonNegativeNumber('memory broker: count', count),
    });
  }

  /**
   * Kill `target` as a crashed process would: a transport loses its connection and every
   * consumer, a consumer just itself. What they held unacked goes back to the topic and is
   * redelivered to another consumer; their later acks and rejects do nothing, and the
   * vanished transport does not reconnect (its `publish` fails) until closed and connected again.
   */
  vanish(target: Transport | TransportConsumer): void {
    const conn = this.#connections.get(target);
    if (conn) {
      this.disconnect(target);
      return;
    }
    const spec = (target as { spec?: unknown }).spec;
    for (const c of this.#allConsumers()) {
      if (c.spec === spec) {
        this.removeConsumer(c, { vanished: this.#connections.get(c.owner)?.hooks.temporaryTopicExpiryMs ?? 0 });
        return;
      }
    }
    throw new InvalidArgumentError('vanish(): not a connected memory transport or one of its live consumers.');
  }

  /**
   * Drop `transport`'s connection as a broker restart would: its unacked deliveries are
   * requeued and it reconnects under its retry options, the first `failAttempts` attempts
   * being refused (more than its `maxRetries` and it gives up).
   */
  dropConnection(transport: Transport, options: { failAttempts?: number } = {}): void {
    const conn = this.#connections.get(transport);
    if (!conn) throw new InvalidArgumentError('dropConnection(): not a connected memory transport.');
    const failAttempts = options.failAttempts ?? 0;
    if (failAttempts > 0) this.#refusals.set(transport, failAttempts);
    this.disconnect(transport);
    conn.hooks.lost(new Error('memory broker dropped the connection (fault injection)'));
  }

  /** Whether the topic exists: consumed or published to, and not removed since (a temporary topic's end). */
  hasTopic(exchange: string, topic: string): boolean {
    return this.#queues.has(key(exchange, topic));
  }

  /** Counts for one topic. */
  stats(exchange: string, topic: string): TopicStats {
    const q = this.#queues.get(key(exchange, topic));
    if (!q) return { ready: 0, unacked: 0, consumers: 0 };
    let unacked = 0;
    for (const c of q.consumers) unacked += c.unacked.size;
    return { ready: q.ready.length, unacked, consumers: q.consumers.filter((c) => !c.gone).length };
  }

  /**
   * Forget everything: queues, messages (also delayed ones), faults. Connected transports
   * lose their connection without notice (as if vanished); close them, or just make new ones.
   */
  reset(): void {
    for (const owner of [...this.#connections.keys()]) this.disconnect(owner);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#queues.clear();
    this.#refusals.clear();
  }

  *#allConsumers(): Iterable<BrokerConsumer> {
    for (const conn of this.#connections.values()) yield* conn.consumers;
  }
}

const BROKER_KEY = Symbol.for('tf.transport-memory.broker');

/** The process-wide broker, shared by every copy of this package through `globalThis`. */
export function getMemoryBroker(): MemoryBroker {
  const holder = globalThis as unknown as Record<symbol, MemoryBroker | undefined>;
  holder[BROKER_KEY] ??= new MemoryBroker();
  return holder[BROKER_KEY];
}
