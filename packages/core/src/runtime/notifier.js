/**
 * A small event bus: listeners subscribe to one event type or to `'*'` (everything).
 * A listener that throws is logged through `onListenerError` and never breaks the engine.
 */
export class Notifier {
    static ANY = '*';
    #listeners = new Map();
    #count = 0;
    onListenerError = () => { };
    /** Subscribes; returns a function that unsubscribes. */
    on(event, listener) {
        let set = this.#listeners.get(event);
        if (!set)
            this.#listeners.set(event, (set = new Set()));
        if (!set.has(listener)) {
            set.add(listener);
            this.#count++;
        }
        return () => this.off(event, listener);
    }
    off(event, listener) {
        if (this.#listeners.get(event)?.delete(listener))
            this.#count--;
    }
    /** True when at least one listener is registered (lets hot paths skip building details). */
    get hasListeners() {
        return this.#count > 0;
    }
    listenerCount(event) {
        return event === undefined ? this.#count : (this.#listeners.get(event)?.size ?? 0);
    }
    notify(event, details) {
        if (this.#count === 0)
            return;
        this.#deliver(this.#listeners.get(event), event, details);
        if (event !== Notifier.ANY)
            this.#deliver(this.#listeners.get(Notifier.ANY), event, details);
    }
    #deliver(set, event, details) {
        if (!set)
            return;
        for (const listener of [...set]) {
            try {
                listener(event, details);
            }
            catch (error) {
                this.onListenerError(error, event);
            }
        }
    }
}
//# sourceMappingURL=notifier.js.map