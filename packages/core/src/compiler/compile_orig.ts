import { isRetry, isTask } from '../atoms/atom';
import type { Retry } from '../atoms/retry';
import type { Task } from '../atoms/task';
import { NotFoundError } from '../errors';
import { InvalidFlowError } from '../patterns/errors';
import {
  LinearFlow,
  computeSymbols,
  isFlow,
  type Decider,
  type DeciderDepth,
  type Flow,
  type FlowItem,
  type FlowPattern,
  type ItemSymbols,
} from '../patterns/flow';
import { AmbiguousProviderError, CycleError, DuplicateNameError, MissingRequirementsError, type Ambiguity, type MissingRequirement } from './errors';
import type {
  ArgBinding,
  AtomNode,
  CompiledFlow,
  Edge,
  EdgeDecider,
  EdgeKind,
  ExecNode,
  FlowNode,
  JoinNode,
  NodeKind,
  RetryNode,
  TaskNode,
} from './types';

// ---------------------------------------------------------------------------
// Internal, mutable node shapes (exposed through the readonly interfaces).

class MEdge implements Edge {
  constructor(
    readonly from: MNode,
    readonly to: MNode,
    readonly kind: EdgeKind,
    readonly manual = false,
    readonly reasons: readonly string[] = NO_STRINGS,
    readonly decider?: Decider,
    readonly deciderDepth?: DeciderDepth,
  ) {}
}

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_DECIDERS: readonly EdgeDecider[] = Object.freeze([]);
const NO_ARGS: readonly ArgBinding[] = Object.freeze([]);

abstract class MNodeBase {
  id = -1;
  readonly in: MEdge[] = [];
  readonly out: MEdge[] = [];
  abstract readonly kind: NodeKind;
  abstract readonly name: string;
}

class MJoin extends MNodeBase implements JoinNode {
  constructor(
    readonly kind: 'flow' | 'flow_end',
    readonly flow: MFlow,
  ) {
    super();
  }
  get name(): string {
    return this.kind === 'flow' ? this.flow.name : `${this.flow.name}[$]`;
  }
}

abstract class MAtomBase extends MNodeBase {
  abstract override readonly kind: 'task' | 'retry';
  abstract readonly atom: Task | Retry;
  index = -1;
  /** Item-level links inside a parent graph flow. */
  gPreds: ItemLink[] | undefined;
  gSuccs: MItem[] | undefined;
  /** Position in the tree order (scopes are contiguous ranges of it). */
  treeIndex = -1;
  /** Position among the parent flow's items (-1 for a retry). */
  pos = -1;
  retry: MRetry | undefined;
  /** The bindings in argMapping order; `args` (a Map) is built from it on first use. */
  argList: readonly ArgBinding[] = NO_ARGS;
  #args: ReadonlyMap<string, ArgBinding> | undefined;
  get args(): ReadonlyMap<string, ArgBinding> {
    if (this.#args === undefined) {
      const map = new Map<string, ArgBinding>();
      for (const b of this.argList) map.set(b.arg, b);
      this.#args = map;
    }
    return this.#args;
  }
  deciders: readonly EdgeDecider[] = NO_DECIDERS;
  readonly name: string;
  constructor(
    atom: Task | Retry,
    readonly flow: MFlow,
  ) {
    super();
    this.name = atom.name;
  }
  get flowPath(): readonly FlowNode[] {
    return this.flow.path;
  }
}

class MTask extends MAtomBase implements TaskNode {
  readonly kind = 'task' as const;
  constructor(readonly atom: Task, flow: MFlow) {
    super(atom, flow);
  }
}

