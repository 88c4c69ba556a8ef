import { adjacencyOf, type Adjacency } from '../compiler/edge-index';
import type { AtomNode, CompiledFlow, ExecNode } from '../compiler/types';

/** The atoms after an atom in the execution graph (what a retry resets, what a decider's "no" ignores). */
export class Successors {
  readonly #nodes: readonly ExecNode[];
  readonly #edges: Adjacency;
  readonly #cache = new Map<number, AtomNode[]>();

  /** `edges`: the compiled flow's adjacency (read from the nodes' `out` when not given). */
  constructor(nodes: readonly ExecNode[], edges: Adjacency = adjacencyOf({ nodes } as CompiledFlow)) {
    this.#nodes = nodes;
    this.#edges = edges;
  }

  /** Every atom after `node` (its transitive successors), in atom order. */
  of(node: AtomNode): AtomNode[] {
    const cached = this.#cache.get(node.id);
    if (cached) return cached;
    const out = this.#walk(node, false);
    this.#cache.set(node.id, out);
    return out;
  }

  /** The atoms after `node` reached without crossing a flow boundary or a retry (TaskFlow's FLOW depth). */
  inSameFlow(node: AtomNode): AtomNode[] {
    return this.#walk(node, true);
  }

  /** The tasks right after `node`, in edge order (TaskFlow's NEIGHBORS depth). */
  neighbors(node: AtomNode): AtomNode[] {
    const nodes = this.#nodes;
    const { edgeTo, outStart, outEdge } = this.#edges;
    const out: AtomNode[] = [];
    for (let j = outStart[node.id]!, end = outStart[node.id + 1]!; j < end; j++) {
      const next = nodes[edgeTo[outEdge[j]!]!]!;
      if (next.kind === 'task') out.push(next as AtomNode);
    }
    return out;
  }

  #walk(node: AtomNode, sameFlow: boolean): AtomNode[] {
    const nodes = this.#nodes;
    const { edgeTo, outStart, outEdge } = this.#edges;
    const seen = new Uint8Array(nodes.length);
    const out: AtomNode[] = [];
    const stack: (AtomNode | ExecNode)[] = [node];
    seen[node.id] = 1;
    while (stack.length > 0) {
      const current = stack.pop()!;
      for (let j = outStart[current.id]!, end = outStart[current.id + 1]!; j < end; j++) {
        const next = nodes[edgeTo[outEdge[j]!]!]!;
        if (seen[next.id]) continue;
        seen[next.id] = 1;
        if (sameFlow && next.kind !== 'task') continue;
        if (next.kind === 'task' || next.kind === 'retry') out.push(next as AtomNode);
        stack.push(next);
      }
    }
    out.sort((a, b) => a.index - b.index);
    return out;
  }
}
