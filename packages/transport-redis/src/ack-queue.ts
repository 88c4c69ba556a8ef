import type { BatchCommand } from './batch';
import { GROUP } from './layout';

/** The queued acks of every stream, taken together for one write. */
export interface QueuedAcks {
  /** Entries in a pending list: XACK, then XDEL. */
  readonly acks: ReadonlyMap<string, string[]>;
  /** Entries read with NOACK (never pending): XDEL alone, as an XACK of them does nothing. */
  readonly deletes: ReadonlyMap<string, string[]>;
  /** How many streams have something queued. */
  readonly size: number;
}

function push(into: Map<string, string[]>, key: string, id: string): void {
  const ids = into.get(key);
  if (ids) ids.push(id);
  else into.set(key, [id]);
}

/**
 * Acks (XACK + XDEL) waiting to be sent. Like AMQP's `basic.ack`, an ack is not confirmed to
 * the caller: it is queued, and goes out with the next write to Redis that happens anyway
 * (the consumer's next read, the next publish), or after `delayMs` at the latest. Queued
 * acks are sent before a consumer leaves or the transport closes; those of a lost
 * connection are dropped (the messages come again, as they would anyway).
 */
export class AckQueue {
  #acks = new Map<string, string[]>();
  #deletes = new Map<string, string[]>();
  readonly #delayMs: number;
  readonly #flush: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(delayMs: number, flush: () => void) {
    this.#delayMs = delayMs;
    this.#flush = flush;
  }

  get size(): number {
    return this.#acks.size + this.#deletes.size;
  }

  /** Queue an ack of an entry in `key`'s pending list. */
  add(key: string, id: string): void {
    push(this.#acks, key, id);
    this.#arm();
  }

  /** Queue the deletion of an entry that was read with NOACK (it is in no pending list). */
  delete(key: string, id: string): void {
    push(this.#deletes, key, id);
    this.#arm();
  }

  /** The queued acks of one stream (not its deletions), removed from the queue. */
  take(key: string): string[] {
    const ids = this.#acks.get(key);
    if (!ids) return [];
    this.#acks.delete(key);
    if (this.size === 0) this.#stop();
    return ids;
  }

  /** Everything queued, removed from the queue. */
  takeAll(): QueuedAcks {
    const taken: QueuedAcks = { acks: this.#acks, deletes: this.#deletes, size: this.size };
    this.#acks = new Map();
    this.#deletes = new Map();
    this.#stop();
    return taken;
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, this.#delayMs);
    this.#timer.unref();
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

/** The commands that remove entries from `key`'s pending list and from the stream: XACK, then XDEL. */
export function ackAndDelete(key: string, ids: readonly string[]): BatchCommand[] {
  return [
    ['XACK', key, GROUP, ...ids],
    ['XDEL', key, ...ids],
  ];
}

/** The commands that send `queued`: XACK + XDEL per stream of acks, XDEL per stream of deletions. */
export function ackCommands(queued: QueuedAcks): BatchCommand[] {
  const commands: BatchCommand[] = [];
  for (const [key, ids] of queued.acks) commands.push(...ackAndDelete(key, ids));
  for (const [key, ids] of queued.deletes) commands.push(['XDEL', key, ...ids]);
  return commands;
}
