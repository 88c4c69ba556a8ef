import type { AtomNode } from '../compiler/types';
import type { TaskExecutor } from './executor';
import type { Storage } from './storage';
import type { Transitions } from './transitions';
/**
 * Calls an atom's `execute` or `revert` with its arguments: a retry controller
 * directly, a task through the executor. Returns the outcome or a promise of it;
 * throws what the atom throws.
 */
export declare class AtomRunner {
    private readonly storage;
    private readonly executor;
    private readonly transitions;
    constructor(storage: Storage, executor: TaskExecutor, transitions: Transitions);
    execute(node: AtomNode): unknown;
    revert(node: AtomNode): unknown;
}
/** Revert gets the same arguments as execute, as far as they can still be found. */
export declare function revertArgs(storage: Storage, node: AtomNode): Record<string, unknown>;
