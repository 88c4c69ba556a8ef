import type { MEdge, MNode } from './nodes';
/**
 * Hands every node its `in` and `out` edges, at exact size and in the order the
 * edges were made. Returns each node's in-degree, by node id.
 *
 * A node with one edge gets a one-element array literal (exact size); an edge that
 * is both its source's only out-edge and its target's only in-edge (the `order`
 * edges of linear flows) puts the same array in both (read-only, so shareable).
 */
export declare function attachEdges(nodes: readonly MNode[], edges: readonly MEdge[]): Int32Array;
