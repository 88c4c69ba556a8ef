import { Graph, layout } from '@dagrejs/dagre';
import { compactLayout } from './compact-layout';
import type { FlowGraph } from './graph-model';

/** Where a node sits: its centre and size, in pixels. */
export interface PlacedNode {
  readonly id: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedEdge {
  readonly from: number;
  readonly to: number;
  readonly points: readonly { readonly x: number; readonly y: number }[];
}

export interface GraphLayout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly PlacedEdge[];
}

export const NODE_HEIGHT = 34;
export const JOIN_SIZE = 8;
const CHAR_WIDTH = 7;
const MAX_LABEL_CHARS = 40;

/** A box wide enough for its (shortened) label. */
export function nodeWidth(label: string): number {
  return Math.max(60, Math.min(label.length, MAX_LABEL_CHARS) * CHAR_WIDTH + 24);
}

/** A label cut to what a box shows. */
export function shortLabel(label: string, max = MAX_LABEL_CHARS): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

/** Above this many nodes dagre is too slow (seconds at 1,000) and the compact layout is used. */
export const DAGRE_MAX_NODES = 400;
/** Nodes of one rank beyond which dagre's single row is unreadable. */
export const DAGRE_MAX_RANK_WIDTH = 40;

/** True when dagre would draw `graph` readably and fast: few nodes, no very wide fan-out. */
export function dagreFits(graph: FlowGraph): boolean {
  if (graph.nodes.length > DAGRE_MAX_NODES) return false;
  const fanOut = new Map<number, number>();
  for (const edge of graph.edges) fanOut.set(edge.from, (fanOut.get(edge.from) ?? 0) + 1);
  return Math.max(0, ...fanOut.values()) <= DAGRE_MAX_RANK_WIDTH;
}

/**
 * Lays the graph out top to bottom: with dagre (Sugiyama layering, edges routed) when it
 * fits, else the compact layout (ranks wrapped into rows, no edges). Runs once per graph.
 */
export function layoutGraph(graph: FlowGraph): GraphLayout {
  return dagreFits(graph) ? dagreLayout(graph) : compactLayout(graph);
}

/** Lays the graph out with dagre. */
export function dagreLayout(graph: FlowGraph): GraphLayout {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 14, ranksep: 36, edgesep: 6, marginx: 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    const join = node.kind === 'join';
    g.setNode(String(node.id), { width: join ? JOIN_SIZE : nodeWidth(node.name), height: join ? JOIN_SIZE : NODE_HEIGHT });
  }
  graph.edges.forEach((edge, i) => {
    g.setEdge(String(edge.from), String(edge.to), {}, String(i));
  });
  layout(g);
  const nodes: PlacedNode[] = graph.nodes.map((node) => {
    const placed = g.node(String(node.id));
    return { id: node.id, x: placed.x, y: placed.y, width: placed.width, height: placed.height };
  });
  const edges: PlacedEdge[] = graph.edges.map((edge, i) => ({
    from: edge.from,
    to: edge.to,
    points: g.edge(String(edge.from), String(edge.to), String(i))?.points ?? [],
  }));
  const size = g.graph();
  return { width: Math.ceil(size.width ?? 0), height: Math.ceil(size.height ?? 0), nodes, edges };
}
