import { InvalidFlowError } from '../patterns/errors';
import { indexGraphLinks } from './graph-links';
import type { Hierarchy } from './hierarchy';
import { MEdge, MFlow, entryOf, exitOf, type MNode } from './nodes';

/** The nodes (numbered in the order listed) and edges of a flow, before the edges are handed to their nodes. */
export interface ExecutionGraph {
  readonly nodes: MNode[];
  readonly edges: MEdge[];
}

/**
 * Lists every node (per flow: entry, retry, atom items, exit) and makes every edge
 * (structure, retry, order and link edges), as described in `types.ts`.
 */
export function buildExecutionGraph(hierarchy: Hierarchy): ExecutionGraph {
  const { tree, flows } = hierarchy;
  const nodes = new Array<MNode>(tree.length + 2 * flows.length);
  let nodeCount = 0;
  const addNode = (node: MNode): void => {
    node.id = nodeCount;
    nodes[nodeCount++] = node;
  };
  const edges: MEdge[] = [];
  for (const f of flows) {
    addNode(f.entry);
    if (f.retry) addNode(f.retry);
    const children = f.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (!(c instanceof MFlow)) addNode(c);
    }
    addNode(f.exit);
    addFlowEdges(f, hierarchy, edges);
  }
  if (nodeCount !== nodes.length) throw new Error('tf compiler: node count mismatch (internal error)');
  return { nodes, edges };
}

/** The edges of one flow: from its head (retry, else entry) to its first items, its pattern's order, its last items to its exit. */
function addFlowEdges(f: MFlow, hierarchy: Hierarchy, edges: MEdge[]): void {
  const head: MNode = f.retry ?? f.entry;
  if (f.retry) edges.push(new MEdge(f.entry, f.retry));
  const children = f.children;
  const n = children.length;
  if (n === 0) {
    edges.push(new MEdge(head, f.exit));
    return;
  }
  switch (f.pattern) {
    case 'linear': {
      for (let i = 1; i < n; i++) edges.push(new MEdge(exitOf(children[i - 1]!), entryOf(children[i]!)));
      edges.push(new MEdge(head, entryOf(children[0]!)));
      edges.push(new MEdge(exitOf(children[n - 1]!), f.exit));
      return;
    }
    case 'unordered': {
      for (let i = 0; i < n; i++) {
        const c = children[i]!;
        edges.push(new MEdge(head, entryOf(c)));
        edges.push(new MEdge(exitOf(c), f.exit));
      }
      return;
    }
    case 'graph': {
      const g = (f.graph = indexGraphLinks(f, hierarchy));
      const links = g.links;
      for (let k = 0; k < links.length; k++) edges.push(links[k]!);
      const { predStart, succStart } = g;
      for (let i = 0; i < n; i++) {
        const c = children[i]!;
        if (predStart[i] === predStart[i + 1]) edges.push(new MEdge(head, entryOf(c)));
        if (succStart[i] === succStart[i + 1]) edges.push(new MEdge(exitOf(c), f.exit));
      }
      return;
    }
    default:
      throw new InvalidFlowError(f.name, `unknown pattern '${String(f.pattern)}'`);
  }
}
