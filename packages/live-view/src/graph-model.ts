import { type CompiledFlow, compile, type Edge, type Flow, isFlow } from '@tf/core';

/** A node of the picture: an atom, or a flow's entry or exit join (drawn as a dot). */
export interface GraphNode {
  /** The compiled node's id (its index in `CompiledFlow.nodes`). */
  readonly id: number;
  readonly kind: 'task' | 'retry' | 'join';
  /** Atom name; for a join, the flow it opens or closes. */
  readonly name: string;
  /** The name of the flow that holds it. */
  readonly flow: string;
}

export interface GraphEdge {
  readonly from: number;
  readonly to: number;
  readonly kind: Edge['kind'];
  /** A link's decider, when it has one. */
  readonly label?: string;
}

/** The compiled graph as plain JSON: what the page lays out and what `toSvg` draws. */
export interface FlowGraph {
  readonly name: string;
  readonly nodes: readonly GraphNode[];
  readonly edges: readonly GraphEdge[];
}

function deciderLabel(edge: Edge): string | undefined {
  if (!edge.decider) return undefined;
  const name = edge.decider.name ? `decider: ${edge.decider.name}` : 'decider';
  return edge.deciderDepth && edge.deciderDepth !== 'ALL' ? `${name} (${edge.deciderDepth})` : name;
}

/** The graph of a flow (compiled here) or of a compiled flow. */
export function flowGraph(input: Flow | CompiledFlow): FlowGraph {
  const compiled = isFlow(input) ? compile(input) : input;
  const nodes: GraphNode[] = compiled.nodes.map((node) =>
    node.kind === 'task' || node.kind === 'retry'
      ? { id: node.id, kind: node.kind, name: node.name, flow: node.flow.name }
      : { id: node.id, kind: 'join', name: node.flow.name, flow: node.flow.name },
  );
  const edges: GraphEdge[] = compiled.edges.map((edge) => {
    const label = deciderLabel(edge);
    const out = { from: edge.from.id, to: edge.to.id, kind: edge.kind };
    return label === undefined ? out : { ...out, label };
  });
  return { name: compiled.root.name, nodes, edges };
}
