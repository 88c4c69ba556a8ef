import { compile } from '../compiler/compile';
import type { CompiledFlow, Edge, ExecNode, FlowNode } from '../compiler/types';
import { isFlow, type Flow } from '../patterns/flow';

function compiledOf(input: Flow | CompiledFlow): CompiledFlow {
  return isFlow(input) ? compile(input) : input;
}

function deciderLabel(edge: Edge): string {
  const name = edge.decider?.name;
  const base = name ? `decider: ${name}` : 'decider';
  return edge.deciderDepth && edge.deciderDepth !== 'ALL' ? `${base} (${edge.deciderDepth})` : base;
}

/** Children flows of each flow, in order (FlowNode only lists items). */
function flowChildren(flow: FlowNode): FlowNode[] {
  return flow.children.filter((c): c is FlowNode => 'pattern' in c);
}

/** Mermaid label text: entities for the characters Mermaid would read as syntax. */
function mermaidText(text: string): string {
  return text.replace(/#/g, '#35;').replace(/"/g, '#quot;').replace(/</g, '#lt;').replace(/>/g, '#gt;').replace(/\r?\n/g, ' ');
}

/**
 * A Mermaid `flowchart TD` of the compiled graph: tasks as boxes, retries as
 * hexagons, each flow a subgraph (links into or out of a nested flow attach to
 * its subgraph), retry edges dotted, decider links labelled.
 */
export function toMermaid(input: Flow | CompiledFlow): string {
  const compiled = compiledOf(input);
  const flowIds = new Map<FlowNode, string>();
  for (const [i, f] of compiled.flows.entries()) flowIds.set(f, `f${i}`);
  const atomId = (node: ExecNode) => `a${node.id}`;
  const endpoint = (node: ExecNode): string => (node.kind === 'flow' || node.kind === 'flow_end' ? flowIds.get(node.flow)! : atomId(node));

  const lines = ['flowchart TD'];
  // Subgraphs, depth first, without recursion.
  const stack: { flow: FlowNode; open: boolean; indent: string }[] = [{ flow: compiled.root, open: false, indent: '  ' }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    const { flow, indent } = top;
    if (top.open) {
      lines.push(`${indent}end`);
      continue;
    }
    lines.push(`${indent}subgraph ${flowIds.get(flow)}["${mermaidText(`${flow.name} (${flow.pattern})`)}"]`);
    lines.push(`${indent}  direction TB`);
    if (flow.retry) lines.push(`${indent}  ${atomId(flow.retry)}{{"${mermaidText(flow.retry.name)}"}}`);
    for (const c of flow.children) {
      if (!('pattern' in c)) lines.push(`${indent}  ${atomId(c)}["${mermaidText(c.name)}"]`);
    }
    stack.push({ flow, open: true, indent });
    const nested = flowChildren(flow);
    for (let i = nested.length - 1; i >= 0; i--) stack.push({ flow: nested[i]!, open: false, indent: `${indent}  ` });
  }
  for (const e of compiled.edges) {
    if (e.kind === 'structure') continue;
    const from = endpoint(e.from);
    const to = endpoint(e.to);
    if (e.kind === 'retry') lines.push(`  ${from} -.-> ${to}`);
    else if (e.decider) lines.push(`  ${from} -->|"${mermaidText(deciderLabel(e))}"| ${to}`);
    else lines.push(`  ${from} --> ${to}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A DOT double-quoted string. */
function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/**
 * Graphviz DOT of the compiled graph: tasks as boxes, retries as hexagons, each
 * flow a cluster whose entry and exit join nodes are small points, retry edges
 * dotted, decider links dashed and labelled.
 */
export function toDot(input: Flow | CompiledFlow): string {
  const compiled = compiledOf(input);
  const id = (node: ExecNode) => `n${node.id}`;
  const lines = [`digraph ${dotString(compiled.root.name)} {`, '  compound=true;', '  node [fontname="Helvetica"];'];
  const stack: { flow: FlowNode; open: boolean; indent: string; index: number }[] = [];
  let clusters = 0;
  stack.push({ flow: compiled.root, open: false, indent: '  ', index: clusters++ });
  while (stack.length > 0) {
    const top = stack.pop()!;
    const { flow, indent } = top;
    if (top.open) {
      lines.push(`${indent}}`);
      continue;
    }
    lines.push(`${indent}subgraph ${dotString(`cluster_${top.index}`)} {`);
    lines.push(`${indent}  label=${dotString(`${flow.name} (${flow.pattern})`)};`);
    lines.push(`${indent}  ${id(flow.entry)} [shape=point, label=""];`);
    lines.push(`${indent}  ${id(flow.exit)} [shape=point, label=""];`);
    if (flow.retry) lines.push(`${indent}  ${id(flow.retry)} [shape=hexagon, label=${dotString(flow.retry.name)}];`);
    for (const c of flow.children) {
      if (!('pattern' in c)) lines.push(`${indent}  ${id(c)} [shape=box, label=${dotString(c.name)}];`);
    }
    stack.push({ flow, open: true, indent, index: top.index });
    const nested = flowChildren(flow);
    for (let i = nested.length - 1; i >= 0; i--) stack.push({ flow: nested[i]!, open: false, indent: `${indent}  `, index: clusters++ });
  }
  for (const e of compiled.edges) {
    const attrs: string[] = [];
    if (e.kind === 'retry') attrs.push('style=dotted');
    if (e.decider) attrs.push('style=dashed', `label=${dotString(deciderLabel(e))}`);
    lines.push(`  ${id(e.from)} -> ${id(e.to)}${attrs.length ? ` [${attrs.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
