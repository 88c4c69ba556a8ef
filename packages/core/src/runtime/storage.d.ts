import type { AtomNode, CompiledFlow } from '../compiler/types';
import { Failure } from '../failure/failure';
import { RetryHistory } from '../atoms/retry';
import { type AtomRecord, type StorageBackend } from './backend';
import type { AtomState, FlowState, Intention } from './states';
export interface StorageOptions {
    backend?: StorageBackend;
    store?: Record<string, unknown>;
    flowUuid?: string;
}
/**
 * The live state of one flow run: atom states and intentions, results and failures,
 * the store, retry histories. Symbols are resolved as TaskFlow does: an atom's own
 * `inject`, then the store, then the nearest provider that produced a result.
 */
export declare class Storage {
    #private;
    readonly flowUuid: string;
    readonly backend: StorageBackend;
    constructor(compiled: CompiledFlow, options?: StorageOptions);
    get flowName(): string;
    get flowState(): FlowState;
    setFlowState(state: FlowState): void;
    /** Adds values to the store (what atoms read when no atom provides a symbol). */
    inject(values: Record<string, unknown>): void;
    /** The symbols the store holds. */
    get storeKeys(): string[];
    /** A read-only snapshot of an atom's record. */
    atom(name: string): Readonly<AtomRecord>;
    atomNames(): string[];
    getState(name: string): AtomState;
    /** Every atom's state, by name. */
    getStates(): Record<string, AtomState>;
    getIntention(name: string): Intention;
    /** Sets the state; going back to PENDING forgets results, failures and progress. */
    setState(name: string, state: AtomState): void;
    setIntention(name: string, intention: Intention): void;
    saveResult(name: string, result: unknown): void;
    saveFailure(name: string, failure: Failure): void;
    saveRevertResult(name: string, result: unknown): void;
    saveRevertFailure(name: string, failure: Failure): void;
    setProgress(name: string, progress: number): void;
    getProgress(name: string): number;
    /** What the atom's `execute` produced: its result, its Failure, or undefined. */
    get(name: string): unknown;
    /** Atoms whose `execute` failed, with their failures. */
    getFailures(): Record<string, Failure>;
    /** Atoms whose `revert` failed, with their failures. */
    getRevertFailures(): Record<string, Failure>;
    getHistory(retryName: string): RetryHistory;
    /** Starts a new attempt of a retry controller with the value its `execute` returned. */
    addRetryAttempt(retryName: string, value: unknown): void;
    /** Records a failure in the scope of a retry controller, in its current attempt. */
    addRetryFailure(retryName: string, atomName: string, failure: Failure): void;
    clearHistory(retryName: string): void;
    /** The value of a symbol: from the store, else from the latest provider with a result. */
    fetch(symbol: string): unknown;
    /** Every symbol with a value: the store plus whatever atoms provided. */
    fetchAll(): Record<string, unknown>;
    /** The arguments an atom's `execute` (and `revert`) receives, by argument name. */
    fetchArgs(node: AtomNode): Record<string, unknown>;
    /** Waits for the backend to have every write; rethrows the first write error. */
    flush(): Promise<void>;
}
