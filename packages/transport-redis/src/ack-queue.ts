/**
 * Acks (XACK + XDEL) waiting to be sent. Like AMQP's `basic.ack`, an ack is not confirmed to
 * the caller: it is queued, and goes out with the next write to Redis that happens anyway
 * (the consumer's next read, the next publish), or after `delayMs` at the latest. Queued
 * acks are sent before a consumer leaves or the transport closes; those of a lost
 * connection are dropped (the messages come again, as they would anyway).
 */
export class AckQueue {
  readonly #pending = new Map<string, string[]>();
  readonly #delayMs: number;
  readonly #flush: () => void;
  #timer: NodeJS.Timeout | undefined;

  constructor(delayMs: number, flush: () => void) {
    this.#delayMs = delayMs;
    this.#flush = flush;
  }

  get size(): number {
    return this.#pending.size;
  }

  add(key: string, id: string): void {
    const ids = this.#pending.get(key);
    if (ids) ids.push(id);
    else this.#pending.set(key, [id]);
    if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#flush();
      }, this.#delayMs);
      this.#timer.unref();
    }
  }

  /** The queued acks of one stream, removed from the queue. */
  take(key: string): string[] {
    const ids = this.#pending.get(key);
    if (!ids) return [];
    this.#pending.delete(key);
    if (this.#pending.size === 0) this.#stop();
    return ids;
  }

  /** Every queued ack, by stream, removed from the queue. */
  takeAll(): Map<string, string[]> {
    const all = new Map(this.#pending);
    this.#pending.clear();
    this.#stop();
    return all;
  }

  #stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
