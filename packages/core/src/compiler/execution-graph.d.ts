import type { Hierarchy } from './hierarchy';
import { MEdge, type MNode } from './nodes';
/** The nodes (numbered in the order listed) and edges of a flow, before the edges are handed to their nodes. */
export interface ExecutionGraph {
    readonly nodes: MNode[];
    readonly edges: MEdge[];
}
/**
 * Lists every node (per flow: entry, retry, atom items, exit) and makes every edge
 * (structure, retry, order and link edges), as described in `types.ts`.
 */
export declare function buildExecutionGraph(hierarchy: Hierarchy): ExecutionGraph;