class MRetry extends MAtomBase implements RetryNode {
  readonly kind = 'retry' as const;
  #scope: readonly AtomNode[] | undefined;
  constructor(readonly atom: Retry, flow: MFlow, private readonly tree: MAtom[]) {
    super(atom, flow);
  }
  get controls(): FlowNode {
    return this.flow;
  }
  get scope(): readonly AtomNode[] {
    return (this.#scope ??= Object.freeze(this.tree.slice(this.flow.start + 1, this.flow.end)));
  }
}

interface GraphInfo {
  /** Items in a topological order. */
  topo: MItem[];
}

/** An item-level link inside a graph flow, with the symbols that caused it. */
interface ItemLink {
  from: MItem;
  reasons: readonly string[];
}
const NO_LINKS: readonly ItemLink[] = Object.freeze([]);
const NO_ITEMS: readonly MItem[] = Object.freeze([]);

type MAtom = MTask | MRetry;
type MItem = MTask | MFlow;

class MFlow implements FlowNode {
  readonly name: string;
  readonly pattern: FlowPattern;
  readonly depth: number;
  readonly path: readonly MFlow[];
  readonly entry: MJoin;
  readonly exit: MJoin;
  retry: MRetry | undefined;
  /** Nearest retry controller of atoms in this flow (its own, else its parent's). */
  nearestRetry: MRetry | undefined;
  readonly children: MItem[] = [];
  /** Position among the parent flow's items. */
  pos = -1;
  start = 0;
  end = 0;
  requires: ReadonlySet<string> = new Set();
  provides: ReadonlySet<string> = new Set();
  graph: GraphInfo | undefined;
  gPreds: ItemLink[] | undefined;
  gSuccs: MItem[] | undefined;
  #atoms: readonly AtomNode[] | undefined;
  #provIndex: Map<string, number | number[]> | undefined;
  readonly finals = new Map<string, MAtom[]>();

  constructor(
    readonly flow: Flow,
    readonly parent: MFlow | undefined,
    private readonly tree: MAtom[],
  ) {
    this.name = flow.name;
    this.pattern = flow.pattern;
    this.depth = parent ? parent.depth + 1 : 0;
    this.path = Object.freeze(parent ? [...parent.path, this] : [this]);
    this.entry = new MJoin('flow', this);
    this.exit = new MJoin('flow_end', this);
  }

