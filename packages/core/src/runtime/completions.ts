import type { AtomNode } from '../compiler/types';
import { isPromiseLike } from './executor';

/** What the scheduler does with an atom. */
export type Job = 'execute' | 'revert';

/** How one atom's execute or revert ended. */
export interface Completion {
  node: AtomNode;
  job: Job;
  ok: boolean;
  value: unknown;
}

/** The atoms still running, and the completions of those that finished, in the order they finished. */
export class Completions {
  #running = 0;
  #inbox: Completion[] = [];
  #wake: (() => void) | undefined;

  /** Atoms started and not finished. */
  get running(): number {
    return this.#running;
  }

  /** True when a completion waits to be taken. */
  get hasCompletions(): boolean {
    return this.#inbox.length > 0;
  }

  /** Forgets everything (a new run). */
  reset(): void {
    this.#inbox = [];
    this.#running = 0;
  }

  /** The completion of an outcome known now; for a promise, counts the atom as running and returns undefined. */
  settle(node: AtomNode, job: Job, outcome: unknown): Completion | undefined {
    if (!isPromiseLike(outcome)) return { node, job, ok: true, value: outcome };
    this.#running++;
    Promise.resolve(outcome).then(
      (value) => this.#deliver({ node, job, ok: true, value }),
      (error: unknown) => this.#deliver({ node, job, ok: false, value: error }),
    );
    return undefined;
  }

  /** The oldest completion not taken yet. */
  take(): Completion | undefined {
    return this.#inbox.shift();
  }

  /** Resolves when the next completion arrives. */
  arrival(): Promise<void> {
    return new Promise<void>((resolve) => (this.#wake = resolve));
  }

  #deliver(completion: Completion): void {
    this.#running--;
    this.#inbox.push(completion);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
