import { isTask } from '../atoms/atom';
import type { Task } from '../atoms/task';
import { InvalidFlowError } from '../patterns/errors';
import { LinearFlow, isFlow, type Flow } from '../patterns/flow';
import { bindArguments, type ArgSources } from './arguments';
import { Compiled } from './compiled';
import { collectDeciders } from './deciders';
import { EdgeIndex } from './edge-index';
import { buildExecutionGraph } from './execution-graph';
import { buildHierarchy } from './hierarchy';
import { orderTopologically } from './topological-order';
import type { CompiledFlow, ExecNode } from './types';

/**
 * Compiles a flow (or a single task) into its execution graph, in time linear in
 * atoms + links. Throws `InvalidFlowError` (an item used twice, a flow inside
 * itself), `DuplicateNameError` (all duplicated atom names), `CycleError` (one
 * cycle of a graph flow, in order) and `AmbiguousProviderError` (every consumer
 * that could read a symbol from unordered providers). Missing requirements are
 * checked separately by `compiled.validate(availableSymbols)`.
 */
export function compile(input: Flow | Task): CompiledFlow {
  const hierarchy = buildHierarchy(rootFlowOf(input));
  const graph = buildExecutionGraph(hierarchy);
  const order = orderTopologically(graph, hierarchy.tree);
  const edges = new EdgeIndex(order.nodes, order.adjacency, graph.edgeLink, graph.links);
  collectDeciders(order.nodes, edges);
  const sources: ArgSources = { list: [] };
  const external = bindArguments(hierarchy.tree, sources);
  for (const f of hierarchy.flows) {
    f.release(edges);
    f.argSources = sources;
  }
  return new Compiled(
    hierarchy.root,
    order.atoms,
    order.nodes as ExecNode[],
    edges,
    hierarchy.flows,
    hierarchy.byName,
    hierarchy.tree,
    external,
  );
}

/** The flow to compile: `input` itself, or a linear flow holding the task. */
function rootFlowOf(input: Flow | Task): Flow {
  if (isFlow(input)) return input;
  if (isTask(input)) return new LinearFlow(input.name).add(input);
  throw new InvalidFlowError(String((input as { name?: unknown })?.name ?? input), 'only flows and tasks can be compiled');
}
