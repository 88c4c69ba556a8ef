import type { Flow } from '../patterns/flow';
import type { Task } from '../atoms/task';
import type { CompiledFlow } from '../compiler/types';
import { type Logger } from '../logger';
import type { StorageBackend } from './backend';
import type { AtomEventDetails, FlowEventDetails } from './events';
import { type TaskExecutor } from './executor';
import { Notifier } from './notifier';
import { type MachineState, type RuntimeStatistics } from './runtime';
import { Storage } from './storage';
export interface ActionEngineOptions {
    /** Values atoms can read (TaskFlow's `store`). */
    store?: Record<string, unknown>;
    /** Runs the tasks; defaults to in-process execution. */
    executor?: TaskExecutor;
    /** Most atoms running at once (1 = serial, the default). */
    maxConcurrency?: number;
    backend?: StorageBackend;
    /** The flow run's uuid (a random one by default). */
    flowUuid?: string;
    logger?: Logger;
}
/**
 * Compiles a flow, keeps its storage and runs it with the shared scheduler; the
 * executor decides where tasks run. `@tf/engine`'s `load()` builds these.
 */
export declare class ActionEngine {
    #private;
    readonly flow: Flow | Task;
    /** Flow transitions: PENDING, RUNNING, SUCCESS, REVERTED, FAILURE, SUSPENDING, SUSPENDED... */
    readonly notifier: Notifier<FlowEventDetails>;
    /** Atom transitions and progress (`update_progress`). */
    readonly atomNotifier: Notifier<AtomEventDetails>;
    readonly options: Readonly<ActionEngineOptions>;
    constructor(flow: Flow | Task, options?: ActionEngineOptions);
    /** Compiles the flow (once); throws the compiler's typed errors. */
    compile(): CompiledFlow;
    /** Creates the storage for this run (once), with the store given at load. */
    prepare(): Storage;
    /** Checks that every requirement is satisfied by a provider or the store (MissingRequirementsError). */
    validate(): void;
    get storage(): Storage;
    get compiled(): CompiledFlow;
    get statistics(): Readonly<RuntimeStatistics>;
    /** Stops scheduling new atoms; the run ends SUSPENDED once running atoms finish. Run again to resume. */
    suspend(): void;
    /** Resolves on SUCCESS (or SUSPENDED); rejects after reverting, with the task's own error or a WrappedFailure. */
    run(): Promise<void>;
    /** Runs, yielding the engine's states (RESUMING, SCHEDULING, WAITING, ANALYZING, then the final flow state). */
    runIter(): AsyncGenerator<MachineState, void, undefined>;
}