  get atoms(): readonly AtomNode[] {
    return (this.#atoms ??= Object.freeze(this.tree.slice(this.start, this.end)));
  }

  /** symbol -> position of the item providing it, or ascending positions when several do. */
  get provIndex(): Map<string, number | number[]> {
    if (this.#provIndex) return this.#provIndex;
    const index = new Map<string, number | number[]>();
    this.children.forEach((child, i) => {
      const provides = child instanceof MFlow ? child.provides : child.atom.provides;
      for (const s of provides) {
        const cur = index.get(s);
        if (cur === undefined) index.set(s, i);
        else if (typeof cur === 'number') index.set(s, [cur, i]);
        else cur.push(i);
      }
    });
    return (this.#provIndex = index);
  }

  /** Ascending positions of the items providing `symbol`. */
  positions(symbol: string): readonly number[] | undefined {
    const cur = this.provIndex.get(symbol);
    return typeof cur === 'number' ? [cur] : cur;
  }
}

type MNode = MAtom | MJoin;

const entryOf = (item: MItem): MNode => (item instanceof MFlow ? item.entry : item);
const exitOf = (item: MItem): MNode => (item instanceof MFlow ? item.exit : item);
const providesOf = (item: MItem): ReadonlySet<string> => (item instanceof MFlow ? item.provides : item.atom.provides);

// ---------------------------------------------------------------------------

/**
 * Compiles a flow (or a single task) into its execution graph, in time linear in
 * atoms + links. Throws `InvalidFlowError` (an item used twice, a flow inside
 * itself), `DuplicateNameError` (all duplicated atom names), `CycleError` (one
 * cycle of a graph flow, in order) and `AmbiguousProviderError` (every consumer
 * that could read a symbol from unordered providers). Missing requirements are
 * checked separately by `compiled.validate(availableSymbols)`.
 */
export function compile(input: Flow | Task): CompiledFlow {
  let rootFlow: Flow;
  if (isFlow(input)) rootFlow = input;
  else if (isTask(input)) rootFlow = new LinearFlow(input.name).add(input);
  else throw new InvalidFlowError(String((input as { name?: unknown })?.name ?? input), 'only flows and tasks can be compiled');

  // 1. The hierarchy, in tree order (pre-order, retry first), without recursion.
  const tree: MAtom[] = [];
  const flows: MFlow[] = [];
  const retries = new Set<Retry>();
  const byItem = new Map<FlowItem, MItem>();
  const newFlow = (flow: Flow, parent: MFlow | undefined): MFlow => {
    const f = new MFlow(flow, parent, tree);
    flows.push(f);
    f.nearestRetry = parent?.nearestRetry;
    f.start = tree.length;
    const retry = flow.retry;
    if (retry !== undefined) {
      if (!isRetry(retry)) throw new InvalidFlowError(flow.name, 'its retry is not a Retry');
      if (retries.has(retry)) throw new InvalidFlowError(flow.name, `retry '${retry.name}' is used by more than one flow`, retry.name);
      retries.add(retry);
      const r = new MRetry(retry, f, tree);
      r.treeIndex = tree.length;
      r.retry = parent?.nearestRetry;
      tree.push(r);
      f.retry = r;
      f.nearestRetry = r;
    }
    return f;
  };
  const root = newFlow(rootFlow, undefined);
  byItem.set(rootFlow, root);
  const frames: { f: MFlow; i: number }[] = [{ f: root, i: 0 }];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const items = frame.f.flow.items;
    if (frame.i >= items.length) {
      frame.f.end = tree.length;
      frames.pop();
      continue;
    }
    const pos = frame.i++;
    const item = items[pos]!;
    if (byItem.has(item)) {
      throw new InvalidFlowError(frame.f.name, `'${item.name}' appears more than once in the flow (or contains its own flow)`, item.name);
    }
    if (isFlow(item)) {
      const child = newFlow(item, frame.f);
      child.pos = pos;
      frame.f.children.push(child);
      byItem.set(item, child);
      frames.push({ f: child, i: 0 });
    } else if (isTask(item)) {
      const a = new MTask(item, frame.f);
      a.pos = pos;
      a.treeIndex = tree.length;
      a.retry = frame.f.nearestRetry;
      tree.push(a);
      frame.f.children.push(a);
      byItem.set(item, a);
    } else {
      throw new InvalidFlowError(frame.f.name, `cannot compile ${String(item)}: items are tasks or flows`);
    }
  }

  // 2. Unique atom names (all duplicates reported).
  const byName = new Map<string, MAtom>();
  const duplicates = new Set<string>();
  for (const a of tree) {
    if (byName.has(a.name)) duplicates.add(a.name);
    else byName.set(a.name, a);
  }
  if (duplicates.size > 0) throw new DuplicateNameError([...duplicates]);

  // 3. Symbols of every flow, bottom-up.
  const symbols = new Map<Flow, ItemSymbols>();
  computeSymbols(rootFlow, symbols);
  for (const f of flows) {
    const s = symbols.get(f.flow)!;
    f.requires = s.requires;
    f.provides = s.provides;
  }
  const symbolsOf = (item: FlowItem): ItemSymbols => (isFlow(item) ? symbols.get(item)! : (item as Task));

  // 4. The execution graph.
  const nodes: MNode[] = [];
  const edges: MEdge[] = [];
  const addEdge = (from: MNode, to: MNode, kind: EdgeKind, manual?: boolean, reasons?: readonly string[], decider?: Decider, depth?: DeciderDepth) => {
    const e = new MEdge(from, to, kind, manual, reasons, decider, depth);
    from.out.push(e);
    to.in.push(e);
    edges.push(e);
  };
  for (const f of flows) {
    nodes.push(f.entry);
    if (f.retry) nodes.push(f.retry);
    for (const c of f.children) if (!(c instanceof MFlow)) nodes.push(c);
    nodes.push(f.exit);
    const head: MNode = f.retry ?? f.entry;
    if (f.retry) addEdge(f.entry, f.retry, 'structure');
    const headKind: EdgeKind = f.retry ? 'retry' : 'structure';
    const n = f.children.length;
    if (n === 0) {
      addEdge(head, f.exit, headKind);
      continue;
    }
    const hasPred = new Uint8Array(n);
    const hasSucc = new Uint8Array(n);
    if (f.pattern === 'linear') {
      for (let i = 1; i < n; i++) {
        addEdge(exitOf(f.children[i - 1]!), entryOf(f.children[i]!), 'order');
        hasPred[i] = 1;
        hasSucc[i - 1] = 1;
      }
    } else if (f.pattern === 'graph') {
      const info: GraphInfo = { topo: [] };
      f.graph = info;
      for (const link of f.flow.linksFrom(symbolsOf)) {
        const u = byItem.get(link.from);
        const v = byItem.get(link.to);
        if (!u || !v || u === v) {
          throw new InvalidFlowError(f.name, `link ${link.from.name} -> ${link.to.name} is not between two items of the flow`);
        }
        addEdge(exitOf(u), entryOf(v), 'link', link.manual, link.reasons, link.decider, link.deciderDepth);
        hasPred[v.pos] = 1;
        hasSucc[u.pos] = 1;
        (v.gPreds ??= []).push({ from: u, reasons: link.reasons });
        (u.gSuccs ??= []).push(v);
      }
      info.topo = sortItems(f);
    } else if (f.pattern !== 'unordered') {
      throw new InvalidFlowError(f.name, `unknown pattern '${String(f.pattern)}'`);
    }
    for (let i = 0; i < n; i++) {
      const c = f.children[i]!;
      if (!hasPred[i]) addEdge(head, entryOf(c), headKind);
      if (!hasSucc[i]) addEdge(exitOf(c), f.exit, 'structure');
    }
  }

  // 5. Topological order (Kahn, FIFO: keeps the order items were added).
  const pending = new Int32Array(nodes.length);
  const order: MNode[] = [];
  nodes.forEach((node, i) => {
    node.id = i;
    pending[i] = node.in.length;
    if (node.in.length === 0) order.push(node);
  });
  for (let head = 0; head < order.length; head++) {
    for (const e of order[head]!.out) {
      const left = pending[e.to.id]! - 1;
      pending[e.to.id] = left;
      if (left === 0) order.push(e.to);
    }
  }
  if (order.length !== nodes.length) throw new Error('tf compiler: execution graph is not acyclic (internal error)');
  const atoms: MAtom[] = [];
  order.forEach((node, id) => {
    node.id = id;
    if (node instanceof MAtomBase) {
      node.index = atoms.length;
      atoms.push(node);
    }
  });

  // 6. Deciders: direct ones plus those on links into the flow entries an atom is reached through.
  const inherited = new Map<MJoin, readonly EdgeDecider[]>();
  for (const node of order) {
    if (node.kind === 'flow_end') continue;
    let result: readonly EdgeDecider[] = NO_DECIDERS;
    let owned = false; // `result` is a fresh array we may append to
    for (const e of node.in) {
      let add: readonly EdgeDecider[] | undefined;
      if (e.decider) add = [{ from: e.from as ExecNode, decider: e.decider, depth: e.deciderDepth ?? 'ALL', edge: e as Edge }];
      else if (e.from.kind === 'flow') add = inherited.get(e.from as MJoin)!;
      if (e.decider && e.from.kind === 'flow') add = [...add!, ...inherited.get(e.from as MJoin)!];
      if (!add || add.length === 0) continue;
      if (result.length === 0) result = add;
      else {
        if (!owned) { result = [...result]; owned = true; }
        (result as EdgeDecider[]).push(...add);
      }
    }
    if (node instanceof MJoin) inherited.set(node, result);
    else node.deciders = result;
  }

  // 7. Arguments: nearest visible provider of each symbol; ambiguities; external requirements.
  const ambiguities: Ambiguity[] = [];
  const external: { symbol: string; atom: string }[] = [];
  for (const a of tree) {
    const mapping = a.atom.argMapping;
    if (mapping.size === 0) continue;
    const args: ArgBinding[] = [];
    const inject = a.atom.inject;
    for (const [arg, symbol] of mapping) {
      const optional = a.atom.optionalArgs.has(arg);
      const injected = Object.prototype.hasOwnProperty.call(inject, symbol);
      let provider: MAtom | undefined;
      if (!injected) {
        const found = resolveProviders(a, symbol);
        if (found.length > 1) {
          ambiguities.push({ symbol, consumer: a.name, providers: found.map((p) => p.name) });
        }
        provider = found[0];
        if (!provider && !optional) external.push({ symbol, atom: a.name });
      }
      args.push({
        arg,
        symbol,
        optional,
        injected,
        provider: provider?.name,
        key: provider ? provider.atom.saveAs.get(symbol) ?? null : undefined,
      });
    }
    a.argList = args;
  }
  if (ambiguities.length > 0) throw new AmbiguousProviderError(ambiguities);

  return new Compiled(root, atoms, order, edges, flows, byName, external);
}

/** Topological order of a graph flow's items; throws CycleError with one cycle. */
function sortItems(f: MFlow): MItem[] {
  const indeg = new Int32Array(f.children.length);
  const topo: MItem[] = [];
  f.children.forEach((c, i) => {
    indeg[i] = c.gPreds?.length ?? 0;
    if (indeg[i] === 0) topo.push(c);
  });
  for (let h = 0; h < topo.length; h++) {
    for (const s of topo[h]!.gSuccs ?? NO_ITEMS) {
      const left = indeg[s.pos]! - 1;
      indeg[s.pos] = left;
      if (left === 0) topo.push(s);
    }
  }
  if (topo.length === f.children.length) return topo;
  // Every item left has a predecessor that is left too: walk back until one repeats.
  const left = new Set(f.children.filter((c) => indeg[c.pos]! > 0));
  let cur = left.values().next().value as MItem;
  const walked: MItem[] = [];
  const at = new Map<MItem, number>();
  while (!at.has(cur)) {
    at.set(cur, walked.length);
    walked.push(cur);
    cur = cur.gPreds!.find((p) => left.has(p.from))!.from;
  }
  const cycle = walked.slice(at.get(cur)!).reverse();
  throw new CycleError(f.name, [...cycle.map((c) => c.name), cycle[0]!.name]);
}

/**
 * The atoms whose result a consumer reads `symbol` from: walk up the hierarchy
 * from the consumer; at each level the items ordered before it (linear: earlier
 * items; graph: item ancestors; unordered: none), the nearest providing one wins,
 * then the level's retry. More than one atom means ambiguity.
 */
function resolveProviders(consumer: MAtom, symbol: string): MAtom[] {
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
    if (found.length > 0) return found;
    const r = level.retry;
    if (r && r !== consumer && r.atom.provides.has(symbol)) return [r];
    x = level;
    level = level.parent;
  }
  return NONE;
}

const NONE: MAtom[] = [];

function visibleAt(level: MFlow, x: MItem, symbol: string): MAtom[] {
  if (level.pattern === 'unordered') return NONE;
  if (level.pattern === 'linear') {
    const cur = level.provIndex.get(symbol);
    if (cur === undefined) return NONE;
    if (typeof cur === 'number') return cur < x.pos ? finalsOf(level.children[cur]!, symbol) : NONE;
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
    return best < 0 ? NONE : finalsOf(level.children[positions[best]!]!, symbol);
  }
  // Graph: an auto-link for this symbol names the provider directly.
  const preds = x.gPreds;
  if (!preds) return NONE;
  for (const p of preds) if (p.reasons.includes(symbol)) return finalsOf(p.from, symbol);
  if (!level.provIndex.has(symbol)) return NONE;
  // Otherwise (optional arguments, explicit links): nearest providing ancestors.
  const found: MItem[] = [];
  const visited = new Set<MItem>([x]);
  const queue: MItem[] = [];
  for (const p of preds) if (!visited.has(p.from)) { visited.add(p.from); queue.push(p.from); }
  for (let h = 0; h < queue.length; h++) {
    const item = queue[h]!;
    if (providesOf(item).has(symbol)) {
      found.push(item);
      continue;
    }
    for (const p of item.gPreds ?? NO_LINKS) if (!visited.has(p.from)) { visited.add(p.from); queue.push(p.from); }
  }
  return unionFinals(maximal(found), symbol);
}

/** The providers among `items` that no other of them runs after. */
function maximal(items: MItem[]): MItem[] {
  if (items.length < 2) return items;
  const set = new Set(items);
  return items.filter((item) => {
    const seen = new Set<MItem>([item]);
    const stack = [...(item.gSuccs ?? NO_ITEMS)];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (seen.has(next)) continue;
      seen.add(next);
      if (set.has(next)) return false;
      stack.push(...(next.gSuccs ?? NO_ITEMS));
    }
    return true;
  });
}

function unionFinals(items: MItem[], symbol: string): MAtom[] {
  if (items.length === 1) return finalsOf(items[0]!, symbol);
  const out: MAtom[] = [];
  for (const item of items) out.push(...finalsOf(item, symbol));
  return out;
}

/** The atoms of `item` a consumer after it reads `symbol` from (memoised per flow). */
function finalsOf(item: MItem, symbol: string): MAtom[] {
  if (!(item instanceof MFlow)) return [item];
  const memo = item.finals.get(symbol);
  if (memo) return memo;
  let result: MAtom[] = [];
  const positions = item.positions(symbol);
  if (positions) {
    const children = item.children;
    if (item.pattern === 'linear') result = finalsOf(children[positions[positions.length - 1]!]!, symbol);
    else if (item.pattern === 'unordered') result = unionFinals(positions.map((i) => children[i]!), symbol);
    else if (positions.length === 1) result = finalsOf(children[positions[0]!]!, symbol);
    else {
      // Providers no other provider runs after: one reverse-topological pass.
      const info = item.graph!;
      const providing = new Set(positions.map((i) => children[i]!));
      const reaches = new Set<MItem>();
      for (let i = info.topo.length - 1; i >= 0; i--) {
        const node = info.topo[i]!;
        for (const s of node.gSuccs ?? NO_ITEMS) {
          if (providing.has(s) || reaches.has(s)) {
            reaches.add(node);
            break;
          }
        }
      }
      result = unionFinals([...providing].filter((p) => !reaches.has(p)), symbol);
    }
  } else if (item.retry?.atom.provides.has(symbol)) {
    result = [item.retry];
  }
  item.finals.set(symbol, result);
  return result;
}

class Compiled implements CompiledFlow {
  readonly requires: ReadonlySet<string>;

