import type { CompiledFlow } from '../compiler/types';
import type { Logger } from '../logger';
import type { AtomEventDetails, FlowEventDetails } from './events';
import type { TaskExecutor } from './executor';
import type { Notifier } from './notifier';
import type { FlowState, Intention } from './states';
import type { Storage } from './storage';
/** What the scheduler loop passes through; the last one yielded is the flow's final state. */
export type MachineState = 'RESUMING' | 'SCHEDULING' | 'WAITING' | 'ANALYZING' | FlowState;
export interface RuntimeStatistics {
    /** Atoms executed or reverted to completion. */
    completed: number;
    /** Failures resolved by reverting or retrying. */
    discardedFailures: number;
    /** Run time of the last run, in milliseconds. */
    activeForMs: number;
}
export interface RuntimeOptions {
    compiled: CompiledFlow;
    storage: Storage;
    executor: TaskExecutor;
    notifier: Notifier<FlowEventDetails>;
    atomNotifier: Notifier<AtomEventDetails>;
    /** Most atoms running at once (1 = serial). */
    maxConcurrency: number;
    logger: Logger;
}
/**
 * The scheduler: runs every atom whose inputs are ready (see `Readiness`), reverts
 * in reverse dependency order on failure, asks retry controllers what to do
 * (`FailureResolver`), applies deciders (`DeciderGate`). It is the same for every
 * engine; only the executor differs.
 */
export declare class Runtime {
    #private;
    readonly statistics: RuntimeStatistics;
    constructor(options: RuntimeOptions);
    /** Asks the run to stop scheduling new atoms; running ones finish and the flow ends SUSPENDED. */
    suspend(): void;
    /** Runs the flow, yielding the machine's states; the last is the flow's final state. Throws on failure. */
    run(): AsyncGenerator<MachineState, void, undefined>;
    /** The intention of every atom (for inspection and tests). */
    intentions(): Record<string, Intention>;
}
