import { InvalidFlowError } from '../patterns/errors';
import { indexGraphLinks } from './graph-links';
import type { Hierarchy } from './hierarchy';
import { explicitLink, type ExplicitLink, type LinkReasons, type LinkTable } from '../patterns/link-table';
import { MFlow, entryOf, exitOf, type MNode } from './nodes';

/**
 * The nodes (numbered in the order listed) and edges of a flow: edge `k` goes from node
 * `edgeFrom[k]` to node `edgeTo[k]` (by id), in the order the edges were made; it is
 * link `edgeLink[k]` of `links` when `edgeLink[k] >= 0` (the graph flows' links, one
 * flow after the other).
 */
export interface ExecutionGraph {
  readonly nodes: MNode[];
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeLink: Int32Array;
  readonly links: LinkTable;
}

/**
 * Lists every node (per flow: entry, retry, atom items, exit) and makes every edge
 * (structure, retry, order and link edges), as described in `types.ts`. The nodes are
 * numbered and the edges counted first, so the edge arrays are made once, at their size.
 */
export function buildExecutionGraph(hierarchy: Hierarchy): ExecutionGraph {
  const { tree, flows } = hierarchy;
  const nodes = new Array<MNode>(tree.length + 2 * flows.length);
  let nodeCount = 0;
  const addNode = (node: MNode): void => {
    node.id = nodeCount;
    nodes[nodeCount++] = node;
  };
  let edgeCount = 0;
  for (const f of flows) {
    addNode(f.entry);
    if (f.retry) addNode(f.retry);
    const children = f.children;
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      if (!(c instanceof MFlow)) addNode(c);
    }
    addNode(f.exit);
    edgeCount += countFlowEdges(f, hierarchy);
  }
  if (nodeCount !== nodes.length) throw new Error('tf compiler: node count mismatch (internal error)');
  const edgeFrom = new Int32Array(edgeCount);
  const edgeTo = new Int32Array(edgeCount);
  const edgeLink = new Int32Array(edgeCount).fill(-1);
  const out: EdgeWriter = { edgeFrom, edgeTo, edgeLink, count: 0, linkCount: 0 };
  const tables: LinkTable[] = [];
  for (const f of flows) {
    if (f.graph) tables.push(f.graph.table);
    addFlowEdges(f, out);
  }
  if (out.count !== edgeCount) throw new Error('tf compiler: edge count mismatch (internal error)');
  const links = concatTables(tables);
  // Only what the edges need: the positions are the graph flows' scratch.
  return { nodes, edgeFrom, edgeTo, edgeLink, links: { from: NO_POSITIONS, to: NO_POSITIONS, reasons: links.reasons, meta: links.meta } };
}

/** The links of every graph flow in one table (the table itself when there is one). */
function concatTables(tables: readonly LinkTable[]): LinkTable {
  if (tables.length === 1) return tables[0]!;
  if (tables.length === 0) return { from: NO_POSITIONS, to: NO_POSITIONS, reasons: [], meta: [] };
  const reasons: LinkReasons[] = [];
  const meta: (ExplicitLink | undefined)[] = [];
  for (const t of tables) {
    for (let k = 0; k < t.reasons.length; k++) {
      reasons.push(t.reasons[k]!);
      meta.push(explicitLink(t, k));
    }
  }
  return { from: NO_POSITIONS, to: NO_POSITIONS, reasons, meta };
}

const NO_POSITIONS = new Int32Array(0);

interface EdgeWriter {
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  readonly edgeLink: Int32Array;
  count: number;
  linkCount: number;
}

function addEdge(out: EdgeWriter, from: MNode, to: MNode): void {
  const k = out.count++;
  out.edgeFrom[k] = from.id;
  out.edgeTo[k] = to.id;
}

/** How many edges `addFlowEdges` makes for `f` (indexes a graph flow's links on the way). */
function countFlowEdges(f: MFlow, hierarchy: Hierarchy): number {
  const n = f.children.length;
  const retry = f.retry ? 1 : 0;
  if (n === 0) return retry + 1;
  switch (f.pattern) {
    case 'linear':
      return retry + n + 1;
    case 'unordered':
      return retry + 2 * n;
    case 'graph': {
      const g = (f.graph = indexGraphLinks(f, hierarchy));
      let count = retry + g.linkFrom.length;
      const { predStart, succStart } = g;
      for (let i = 0; i < n; i++) {
        if (predStart[i] === predStart[i + 1]) count++;
        if (succStart[i] === succStart[i + 1]) count++;
      }
      return count;
    }
    default:
      throw new InvalidFlowError(f.name, `unknown pattern '${String(f.pattern)}'`);
  }
}

/** The edges of one flow: from its head (retry, else entry) to its first items, its pattern's order, its last items to its exit. */
function addFlowEdges(f: MFlow, out: EdgeWriter): void {
  const head: MNode = f.retry ?? f.entry;
  if (f.retry) addEdge(out, f.entry, f.retry);
  const children = f.children;
  const n = children.length;
  if (n === 0) {
    addEdge(out, head, f.exit);
    return;
  }
  switch (f.pattern) {
    case 'linear': {
      for (let i = 1; i < n; i++) addEdge(out, exitOf(children[i - 1]!), entryOf(children[i]!));
      addEdge(out, head, entryOf(children[0]!));
      addEdge(out, exitOf(children[n - 1]!), f.exit);
      return;
    }
    case 'unordered': {
      for (let i = 0; i < n; i++) {
        const c = children[i]!;
        addEdge(out, head, entryOf(c));
        addEdge(out, exitOf(c), f.exit);
      }
      return;
    }
    case 'graph': {
      const g = f.graph!;
      const { linkFrom, linkTo } = g;
      for (let k = 0; k < linkFrom.length; k++) {
        out.edgeLink[out.count] = out.linkCount++;
        addEdge(out, exitOf(children[linkFrom[k]!]!), entryOf(children[linkTo[k]!]!));
      }
      const { predStart, succStart } = g;
      for (let i = 0; i < n; i++) {
        const c = children[i]!;
        if (predStart[i] === predStart[i + 1]) addEdge(out, head, entryOf(c));
        if (succStart[i] === succStart[i + 1]) addEdge(out, exitOf(c), f.exit);
      }
      return;
    }
  }
}
