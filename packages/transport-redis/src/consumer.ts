import type { ConsumerSpec, Logger, RawDelivery } from '@tf/transport';
import type { Redis } from 'ioredis';
import { ackAndDelete, type AckQueue } from './ack-queue';
import { sendBatch } from './batch';
import { errorMessage } from './errors';
import { GROUP } from './layout';
import type { RedisCommands } from './scripts';
import { parseEntry } from './wire';

/** What a subscription needs from its transport. */
export interface SubscriptionHost {
  readonly logger: Logger;
  readonly leaseMs: number;
  readonly blockMs: number;
  /** The PEXPIRE a temporary topic's consumer keeps renewing on its stream. */
  readonly temporaryTopicExpiryMs: number;
  /** The command connection (acks, claims, renewals): never blocked. */
  commands(): RedisCommands;
  /** The connection (or a reader on it) failed while the transport was connected. */
  failed(error: Error): void;
  /** This client is being closed on purpose: its end is not a lost connection. */
  retire(client: Redis): void;
  /** Acks waiting to ride with the next write. */
  readonly acks: AckQueue;
  /** Send every queued ack now (on the command connection). */
  flushAcks(): Promise<void>;
}

/** A stream entry as ioredis returns it: `[id, [field, value, ...]]`. */
type Entry = [string, string[] | null];
type ReadReply = [string, Entry[]][] | null;

/** Unlimited prefetch still reads in batches of this many. */
const BATCH = 256;

const noop = (): void => undefined;
const NO_IDS: readonly string[] = [];

/**
 * One consumer of one topic: a consumer-group member named `name`, reading with XREADGROUP
 * BLOCK on its own connection (`reader`) so that publishing and acking on the command
 * connection never wait behind a blocked read. It reads at most as many entries as it has
 * free prefetch slots, renews the lease on what it holds, and claims (XAUTOCLAIM) entries left
 * idle longer than the lease by consumers that stopped.
 */
export class StreamSubscription {
  readonly key: string;
  readonly name: string;
  readonly #host: SubscriptionHost;
  readonly #spec: ConsumerSpec;
  readonly #deliver: (raw: RawDelivery) => void;
  readonly #reader: Redis;
  #readerId: number | undefined;
  /** Entry ids delivered and not settled yet. */
  readonly #held = new Set<string>();
  #running = false;
  /** Gone for good (stopped, lost, crashed): no more reads, renewals or claims. */
  #dead = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** A temporary topic: renews the stream's PEXPIRE. */
  #expiryTimer: NodeJS.Timeout | undefined;
  #ticks = 0;
  #claimCursor = '0-0';
  #maintaining = false;

  constructor(host: SubscriptionHost, spec: ConsumerSpec, key: string, name: string, reader: Redis, deliver: (raw: RawDelivery) => void) {
    this.#host = host;
    this.#spec = spec;
    this.key = key;
    this.name = name;
    this.#reader = reader;
    this.#deliver = deliver;
  }

  get held(): number {
    return this.#held.size;
  }

