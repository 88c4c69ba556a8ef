import type { Logger } from '../logger';
import type { AtomEventDetails, FlowEventDetails } from './events';
import type { Notifier } from './notifier';
/** Anything with the two notifiers of an engine. */
export interface Observable {
    readonly notifier: Notifier<FlowEventDetails>;
    readonly atomNotifier: Notifier<AtomEventDetails>;
}
/**
 * The base of the ready-made listeners: `attach(engine)` subscribes, `detach()`
 * unsubscribes; `using` (or try/finally) works too.
 */
export declare abstract class Listener {
    #private;
    attach(engine: Observable): this;
    detach(): void;
    [Symbol.dispose](): void;
    protected onFlow(_state: string, _details: FlowEventDetails): void;
    protected onAtom(_event: string, _details: AtomEventDetails): void;
}
/** Logs every flow and atom transition (and progress) through a pino-compatible logger. */
export declare class LoggingListener extends Listener {
    #private;
    constructor(logger: Logger, options?: {
        level?: 'info' | 'debug' | 'trace';
    });
    protected onFlow(state: string, d: FlowEventDetails): void;
    protected onAtom(event: string, d: AtomEventDetails): void;
}
/** Prints one line per transition (to stdout by default). */
export declare class PrintingListener extends Listener {
    #private;
    constructor(options?: {
        write?: (line: string) => void;
    });
    protected onFlow(state: string, d: FlowEventDetails): void;
    protected onAtom(event: string, d: AtomEventDetails): void;
}
/** Measures how long each atom ran (RUNNING to its end), in milliseconds. */
export declare class TimingListener extends Listener {
    #private;
    readonly durations: Map<string, number>;
    protected onAtom(event: string, d: AtomEventDetails): void;
}
/** Captures transitions as strings (`'a.t RUNNING'`, `'flow.f SUCCESS'`), for tests and debugging. */
export declare class CapturingListener extends Listener {
    #private;
    readonly values: string[];
    constructor(options?: {
        flow?: boolean;
        atoms?: boolean;
        progress?: boolean;
    });
    protected onFlow(state: string, d: FlowEventDetails): void;
    protected onAtom(event: string, d: AtomEventDetails): void;
}
