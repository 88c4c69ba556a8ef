import type { AtomNode } from '../compiler/types';

/**
 * A FIFO of atoms that may be ready, each queued at most once. Entries are checked again
 * when taken (readiness can be lost meanwhile), which keeps every operation O(1).
 */
export class ReadyQueue {
  #items: AtomNode[] = [];
  #head = 0;
  readonly #queued: Uint8Array;

  constructor(size: number) {
    this.#queued = new Uint8Array(size);
  }

  push(node: AtomNode): void {
    if (this.#queued[node.index]) return;
    this.#queued[node.index] = 1;
    this.#items.push(node);
  }

  shift(): AtomNode | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const node = this.#items[this.#head++]!;
    this.#queued[node.index] = 0;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return node;
  }

  /**
   * Entries the queue holds, taken ones included until the next compaction: what it costs in
   * memory. Once over 1024 entries were taken, it drops them when they are more than half.
   */
  get retained(): number {
    return this.#items.length;
  }

  some(predicate: (node: AtomNode) => boolean): boolean {
    for (let i = this.#head; i < this.#items.length; i++) if (predicate(this.#items[i]!)) return true;
    return false;
  }
}