  #free(): number {
    const prefetch = this.#spec.prefetch;
    return prefetch === 0 || this.#spec.autoAck ? BATCH : Math.max(0, prefetch - this.#held.size);
  }

  /** Join the group (made at id 0 if missing, so messages published before any consumer are kept), take back what this consumer name still holds, start reading. */
  async start(): Promise<void> {
    await this.#ensureGroup();
    this.#readerId = Number(await this.#reader.client('ID'));
    // After a reconnect the same consumer name is used: what it held (now stale in the
    // application) is delivered again at once, instead of after the lease.
    const own = (await this.#reader.xreadgroup(
      'GROUP',
      GROUP,
      this.name,
      'COUNT',
      Math.max(1, this.#free()),
      'STREAMS',
      this.key,
      '0',
    )) as ReadReply;
    const entries = own?.[0]?.[1] ?? [];
    if (entries.length > 0) await this.#deliverClaimed(entries);
    this.#running = true;
    this.#loop = this.#run();
    const tick = Math.max(10, Math.floor(this.#host.leaseMs / 3));
    this.#timer = setInterval(() => void this.#maintain(), tick);
    this.#timer.unref();
    if (this.#spec.temporary) {
      const every = Math.max(10, Math.floor(this.#host.temporaryTopicExpiryMs / 3));
      this.#expiryTimer = setInterval(() => void this.#renewExpiry(), every);
      this.#expiryTimer.unref();
    }
  }

  async #ensureGroup(): Promise<void> {
    try {
      await this.#reader.xgroup('CREATE', this.key, GROUP, '0', 'MKSTREAM');
    } catch (err) {
      if (!/BUSYGROUP/.test(errorMessage(err))) throw err;
    }
    // A temporary topic's stream dies with its consumer: if nobody renews it, it expires (and
    // replies, published with NOMKSTREAM, do not bring it back).
    if (this.#spec.temporary) await this.#reader.pexpire(this.key, this.#host.temporaryTopicExpiryMs);
  }

  async #renewExpiry(): Promise<void> {
    if (this.#dead || !this.#running) return;
    try {
      await this.#host.commands().pexpire(this.key, this.#host.temporaryTopicExpiryMs);
    } catch (err) {
      if (!this.#dead)
        this.#host.logger.warn({ err, key: this.key }, "redis transport: renewing a temporary topic's expiry failed; will retry");
    }
  }

  async #run(): Promise<void> {
    while (this.#running) {
      const free = this.#free();
      if (free === 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      let reply: ReadReply;
      try {
        reply = await this.#read(free);
      } catch (readError) {
        if (!this.#running) break;
        let err = readError;
        if (/NOGROUP|no longer exists/i.test(errorMessage(err))) {
          // The stream was deleted (by the last consumer leaving, or by hand): make it again.
          try {
            await this.#ensureGroup();
            continue;
          } catch (again) {
            err = again;
          }
        }
        if (!this.#running) break;
        this.#running = false;
        this.#host.failed(err instanceof Error ? err : new Error(errorMessage(err)));
        break;
      }
      if (!reply || this.#dead) continue;
      for (const [id, fields] of reply[0]?.[1] ?? []) {
        if (fields === null) continue;
        this.#deliverEntry(id, fields, undefined);
      }
      // Let the handlers' first writes (a worker's RUNNING, an engine's next request) go out
      // before the next read does.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * XREADGROUP BLOCK for up to `free` entries. Acks of this topic queued since the last write
   * go in the same write, ahead of it (XACK + XDEL): a consumer that acks as it receives (the
   * engine) costs no write of its own per message.
   */
  async #read(free: number): Promise<ReadReply> {
    // An autoAck consumer's deletions (XDEL) are left to ride with the next publish on the
    // command connection (an engine's next request): here their replies, which come at once
    // while the read blocks, would wake this process once more per read.
    const ids = this.#spec.autoAck ? NO_IDS : this.#host.acks.take(this.key);
    // autoAck: NOACK, the entries never enter the pending list; they are deleted (XDEL, with
    // the next write) as they are delivered.
    const read: (string | number)[] = this.#spec.autoAck
      ? ['GROUP', GROUP, this.name, 'COUNT', free, 'BLOCK', this.#host.blockMs, 'NOACK', 'STREAMS', this.key, '>']
      : ['GROUP', GROUP, this.name, 'COUNT', free, 'BLOCK', this.#host.blockMs, 'STREAMS', this.key, '>'];
    if (ids.length === 0) {
      return (await (this.#reader.xreadgroup as (...args: (string | number)[]) => Promise<unknown>)(...read)) as ReadReply;
    }
    const out = await sendBatch(this.#reader, [...ackAndDelete(this.key, ids), ['XREADGROUP', ...read]], false);
    const ackError = out[0]?.[0] ?? out[1]?.[0];
    if (ackError)
      this.#host.logger.warn({ err: ackError, key: this.key }, 'redis transport: an ack failed; the message will be delivered again');
    const [readError, reply] = out[2] ?? [new Error('redis transport: no reply to XREADGROUP'), null];
    if (readError) throw readError;
    return reply as ReadReply;
  }

  /**
   * Queue the end of an entry settled as it arrives: XDEL alone for one read with NOACK (in no
   * pending list); XACK too for one taken from a pending list (claimed from a crashed
   * consumer of the topic, or read again after a reconnect), which a deletion would leave there.
   */
  #settleOnArrival(id: string, pelCount: number | undefined): void {
    if (this.#spec.autoAck && pelCount === undefined) this.#host.acks.delete(this.key, id);
    else this.#host.acks.add(this.key, id);
  }

  /** Hand an entry to the base. `pelCount`: its delivery counter when it came from a pending list. */
  #deliverEntry(id: string, fields: readonly string[], pelCount: number | undefined): void {
    let parsed: ReturnType<typeof parseEntry>;
    try {
      parsed = parseEntry(fields);
    } catch (err) {
      parsed = undefined;
      this.#host.logger.warn({ err, id, key: this.key }, 'redis transport: an entry with unreadable headers; dropping it');
    }
    if (!parsed) {
      this.#host.logger.warn({ id, key: this.key }, 'redis transport: dropping a stream entry that is not a tf message (no body field)');
      this.#settleOnArrival(id, pelCount);
      return;
    }
    const deliveryCount = parsed.prior + (pelCount ?? 1);
    if (this.#spec.autoAck) {
      // Acked on arrival: deleted with the next write; the base never settles it.
      this.#settleOnArrival(id, pelCount);
      this.#deliver({
        body: parsed.body,
        properties: parsed.properties,
        redelivered: deliveryCount > 1,
        deliveryCount,
        ack: noop,
        reject: noop,
      });
      return;
    }
    this.#held.add(id);
    const settle = (): boolean => {
      const had = this.#held.delete(id);
      this.#wake?.();
      return had && !this.#dead;
    };
    this.#deliver({
      body: parsed.body,
      properties: parsed.properties,
      redelivered: deliveryCount > 1,
      deliveryCount,
      ack: () => {
        if (settle()) this.#host.acks.add(this.key, id);
      },
      reject: async (requeue) => {
        if (!settle()) return;
        if (!requeue) {
          this.#host.acks.add(this.key, id);
          return;
        }
        try {
          await this.#host.commands().tfRequeue(this.key, GROUP, this.name, id, deliveryCount);
        } catch (err) {
          // Still pending on this consumer: it comes back after the lease (or at once after a reconnect).
          if (!this.#dead)
            this.#host.logger.warn({ err, key: this.key }, 'redis transport: a requeue failed; the lease will return the message');
        }
      },
    });
  }

  /** Entries that come from a pending list (own after a reconnect, or claimed): look up their delivery counters, then deliver. */
  async #deliverClaimed(entries: Entry[]): Promise<void> {
    const live = entries.filter((e): e is [string, string[]] => e[1] !== null && !this.#held.has(e[0]));
    if (live.length === 0) return;
    const counts = await sendBatch(
      this.#host.commands(),
      live.map(([id]) => ['XPENDING', this.key, GROUP, id, id, 1] as const),
      false,
    );
    live.forEach(([id, fields], i) => {
      const row = counts[i]?.[1] as [string, string, number, number][] | undefined;
      const pel = row?.[0]?.[3];
      this.#deliverEntry(id, fields, typeof pel === 'number' && pel > 0 ? pel : 2);
    });
  }

  /** Every third of the lease: renew what this consumer holds; claim what dead consumers left; now and then trim. */
  async #maintain(): Promise<void> {
    if (this.#dead || !this.#running || this.#maintaining) return;
    this.#maintaining = true;
    try {
      const commands = this.#host.commands();
      if (this.#held.size > 0) {
        const lost = await commands.tfRefresh(this.key, GROUP, this.name, ...this.#held);
        for (const id of lost) {
          if (this.#held.delete(id)) {
            this.#host.logger.warn(
              { id, key: this.key },
              'redis transport: lost a delivery to another consumer (its lease ran out: was this process stalled longer than leaseMs?); it will be processed there too',
            );
          }
        }
      }
      const free = this.#free();
      if (free > 0 && !this.#dead) {
        const [next, entries] = (await commands.xautoclaim(
          this.key,
          GROUP,
          this.name,
          this.#host.leaseMs,
          this.#claimCursor,
          'COUNT',
          free,
        )) as [string, Entry[], string[]?];
        this.#claimCursor = next;
        if (entries.length > 0 && !this.#dead) {
          this.#host.logger.info(
            { key: this.key, count: entries.length },
            'redis transport: claimed deliveries left by a consumer that stopped',
          );
          await this.#deliverClaimed(entries);
        }
      }
      this.#ticks += 1;
      if (this.#ticks % 30 === 0 && !this.#dead) await commands.tfTrim(this.key, GROUP);
    } catch (err) {
      if (!this.#dead) this.#host.logger.warn({ err, key: this.key }, 'redis transport: lease maintenance failed; will retry');
    } finally {
      this.#maintaining = false;
    }
  }

  /** Stop reading (graceful): the blocked read is released with CLIENT UNBLOCK; held deliveries stay settleable. */
  async stop(): Promise<void> {
    if (!this.#running) {
      await this.#loop;
      return;
    }
    this.#running = false;
    this.#wake?.();
    const loop = this.#loop ?? Promise.resolve();
    let done = false;
    void loop.finally(() => {
      done = true;
    });
    // The read may not have reached the server yet when the first UNBLOCK does: repeat until it returns.
    while (!done && this.#readerId !== undefined) {
      try {
        await this.#host.commands().client('UNBLOCK', this.#readerId);
      } catch {
        break;
      }
      await Promise.race([loop, new Promise((resolve) => setTimeout(resolve, 20))]);
    }
    await loop;
    clearInterval(this.#timer);
    clearInterval(this.#expiryTimer);
    await this.#host.flushAcks();
  }

  /**
   * After the base returned every unsettled delivery: leave the group (and drop the stream if
   * that leaves it empty with no consumer; a temporary topic's stream goes whatever it holds),
   * close the reader.
   */
  async release(): Promise<void> {
    clearInterval(this.#timer);
    clearInterval(this.#expiryTimer);
    await this.#host.flushAcks();
    this.#dead = true;
    try {
      if (this.#spec.temporary) await this.#host.commands().del(this.key);
      else if (this.#held.size === 0) await this.#host.commands().tfLeave(this.key, GROUP, this.name);
    } catch (err) {
      this.#host.logger.debug({ err, key: this.key }, 'redis transport: could not leave the group');
    }
    this.#host.retire(this.#reader);
    await this.#reader.quit().catch(() => this.#reader.disconnect());
  }

  /** The connection is gone (or the process "crashed"): stop everything, touch nothing on the server. */
  kill(): void {
    this.#dead = true;
    this.#running = false;
    clearInterval(this.#timer);
    clearInterval(this.#expiryTimer);
    this.#wake?.();
    this.#host.retire(this.#reader);
    this.#reader.disconnect();
  }
}
