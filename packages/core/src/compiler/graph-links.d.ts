import type { Hierarchy } from './hierarchy';
import { MLinkEdge, type MFlow } from './nodes';
/**
 * The links of a graph flow between its items, by item position, as compressed
 * adjacency (link `k` goes from item `linkFrom[k]` to item `linkTo[k]`; the links
 * into item `i` are `predLink[predStart[i] .. predStart[i+1]]`, in link order).
 */
export interface GraphInfo {
    /** The edge made for each link (its `reasons`). */
    links: MLinkEdge[];
    linkFrom: Int32Array;
    linkTo: Int32Array;
    predStart: Int32Array;
    predLink: Int32Array;
    succStart: Int32Array;
    succLink: Int32Array;
    /** Item positions in a topological order. */
    topo: Int32Array;
}
/**
 * Makes the link edges of graph flow `f` (its explicit links and auto-links) and
 * indexes them by item. Throws `InvalidFlowError` for a link that is not between
 * two items of the flow, `CycleError` (one cycle, in order) when the links loop.
 */
export declare function indexGraphLinks(f: MFlow, hierarchy: Hierarchy): GraphInfo;
