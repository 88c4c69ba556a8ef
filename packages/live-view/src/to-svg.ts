import type { CompiledFlow, Flow } from '@tf/core';
import { flowGraph } from './graph-model';
import { layoutGraph } from './layout';
import { graphSvg } from './svg';

/** A stand-alone SVG picture of a flow, laid out with dagre (what `tf render --format svg` prints). */
export function toSvg(input: Flow | CompiledFlow): string {
  const graph = flowGraph(input);
  return `${graphSvg(graph, layoutGraph(graph), true)}\n`;
}
