/**
 * Makes one process's messages to a topic visible in the order they were published, when
 * published without waiting for each other (a worker's progress events, then its result):
 * the files are written at once, but each is renamed into the topic folder only after the
 * one published before it to that folder is there (or failed). A consumer sees a file only
 * once renamed, so without this a small message could overtake a large one.
 */
export class RenameTurns {
  readonly #last = new Map<string, Promise<void>>();

  /**
   * The next turn for `dir`: take it synchronously, in publish order. `ready` resolves when
   * the message published before it to `dir` is settled; `done` settles this one.
   */
  take(dir: string): { ready: Promise<void>; done: () => void } {
    const ready = this.#last.get(dir) ?? Promise.resolve();
    let settle!: () => void;
    const mine = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.#last.set(dir, mine);
    return {
      ready,
      done: () => {
        settle();
        if (this.#last.get(dir) === mine) this.#last.delete(dir);
      },
    };
  }

  /** Folders with a publish in progress (for tests: nothing is kept once they settle). */
  get size(): number {
    return this.#last.size;
  }
}
