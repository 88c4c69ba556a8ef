import { type Flow } from '../patterns/flow';
import { MFlow, type MAtom } from './nodes';
/** The flows and atoms of a flow being compiled, with the indexes the later phases look items up in. */
export interface Hierarchy {
    readonly root: MFlow;
    /** Every atom in tree order (pre-order, a flow's retry before its items). */
    readonly tree: MAtom[];
    /** Every flow, the root first, parents before children. */
    readonly flows: MFlow[];
    readonly byFlow: Map<Flow, MFlow>;
    /** Atoms by name (the first one, when names collide). */
    readonly byName: Map<string, MAtom>;
}
/**
 * Builds the hierarchy of `rootFlow` in tree order, without recursion, indexing
 * atom names on the way. Throws `InvalidFlowError` for an item met twice (a task
 * met twice collides with its own name, a flow met twice is in `byFlow`) and
 * `DuplicateNameError` with every duplicated atom name.
 */
export declare function buildHierarchy(rootFlow: Flow): Hierarchy;
