import { type MAtom, type MNode } from './nodes';
/** The nodes and the atoms of the execution graph, each in a topological order. */
export interface TopologicalOrder {
    readonly nodes: MNode[];
    readonly atoms: MAtom[];
}
/**
 * Orders the nodes topologically (Kahn, FIFO: keeps the order items were added),
 * then renumbers them (`id`) and the atoms (`index`) in that order. Consumes
 * `indegree` (each node's in-degree, by id), which ends all zeros.
 */
export declare function orderTopologically(nodes: readonly MNode[], indegree: Int32Array, atomCount: number): TopologicalOrder;
