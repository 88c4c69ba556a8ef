import type { AtomNode } from '../compiler/types';
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
export declare class Completions {
    #private;
    /** Atoms started and not finished. */
    get running(): number;
    /** True when a completion waits to be taken. */
    get hasCompletions(): boolean;
    /** Forgets everything (a new run). */
    reset(): void;
    /** The completion of an outcome known now; for a promise, counts the atom as running and returns undefined. */
    settle(node: AtomNode, job: Job, outcome: unknown): Completion | undefined;
    /** The oldest completion not taken yet. */
    take(): Completion | undefined;
    /** Resolves when the next completion arrives. */
    arrival(): Promise<void>;
}
