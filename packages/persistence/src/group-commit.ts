/**
 * Ordered writes per key with group commit: items pushed while a write is in flight are
 * written together by the next one, in the order pushed. A store that takes a millisecond
 * per write (an fsync, a round trip) then keeps up with any rate of small batches, and the
 * order of writes is the order of `push` calls. Every item of a failed write is rejected.
 */
export class GroupCommit<T> {
  readonly #write: (key: string, items: T[]) => Promise<void>;
  readonly #pending = new Map<string, { item: T; resolve: () => void; reject: (error: unknown) => void }[]>();
  readonly #running = new Map<string, Promise<void>>();

  constructor(write: (key: string, items: T[]) => Promise<void>) {
    this.#write = write;
  }

  push(key: string, item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let queue = this.#pending.get(key);
      if (!queue) this.#pending.set(key, (queue = []));
      queue.push({ item, resolve, reject });
      if (!this.#running.has(key)) this.#running.set(key, this.#drain(key));
    });
  }

  /** Resolves once everything pushed for `key` (or for every key) so far is written or failed. */
  async idle(key?: string): Promise<void> {
    const running = key === undefined ? [...this.#running.values()] : [this.#running.get(key)];
    await Promise.all(running);
  }

  async #drain(key: string): Promise<void> {
    // Let the caller's synchronous burst of pushes join the first write.
    await Promise.resolve();
    for (;;) {
      const queue = this.#pending.get(key);
      if (!queue?.length) break;
      this.#pending.delete(key);
      try {
        await this.#write(
          key,
          queue.map((q) => q.item),
        );
        for (const q of queue) q.resolve();
      } catch (error) {
        for (const q of queue) q.reject(error);
      }
    }
    this.#running.delete(key);
  }
}
