import type { AtomState, FlowState, Intention } from './states';
/** What storage keeps of one atom. Values are kept as given (a persistent backend serialises them). */
export interface AtomRecord {
    name: string;
    kind: 'task' | 'retry';
    state: AtomState;
    intention: Intention;
    /** `execute`'s result when it succeeded. */
    result?: unknown;
    /** The failure `execute` raised (a `Failure`). */
    failure?: unknown;
    /** What `revert` returned, or the failure it raised (`revertFailure`). */
    revertResult?: unknown;
    revertFailure?: unknown;
    /** Last reported progress, 0..1. */
    progress: number;
    /** Retry controllers: past attempts, `{ value, failures }`. */
    history?: {
        value: unknown;
        failures: Record<string, unknown>;
    }[];
}
/** What storage keeps of the flow. */
export interface FlowRecord {
    uuid: string;
    name: string;
    state: FlowState;
    /** The values given to `load(..., { store })` and `storage.inject()`. */
    store: Record<string, unknown>;
}
/**
 * Where storage writes through to. The runtime never reads from a backend while
 * running (storage keeps the live copy); backends exist so that runs can be kept
 * and inspected, or resumed by a later engine. Methods may return promises: the
 * storage chains them in order and `storage.flush()` waits for them.
 */
export interface StorageBackend {
    saveFlow(record: Readonly<FlowRecord>): void | Promise<void>;
    saveAtom(flowUuid: string, record: Readonly<AtomRecord>): void | Promise<void>;
    loadFlow(flowUuid: string): FlowRecord | undefined | Promise<FlowRecord | undefined>;
    loadAtoms(flowUuid: string): AtomRecord[] | Promise<AtomRecord[]>;
}
/** Keeps everything in this process; the default backend. */
export declare class MemoryBackend implements StorageBackend {
    #private;
    saveFlow(record: Readonly<FlowRecord>): void;
    saveAtom(flowUuid: string, record: Readonly<AtomRecord>): void;
    loadFlow(flowUuid: string): FlowRecord | undefined;
    loadAtoms(flowUuid: string): AtomRecord[];
}
