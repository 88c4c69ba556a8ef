import type { AtomNode, ExecNode } from '../compiler/types';
/** The atoms after an atom in the execution graph (what a retry resets, what a decider's "no" ignores). */
export declare class Successors {
    #private;
    constructor(nodes: readonly ExecNode[]);
    /** Every atom after `node` (its transitive successors), in atom order. */
    of(node: AtomNode): AtomNode[];
    /** The atoms after `node` reached without crossing a flow boundary or a retry (TaskFlow's FLOW depth). */
    inSameFlow(node: AtomNode): AtomNode[];
}
