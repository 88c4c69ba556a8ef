import { adjacency, outEdges, type Adjacency } from './edge-index';
import type { ExecutionGraph } from './execution-graph';
import { MAtomBase, type MAtom, type MNode } from './nodes';

/** The nodes and the atoms of the execution graph, each in a topological order, and the edges by the new ids. */
export interface TopologicalOrder {
  readonly nodes: MNode[];
  readonly atoms: MAtom[];
  readonly adjacency: Adjacency;
}

/**
 * Orders the nodes topologically (Kahn, FIFO: keeps the order items were added),
 * then renumbers them (`id`) and the atoms (`index`) in that order, and the ends of
 * the edges with them (in place: `graph.edgeFrom` / `edgeTo` hold the new ids after).
 * The atoms are `tree` itself when they come in tree order (linear and unordered
 * flows): one array per compiled flow less.
 */
export function orderTopologically(graph: ExecutionGraph, tree: MAtom[]): TopologicalOrder {
  const { nodes, edgeFrom, edgeTo } = graph;
  const n = nodes.length;
  const m = edgeFrom.length;
  const pending = new Int32Array(n);
  for (let k = 0; k < m; k++) pending[edgeTo[k]!]!++;
  const outs = outEdges(n, edgeFrom);
  const outStart = outs.start;
  const outEdge = outs.edge;
  /** Old ids in the new order. */
  const order = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (pending[i] === 0) order[tail++] = i;
  for (let head = 0; head < tail; head++) {
    const u = order[head]!;
    for (let j = outStart[u]!, end = outStart[u + 1]!; j < end; j++) {
      const to = edgeTo[outEdge[j]!]!;
      if (--pending[to]! === 0) order[tail++] = to;
    }
  }
  if (tail !== n) throw new Error('tf compiler: execution graph is not acyclic (internal error)');
  const newId = pending; // all zeros now: reused
  const ordered = new Array<MNode>(n);
  let atoms: MAtom[] | undefined; // undefined while the order is the tree's
  let atomIndex = 0;
  for (let id = 0; id < n; id++) {
    const old = order[id]!;
    const node = nodes[old]!;
    newId[old] = id;
    ordered[id] = node;
    node.id = id;
    if (node instanceof MAtomBase) {
      if (atoms !== undefined) atoms[atomIndex] = node as MAtom;
      else if (tree[atomIndex] !== node) {
        atoms = new Array<MAtom>(tree.length);
        for (let k = 0; k < atomIndex; k++) atoms[k] = tree[k]!;
        atoms[atomIndex] = node as MAtom;
      }
      node.index = atomIndex++;
    }
  }
  for (let k = 0; k < m; k++) {
    edgeFrom[k] = newId[edgeFrom[k]!]!;
    edgeTo[k] = newId[edgeTo[k]!]!;
  }
  return { nodes: ordered, atoms: atoms ?? tree, adjacency: adjacency(n, edgeFrom, edgeTo) };
}
