import type { Task } from '../atoms/task';
import { CycleError, InvalidFlowError } from '../patterns/errors';
import { isFlow, type FlowItem, type ItemSymbols } from '../patterns/flow';
import type { Hierarchy } from './hierarchy';
import { MLinkEdge, entryOf, exitOf, type MFlow, type MItem, type MTask } from './nodes';

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
export function indexGraphLinks(f: MFlow, hierarchy: Hierarchy): GraphInfo {
  const byFlow = hierarchy.byFlow;
  const symbolsOf = (item: FlowItem): ItemSymbols => (isFlow(item) ? byFlow.get(item)! : (item as Task));
  const n = f.children.length;
  const links = f.flow.linksFrom(symbolsOf);
  const m = links.length;
  const linkFrom = new Int32Array(m);
  const linkTo = new Int32Array(m);
  const linkEdges = new Array<MLinkEdge>(m);
  for (let k = 0; k < m; k++) {
    const link = links[k]!;
    const u = itemOf(f, link.from, hierarchy);
    const v = itemOf(f, link.to, hierarchy);
    if (!u || !v || u === v) {
      throw new InvalidFlowError(f.name, `link ${link.from.name} -> ${link.to.name} is not between two items of the flow`);
    }
    linkEdges[k] = new MLinkEdge(exitOf(u), entryOf(v), link.manual, link.reasons, link.decider, link.deciderDepth);
    linkFrom[k] = u.pos;
    linkTo[k] = v.pos;
  }
  const predStart = new Int32Array(n + 1);
  const succStart = new Int32Array(n + 1);
  for (let k = 0; k < m; k++) {
    predStart[linkTo[k]! + 1]!++;
    succStart[linkFrom[k]! + 1]!++;
  }
  for (let i = 0; i < n; i++) {
    predStart[i + 1]! += predStart[i]!;
    succStart[i + 1]! += succStart[i]!;
  }
  const predLink = new Int32Array(m);
  const succLink = new Int32Array(m);
  const pc = predStart.slice(0, n);
  const sc = succStart.slice(0, n);
  for (let k = 0; k < m; k++) {
    predLink[pc[linkTo[k]!]!++] = k;
    succLink[sc[linkFrom[k]!]!++] = k;
  }
  const info: GraphInfo = { links: linkEdges, linkFrom, linkTo, predStart, predLink, succStart, succLink, topo: predLink };
  info.topo = sortItems(f, info);
  return info;
}

/** The item of graph flow `f` that `item` is. */
function itemOf(f: MFlow, item: FlowItem, hierarchy: Hierarchy): MItem | undefined {
  if (isFlow(item)) {
    const c = hierarchy.byFlow.get(item);
    return c?.parent === f ? c : undefined;
  }
  const a = hierarchy.byName.get(item.name);
  return a !== undefined && a.atom === item && a.flow === f && a.pos >= 0 ? (a as MTask) : undefined;
}

/** Topological order of a graph flow's items (positions); throws CycleError with one cycle. */
function sortItems(f: MFlow, g: GraphInfo): Int32Array {
  const n = f.children.length;
  const indeg = new Int32Array(n);
  const topo = new Int32Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) {
    indeg[i] = g.predStart[i + 1]! - g.predStart[i]!;
    if (indeg[i] === 0) topo[tail++] = i;
  }
  for (let h = 0; h < tail; h++) {
    const u = topo[h]!;
    for (let j = g.succStart[u]!; j < g.succStart[u + 1]!; j++) {
      const s = g.linkTo[g.succLink[j]!]!;
      if (--indeg[s]! === 0) topo[tail++] = s;
    }
  }
  if (tail === n) return topo;
  // Every item left has a predecessor that is left too: walk back until one repeats.
  let cur = indeg.findIndex((d) => d > 0);
  const walked: number[] = [];
  const at = new Map<number, number>();
  while (!at.has(cur)) {
    at.set(cur, walked.length);
    walked.push(cur);
    let next = -1;
    for (let j = g.predStart[cur]!; j < g.predStart[cur + 1]!; j++) {
      const p = g.linkFrom[g.predLink[j]!]!;
      if (indeg[p]! > 0) {
        next = p;
        break;
      }
    }
    cur = next;
  }
  const cycle = walked
    .slice(at.get(cur)!)
    .reverse()
    .map((i) => f.children[i]!.name);
  throw new CycleError(f.name, [...cycle, cycle[0]!]);
}
