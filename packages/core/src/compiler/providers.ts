import type { GraphInfo } from './graph-links';
import { MFlow, MRetry, providesOf, type Finals, type MAtom, type MItem } from './nodes';

// Provider resolution (what TaskFlow calls scopes): which atoms' results a consumer
// reads a symbol it requires from.

const NONE: readonly MAtom[] = Object.freeze([]);
/** How many items before a consumer a linear flow looks at before it uses its provider index. */
const NEAR_ITEMS = 4;

/**
 * The atoms whose result a consumer reads `symbol` from: walk up the hierarchy
 * from the consumer; at each level the items ordered before it (linear: earlier
 * items; graph: item ancestors; unordered: none), the nearest providing one wins,
 * then the level's retry. More than one atom means ambiguity.
 */
export function resolveProviders(consumer: MAtom, symbol: string): Finals {
  let x: MItem;
  let level: MFlow | undefined;
  if (consumer instanceof MRetry) {
    x = consumer.flow;
    level = consumer.flow.parent;
  } else {
    x = consumer;
    level = consumer.flow;
  }
  while (level) {
    const found = visibleAt(level, x, symbol);
    if (found !== NONE) return found;
    const r = level.retry;
    if (r && r !== consumer && r.atom.provides.has(symbol)) return r;
    x = level;
    level = level.parent;
  }
  return NONE;
}

/** `NONE` (never another empty list) when nothing at this level is visible. */
function visibleAt(level: MFlow, x: MItem, symbol: string): Finals {
  if (level.pattern === 'unordered') return NONE;
  if (level.pattern === 'linear') return visibleInLinear(level, x, symbol);
  return visibleInGraph(level, x, symbol);
}

/** The nearest item before `x` that provides `symbol`. */
function visibleInLinear(level: MFlow, x: MItem, symbol: string): Finals {
  // The few items just before `x` first, nearest first: a chain reads from the item just
  // before, and an item near the start has nothing else to look at. Neither needs the index
  // (for a linear flow of n tasks an n-entry map, built for nothing).
  const xp = x.pos;
  const children = level.children;
  const stop = Math.max(0, xp - NEAR_ITEMS);
  for (let i = xp - 1; i >= stop; i--) {
    const item = children[i]!;
    if (providesOf(item).has(symbol)) return nonEmpty(finalsOf(item, symbol));
  }
  if (stop === 0) return NONE;
  const cur = level.provIndex.get(symbol);
  if (cur === undefined) return NONE;
  if (typeof cur === 'number') return cur < x.pos ? nonEmpty(finalsOf(level.children[cur]!, symbol)) : NONE;
  const positions = cur;
  // Last position < x.pos (binary search).
  let lo = 0;
  let hi = positions.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid]! < x.pos) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best < 0 ? NONE : nonEmpty(finalsOf(level.children[positions[best]!]!, symbol));
}

/** The provider an auto-link of `x` names for `symbol`, else the nearest providing ancestors of `x`. */
function visibleInGraph(level: MFlow, x: MItem, symbol: string): Finals {
  const g = level.graph!;
  const xp = x.pos;
  const p0 = g.predStart[xp]!;
  const p1 = g.predStart[xp + 1]!;
  if (p0 === p1) return NONE;
  for (let j = p0; j < p1; j++) {
    const k = g.predLink[j]!;
    const reasons = g.table.reasons[k]!;
    if (reasons === symbol || (typeof reasons !== 'string' && reasons.includes(symbol)))
      return nonEmpty(finalsOf(level.children[g.linkFrom[k]!]!, symbol));
  }
  if (!level.provIndex.has(symbol)) return NONE;
  // Otherwise (optional arguments, explicit links): nearest providing ancestors.
  const children = level.children;
  const found: number[] = [];
  const visited = new Set<number>([xp]);
  const queue: number[] = [];
  for (let j = p0; j < p1; j++) {
    const from = g.linkFrom[g.predLink[j]!]!;
    if (!visited.has(from)) {
      visited.add(from);
      queue.push(from);
    }
  }
  for (let h = 0; h < queue.length; h++) {
    const item = queue[h]!;
    if (providesOf(children[item]!).has(symbol)) {
      found.push(item);
      continue;
    }
    for (let j = g.predStart[item]!; j < g.predStart[item + 1]!; j++) {
      const from = g.linkFrom[g.predLink[j]!]!;
      if (!visited.has(from)) {
        visited.add(from);
        queue.push(from);
      }
    }
  }
  return nonEmpty(unionFinals(level, maximal(g, found), symbol));
}

const nonEmpty = (f: Finals): Finals => (Array.isArray(f) && f.length === 0 ? NONE : f);

/** The providers among `items` (positions) that no other of them runs after. */
function maximal(g: GraphInfo, items: number[]): number[] {
  if (items.length < 2) return items;
  const set = new Set(items);
  return items.filter((item) => {
    const seen = new Set<number>([item]);
    const stack: number[] = [];
    for (let j = g.succStart[item]!; j < g.succStart[item + 1]!; j++) stack.push(g.linkTo[g.succLink[j]!]!);
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      if (set.has(next)) return false;
      for (let j = g.succStart[next]!; j < g.succStart[next + 1]!; j++) stack.push(g.linkTo[g.succLink[j]!]!);
    }
    return true;
  });
}

/** The finals of the items of `flow` at `positions`, concatenated. */
function unionFinals(flow: MFlow, positions: readonly number[], symbol: string): Finals {
  if (positions.length === 1) return finalsOf(flow.children[positions[0]!]!, symbol);
  const out: MAtom[] = [];
  for (const i of positions) {
    const f = finalsOf(flow.children[i]!, symbol);
    if (Array.isArray(f)) out.push(...(f as readonly MAtom[]));
    else out.push(f as MAtom);
  }
  return out;
}

/** The atoms of `item` a consumer after it reads `symbol` from (memoised per flow). */
function finalsOf(item: MItem, symbol: string): Finals {
  if (!(item instanceof MFlow)) return item;
  const finals = (item.finals ??= new Map());
  const memo = finals.get(symbol);
  if (memo) return memo;
  let result: Finals = NONE;
  const positions = item.positions(symbol);
  if (positions) {
    const children = item.children;
    if (item.pattern === 'linear') result = finalsOf(children[positions[positions.length - 1]!]!, symbol);
    else if (item.pattern === 'unordered') result = unionFinals(item, positions, symbol);
    else if (positions.length === 1) result = finalsOf(children[positions[0]!]!, symbol);
    else result = unionFinals(item, lastProviders(item.graph!, positions), symbol);
  } else if (item.retry?.atom.provides.has(symbol)) {
    result = item.retry;
  }
  finals.set(symbol, result);
  return result;
}

/** The providing items of a graph flow (`positions`) that no other provider runs after: one reverse-topological pass. */
function lastProviders(g: GraphInfo, positions: readonly number[]): number[] {
  const n = g.topo.length;
  const providing = new Uint8Array(n);
  for (const i of positions) providing[i] = 1;
  const reaches = new Uint8Array(n);
  for (let t = n - 1; t >= 0; t--) {
    const u = g.topo[t]!;
    for (let j = g.succStart[u]!; j < g.succStart[u + 1]!; j++) {
      const s = g.linkTo[g.succLink[j]!]!;
      if (providing[s] || reaches[s]) {
        reaches[u] = 1;
        break;
      }
    }
  }
  return positions.filter((p) => !reaches[p]);
}
