/** A listener receives the event type (a state name, or e.g. `update_progress`) and its details. */
export type NotifierCallback<D> = (event: string, details: D) => void;
/**
 * A small event bus: listeners subscribe to one event type or to `'*'` (everything).
 * A listener that throws is logged through `onListenerError` and never breaks the engine.
 */
export declare class Notifier<D = Record<string, unknown>> {
    #private;
    static readonly ANY = "*";
    onListenerError: (error: unknown, event: string) => void;
    /** Subscribes; returns a function that unsubscribes. */
    on(event: string, listener: NotifierCallback<D>): () => void;
    off(event: string, listener: NotifierCallback<D>): void;
    /** True when at least one listener is registered (lets hot paths skip building details). */
    get hasListeners(): boolean;
    listenerCount(event?: string): number;
    notify(event: string, details: D): void;
}
