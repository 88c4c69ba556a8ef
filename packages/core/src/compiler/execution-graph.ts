import { InvalidFlowError } from '../patterns/errors';
import { indexGraphLinks } from './graph-links';
import type { Hierarchy } from './hierarchy';
import { MFlow, entryOf, exitOf, newEdge, type MEdge, type MNode } from './nodes';

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
  if (f.retry) edges.push(newEdge(f.entry, f.retry, 'structure'));
  const headKind: 'retry' | 'structure' = f.retry ? 'retry' : 'structure';
  const children = f.children;
  const n = children.length;
  if (n === 0) {
    edges.push(newEdge(head, f.exit, headKind));
    return;
  }
  switch (f.pattern) {
    case 'linear': {
      for (let i = 1; i < n; i++) edges.push(newEdge(exitOf(children[i - 1]!), entryOf(children[i]!), 'order'));
      edges.push(newEdge(head, entryOf(children[0]!), headKind));
      edges.push(newEdge(exitOf(children[n - 1]!), f.exit, 'structure'));
      return;
    }
    case 'unordered': {
      for (let i = 0; i < n; i++) {
        const c = children[i]!;
        edges.push(newEdge(head, entryOf(c), headKind));
        edges.push(newEdge(exitOf(c), f.exit, 'structure'));
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
        if (predStart[i] === predStart[i + 1]) edges.push(newEdge(head, entryOf(c), headKind));
        if (succStart[i] === succStart[i + 1]) edges.push(newEdge(exitOf(c), f.exit, 'structure'));
      }
      return;
    }
    default:
      throw new InvalidFlowError(f.name, `unknown pattern '${String(f.pattern)}'`);
  }
}
