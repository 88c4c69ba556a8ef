import type { Task } from '../atoms/task';
import { CycleError, InvalidFlowError } from '../patterns/errors';
import { isFlow, type Flow, type FlowItem, type GraphFlow, type ItemSymbols } from '../patterns/flow';
import type { LinkTable } from '../patterns/link-table';
import type { Hierarchy } from './hierarchy';
import { MFlow, type MItem, type MTask } from './nodes';

/**
 * The links of a graph flow between its items, by item position, as compressed
 * adjacency (link `k` goes from item `linkFrom[k]` to item `linkTo[k]`; the links
 * into item `i` are `predLink[predStart[i] .. predStart[i+1]]`, in link order).
 */
export interface GraphInfo {
  /** The links (their reasons and explicit links' options). */
  table: LinkTable;
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
 * Lists the links of graph flow `f` (its explicit links and auto-links) and
 * indexes them by item. Throws `InvalidFlowError` for a link that is not between
 * two items of the flow, `CycleError` (one cycle, in order) when the links loop.
 */
export function indexGraphLinks(f: MFlow, hierarchy: Hierarchy): GraphInfo {
  const n = f.children.length;
  const table = linkTableOf(f, hierarchy);
  const m = table.from.length;
  const linkFrom = table.from;
  const linkTo = table.to;
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
  const info: GraphInfo = { table, linkFrom, linkTo, predStart, predLink, succStart, succLink, topo: predLink };
  info.topo = sortItems(f, info);
  return info;
}

/** The links of graph flow `f` by item position (from a `GraphFlow` of another copy of tf: through its `linksFrom`). */
function linkTableOf(f: MFlow, hierarchy: Hierarchy): LinkTable {
  const children = f.children;
  const flow = f.flow as GraphFlow;
  const symbolsAt = (i: number): ItemSymbols => {
    const c = children[i]!;
    return c instanceof MFlow ? c : c.atom;
  };
  const positionOf = (item: FlowItem): number => {
    const c = itemOf(f, item, hierarchy);
    if (c === undefined) throw new InvalidFlowError(f.name, `a link of '${item.name}' is not between two items of the flow`);
    return c.pos;
  };
  if (typeof flow.linkTable === 'function') return flow.linkTable(symbolsAt, positionOf);
  const byFlow = hierarchy.byFlow;
  const links = (flow as Flow).linksFrom((item) => (isFlow(item) ? byFlow.get(item)! : (item as Task)));
  const from: number[] = [];
  const to: number[] = [];
  for (const link of links) {
    const u = itemOf(f, link.from, hierarchy);
    const v = itemOf(f, link.to, hierarchy);
    if (!u || !v || u === v) {
      throw new InvalidFlowError(f.name, `link ${link.from.name} -> ${link.to.name} is not between two items of the flow`);
    }
    from.push(u.pos);
    to.push(v.pos);
  }
  return {
    from: Int32Array.from(from),
    to: Int32Array.from(to),
    reasons: links.map((l) => [...l.reasons]),
    meta: links.map((l) => (l.manual ? l : undefined)),
  };
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