  constructor(
    readonly root: FlowNode,
    readonly atoms: readonly AtomNode[],
    readonly nodes: readonly ExecNode[],
    readonly edges: readonly Edge[],
    readonly flows: readonly FlowNode[],
    private readonly byName: Map<string, AtomNode>,
    private readonly external: readonly { symbol: string; atom: string }[],
  ) {
    this.requires = new Set(external.map((e) => e.symbol));
  }

  get(name: string): AtomNode | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private atomOf(atom: string | AtomNode): AtomNode {
    const node = typeof atom === 'string' ? this.byName.get(atom) : atom;
    if (!node || this.byName.get(node.name) !== node) throw new NotFoundError(`No atom '${typeof atom === 'string' ? atom : atom.name}' in flow '${this.root.name}'`);
    return node;
  }

  scope(retry: string | RetryNode): readonly AtomNode[] {
    const node = this.atomOf(retry);
    if (node.kind !== 'retry') throw new NotFoundError(`'${node.name}' is not a retry controller`);
    return (node as RetryNode).scope;
  }

  atomPredecessors(atom: string | AtomNode): AtomNode[] {
    return this.walk(this.atomOf(atom), 'in');
  }

  atomSuccessors(atom: string | AtomNode): AtomNode[] {
    return this.walk(this.atomOf(atom), 'out');
  }

