import type { CompiledFlow } from '../compiler/types';
import { type Flow } from '../patterns/flow';
/**
 * A Mermaid `flowchart TD` of the compiled graph: tasks as boxes, retries as
 * hexagons, each flow a subgraph (links into or out of a nested flow attach to
 * its subgraph), retry edges dotted, decider links labelled.
 */
export declare function toMermaid(input: Flow | CompiledFlow): string;
/**
 * Graphviz DOT of the compiled graph: tasks as boxes, retries as hexagons, each
 * flow a cluster whose entry and exit join nodes are small points, retry edges
 * dotted, decider links dashed and labelled.
 */
export declare function toDot(input: Flow | CompiledFlow): string;
