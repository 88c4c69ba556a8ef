import { MAtomBase, type MAtom, type MNode } from './nodes';

/** The nodes and the atoms of the execution graph, each in a topological order. */
export interface TopologicalOrder {
  readonly nodes: MNode[];
  readonly atoms: MAtom[];
}

/**
 * Orders the nodes topologically (Kahn, FIFO: keeps the order items were added),
 * then renumbers them (`id`) and the atoms (`index`) in that order. Consumes
 * `indegree` (each node's in-degree, by id), which ends all zeros. The atoms are
 * `tree` itself when they come in tree order (linear and unordered flows): one
 * array per compiled flow less.
 */
export function orderTopologically(nodes: readonly MNode[], indegree: Int32Array, tree: MAtom[]): TopologicalOrder {
  const n = nodes.length;
  const pending = indegree;
  const order = new Array<MNode>(n);
  let tail = 0;
  for (let i = 0; i < n; i++) if (pending[i] === 0) order[tail++] = nodes[i]!;
  for (let head = 0; head < tail; head++) {
    const out = order[head]!.out;
    for (let k = 0; k < out.length; k++) {
      const to = out[k]!.to;
      if (--pending[to.id]! === 0) order[tail++] = to;
    }
  }
  if (tail !== n) throw new Error('tf compiler: execution graph is not acyclic (internal error)');
  let atoms: MAtom[] | undefined; // undefined while the order is the tree's
  let atomIndex = 0;
  for (let id = 0; id < n; id++) {
    const node = order[id]!;
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
  return { nodes: order, atoms: atoms ?? tree };
}