  private walk(start: AtomNode, dir: 'in' | 'out'): AtomNode[] {
    const out: AtomNode[] = [];
    const seen = new Set<ExecNode>();
    const stack: ExecNode[] = start[dir].map((e) => (dir === 'in' ? e.from : e.to));
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (seen.has(node)) continue;
      seen.add(node);
      if (node.kind === 'task' || node.kind === 'retry') out.push(node);
      else for (const e of node[dir]) stack.push(dir === 'in' ? e.from : e.to);
    }
    return out.sort((a, b) => a.index - b.index);
  }

  missing(available: Iterable<string> = []): MissingRequirement[] {
    const have = available instanceof Set ? (available as Set<string>) : new Set(available);
    const bySymbol = new Map<string, string[]>();
    for (const { symbol, atom } of this.external) {
      if (have.has(symbol)) continue;
      const list = bySymbol.get(symbol);
      if (!list) bySymbol.set(symbol, [atom]);
      else if (list[list.length - 1] !== atom) list.push(atom);
    }
    return [...bySymbol].map(([symbol, requiredBy]) => ({ symbol, requiredBy }));
  }

  validate(available: Iterable<string> = []): void {
    const missing = this.missing(available);
    if (missing.length > 0) throw new MissingRequirementsError(missing);
  }
}
