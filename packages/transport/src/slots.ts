/**
 * Items held in the slots of one array, for a set whose members come and go all the time
 * (the deliveries and handler runs in progress): `add` gives a slot number, `remove` clears
 * the slot and frees it.
 *
 * Not a Set: a Set whose hash table has reached V8's old generation allocates each new table
 * there too, and the table it leaves keeps pointing at every member it held until the next
 * full collection; young-generation collections take those pointers as roots, so every
 * delivery (with its message) outlived two of them and was promoted (measured: a consumer
 * promoted 2.8 times as much with two Sets as with none). A cleared slot points at nothing.
 */
export class Slots<T> {
  readonly #items: (T | undefined)[] = [];
  /** When each occupied slot was filled (a count): `values()` lists them in that order. */
  readonly #order: number[] = [];
  readonly #free: number[] = [];
  #added = 0;
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /** Holds `item`; returns its slot. */
  add(item: T): number {
    const slot = this.#free.pop() ?? this.#items.length;
    this.#items[slot] = item;
    this.#order[slot] = this.#added++;
    this.#size++;
    return slot;
  }

  /** Frees `slot` (nothing when it is free already). */
  remove(slot: number): void {
    if (this.#items[slot] === undefined) return;
    this.#items[slot] = undefined;
    this.#free.push(slot);
    this.#size--;
  }

  /** The items held, in the order they were added. */
  values(): T[] {
    const slots: number[] = [];
    for (let slot = 0; slot < this.#items.length; slot++) if (this.#items[slot] !== undefined) slots.push(slot);
    slots.sort((a, b) => this.#order[a]! - this.#order[b]!);
    return slots.map((slot) => this.#items[slot]!);
  }
}
