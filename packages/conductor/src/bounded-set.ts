/**
 * A set of at most `max` strings; adding one more forgets the oldest. The conductor remembers
 * the jobs it noted or refused in these, so a board flooded with jobs it will not run cannot
 * grow its memory without bound (a forgotten job is only looked at once more).
 */
export class BoundedSet {
  readonly #max: number;
  readonly #items = new Set<string>();

  constructor(max: number) {
    this.#max = max;
  }

  has(item: string): boolean {
    return this.#items.has(item);
  }

  add(item: string): void {
    this.#items.delete(item);
    this.#items.add(item);
    if (this.#items.size > this.#max) {
      const oldest = this.#items.values().next().value;
      if (oldest !== undefined) this.#items.delete(oldest);
    }
  }

  delete(item: string): void {
    this.#items.delete(item);
  }

  get size(): number {
    return this.#items.size;
  }
}
