/** A listener receives the event type (a state name, or e.g. `update_progress`) and its details. */
export type NotifierCallback<D> = (event: string, details: D) => void;

/**
 * A small event bus: listeners subscribe to one event type or to `'*'` (everything).
 * A listener that throws is logged through `onListenerError` and never breaks the engine.
 */
export class Notifier<D = Record<string, unknown>> {
  static readonly ANY = '*';
  readonly #listeners = new Map<string, Set<NotifierCallback<D>>>();
  #count = 0;
  onListenerError: (error: unknown, event: string) => void = () => {};

  /** Subscribes; returns a function that unsubscribes. */
  on(event: string, listener: NotifierCallback<D>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    if (!set.has(listener)) {
      set.add(listener);
      this.#count++;
    }
    return () => this.off(event, listener);
  }

  off(event: string, listener: NotifierCallback<D>): void {
    if (this.#listeners.get(event)?.delete(listener)) this.#count--;
  }

  /** True when at least one listener is registered (lets hot paths skip building details). */
  get hasListeners(): boolean {
    return this.#count > 0;
  }

  listenerCount(event?: string): number {
    return event === undefined ? this.#count : (this.#listeners.get(event)?.size ?? 0);
  }

  notify(event: string, details: D): void {
    if (this.#count === 0) return;
    this.#deliver(this.#listeners.get(event), event, details);
    if (event !== Notifier.ANY) this.#deliver(this.#listeners.get(Notifier.ANY), event, details);
  }

  #deliver(set: Set<NotifierCallback<D>> | undefined, event: string, details: D): void {
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(event, details);
      } catch (error) {
        this.onListenerError(error, event);
      }
    }
  }
}
