import type { FlowGraph } from './graph-model';
import type { GraphLayout, PlacedNode } from './layout';

const BOX_WIDTH = 150;
const BOX_HEIGHT = 30;
const GAP = 8;
const RANK_GAP = 28;
const MARGIN = 12;

/**
 * A layout in O(nodes + edges) for graphs too large or too wide for dagre (its layering takes
 * seconds at a thousand nodes and minutes at ten thousand, and draws a thousand parallel
 * tasks as one line 70,000 px wide): each node's rank is its longest path from a source, and
 * each rank is wrapped into rows of fixed boxes. Joins are not drawn, nor edges: the ranks
 * read top to bottom.
 */
export function compactLayout(graph: FlowGraph): GraphLayout {
  const count = graph.nodes.length;
  const index = new Map<number, number>();
  graph.nodes.forEach((node, i) => {
    index.set(node.id, i);
  });
  const incoming: number[][] = Array.from({ length: count }, () => []);
  for (const edge of graph.edges) {
    const from = index.get(edge.from);
    const to = index.get(edge.to);
    if (from !== undefined && to !== undefined) incoming[to]!.push(from);
  }
  // Node ids are a topological order (CompiledFlow.nodes): predecessors are ranked first.
  const order = graph.nodes.map((_, i) => i).sort((a, b) => graph.nodes[a]!.id - graph.nodes[b]!.id);
  const rank = new Array<number>(count).fill(0);
  for (const i of order) {
    // A join adds no rank of its own: what follows it lines up with it.
    for (const from of incoming[i]!) rank[i] = Math.max(rank[i]!, rank[from]! + (graph.nodes[from]!.kind === 'join' ? 0 : 1));
  }
  const ranks = new Map<number, number[]>();
  for (const i of order) {
    if (graph.nodes[i]!.kind === 'join') continue;
    let members = ranks.get(rank[i]!);
    if (!members) ranks.set(rank[i]!, (members = []));
    members.push(i);
  }
  const atoms = count - graph.nodes.filter((n) => n.kind === 'join').length;
  const columns = Math.max(8, Math.min(60, Math.ceil(Math.sqrt(atoms * 2))));
  const placed: PlacedNode[] = graph.nodes.map((node) => ({ id: node.id, x: 0, y: 0, width: 0, height: 0 }));
  let top = MARGIN;
  let widest = 0;
  for (const key of [...ranks.keys()].sort((a, b) => a - b)) {
    const members = ranks.get(key)!;
    members.forEach((i, k) => {
      const column = k % columns;
      const row = Math.floor(k / columns);
      const x = MARGIN + column * (BOX_WIDTH + GAP) + BOX_WIDTH / 2;
      const y = top + row * (BOX_HEIGHT + GAP) + BOX_HEIGHT / 2;
      placed[i] = { id: graph.nodes[i]!.id, x, y, width: BOX_WIDTH, height: BOX_HEIGHT };
    });
    const rows = Math.ceil(members.length / columns);
    widest = Math.max(widest, Math.min(members.length, columns) * (BOX_WIDTH + GAP));
    top += rows * (BOX_HEIGHT + GAP) + RANK_GAP;
  }
  return {
    width: Math.ceil(widest + 2 * MARGIN),
    height: Math.ceil(top + MARGIN - RANK_GAP),
    nodes: placed,
    edges: graph.edges.map((e) => ({ from: e.from, to: e.to, points: [] })),
  };
}
