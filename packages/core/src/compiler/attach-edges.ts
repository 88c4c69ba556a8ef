import type { MEdge, MNode } from './nodes';

/**
 * Hands every node its `in` and `out` edges, at exact size and in the order the
 * edges were made. Returns each node's in-degree, by node id.
 *
 * A node with one edge gets a one-element array literal (exact size); an edge that
 * is both its source's only out-edge and its target's only in-edge (the `order`
 * edges of linear flows) puts the same array in both (read-only, so shareable).
 */
export function attachEdges(nodes: readonly MNode[], edges: readonly MEdge[]): Int32Array {
  const n = nodes.length;
  const indeg = new Int32Array(n);
  const outdeg = new Int32Array(n);
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k]!;
    outdeg[e.from.id]!++;
    indeg[e.to.id]!++;
  }
  for (let i = 0; i < n; i++) {
    const node = nodes[i]!;
    if (indeg[i]! > 1) node.in = new Array<MEdge>(indeg[i]!);
    if (outdeg[i]! > 1) node.out = new Array<MEdge>(outdeg[i]!);
  }
  const inAt = new Int32Array(n);
  const outAt = new Int32Array(n);
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k]!;
    const from = e.from.id;
    const to = e.to.id;
    let single: MEdge[] | undefined;
    if (outdeg[from] === 1) e.from.out = single = [e];
    else (e.from.out as MEdge[])[outAt[from]!++] = e;
    if (indeg[to] === 1) e.to.in = single ?? [e];
    else (e.to.in as MEdge[])[inAt[to]!++] = e;
  }
  return indeg;
}
