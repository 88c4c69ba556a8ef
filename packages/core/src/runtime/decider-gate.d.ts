import type { AtomNode } from '../compiler/types';
import type { Readiness } from './readiness';
import type { Storage } from './storage';
import type { Successors } from './successors';
import type { Transitions } from './transitions';
/** Applies the deciders that gate an atom, and ignores what a "no" reaches. */
export declare class DeciderGate {
    #private;
    private readonly storage;
    private readonly transitions;
    private readonly readiness;
    private readonly successors;
    constructor(storage: Storage, transitions: Transitions, readiness: Readiness, successors: Successors);
    /** True to run the atom; false when a decider said no and it was ignored. */
    allows(node: AtomNode): boolean;
}
