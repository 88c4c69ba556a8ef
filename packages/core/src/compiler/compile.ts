import { isRetry, isTask } from '../atoms/atom';
import type { Retry } from '../atoms/retry';
import type { Task } from '../atoms/task';
import { NotFoundError } from '../errors';
import { InvalidFlowError } from '../patterns/errors';
import {
  LinearFlow,
  isFlow,
  type Decider,
  type DeciderDepth,
  type Flow,
  type FlowItem,
  type FlowPattern,
  type ItemSymbols,
  requiresOfItems,
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
//
// Memory matters here more than anywhere: a 100k-atom flow retains every object
// below, and objects that survive while `compile` is still allocating are copied
// by the young-generation GC (twice) before they are promoted. So: no per-atom
// Sets, Maps or closures; `in`/`out`/`argList` arrays allocated at their exact size
// (a `push` onto `[]` reserves 17 slots); constant fields on prototypes; scratch
// indexes as typed arrays, dropped when compile returns.

const NO_STRINGS: readonly string[] = Object.freeze([]);
const NO_DECIDERS: readonly EdgeDecider[] = Object.freeze([]);
const NO_ARGS: readonly ArgBinding[] = Object.freeze([]);
const NO_EDGES: readonly MEdge[] = Object.freeze([]);

/** A `structure`, `retry` or `order` edge: `manual`, `reasons`, `decider` and `deciderDepth` come from the prototype. */
class MEdge implements Edge {
  declare readonly manual: boolean;
  declare readonly reasons: readonly string[];
  declare readonly decider: Decider | undefined;
  declare readonly deciderDepth: DeciderDepth | undefined;
  constructor(
    readonly from: MNode,
    readonly to: MNode,
    readonly kind: EdgeKind,
  ) {}
}
Object.defineProperties(MEdge.prototype, {
  manual: { value: false, enumerable: true, writable: true },
  reasons: { value: NO_STRINGS, enumerable: true, writable: true },
  decider: { value: undefined, enumerable: true, writable: true },
  deciderDepth: { value: undefined, enumerable: true, writable: true },
});

/** A `link` edge of a graph flow (own fields). */
class MLinkEdge extends MEdge {
  constructor(from: MNode, to: MNode, manual: boolean, reasons: readonly string[], decider: Decider | undefined, deciderDepth: DeciderDepth | undefined) {
    super(from, to, 'link');
    const self = this as { manual: boolean; reasons: readonly string[]; decider: Decider | undefined; deciderDepth: DeciderDepth | undefined };
    self.manual = manual;
    self.reasons = reasons;
    self.decider = decider;
    self.deciderDepth = deciderDepth;
  }
}

abstract class MNodeBase {
  id = -1;
  /** Exact-size arrays, filled once every edge is known. */
  in: readonly MEdge[] = NO_EDGES;
  out: readonly MEdge[] = NO_EDGES;
  declare readonly kind: NodeKind;
  abstract readonly name: string;
}

class MJoin extends MNodeBase implements JoinNode {
  constructor(
    override readonly kind: 'flow' | 'flow_end',
    readonly flow: MFlow,
  ) {
    super();
  }
  get name(): string {
    return this.kind === 'flow' ? this.flow.name : `${this.flow.name}[$]`;
  }
}

abstract class MAtomBase extends MNodeBase {
  declare readonly kind: 'task' | 'retry';
  abstract readonly atom: Task | Retry;
  index = -1;
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
  declare readonly kind: 'task';
  constructor(readonly atom: Task, flow: MFlow) {
    super(atom, flow);
  }
}
Object.defineProperty(MTask.prototype, 'kind', { value: 'task', enumerable: true });

class MRetry extends MAtomBase implements RetryNode {
  declare readonly kind: 'retry';
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
Object.defineProperty(MRetry.prototype, 'kind', { value: 'retry', enumerable: true });

/**
 * The links of a graph flow between its items, by item position, as compressed
 * adjacency (link `k` goes from item `linkFrom[k]` to item `linkTo[k]`; the links
 * into item `i` are `predLink[predStart[i] .. predStart[i+1]]`, in link order).
 */
interface GraphInfo {
  /** The edge made for each link (its `reasons`). */
  links: MEdge[];
  linkFrom: Int32Array;
  linkTo: Int32Array;
  predStart: Int32Array;
  predLink: Int32Array;
  succStart: Int32Array;
  succLink: Int32Array;
  /** Item positions in a topological order. */
  topo: Int32Array;
}

type MAtom = MTask | MRetry;
type MItem = MTask | MFlow;
/** The atoms a consumer reads a symbol from: one atom, or a list (empty: none; several: ambiguous). */
type Finals = MAtom | readonly MAtom[];

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
  /** Filled by position (exact size). */
  readonly children: MItem[];
  /** Position among the parent flow's items. */
  pos = -1;
  start = 0;
  end = 0;
  /** Symbols needed from outside / provided (computed on first use, see `ensureSymbols`). */
  syms: ItemSymbols | undefined;
  /** Compile-time scratch (dropped by `release`). */
  graph: GraphInfo | undefined;
  #atoms: readonly AtomNode[] | undefined;
  #provIndex: Map<string, number | number[]> | undefined;
  finals: Map<string, Finals> | undefined;

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
    this.children = new Array<MItem>(flow.items.length);
  }

  get requires(): ReadonlySet<string> {
    return (this.syms ?? ensureSymbols(this)).requires;
  }

  get provides(): ReadonlySet<string> {
    return (this.syms ?? ensureSymbols(this)).provides;
  }

  get atoms(): readonly AtomNode[] {
    return (this.#atoms ??= Object.freeze(this.tree.slice(this.start, this.end)));
  }

  /** symbol -> position of the item providing it, or ascending positions when several do. */
  get provIndex(): Map<string, number | number[]> {
    if (this.#provIndex) return this.#provIndex;
    const index = new Map<string, number | number[]>();
    const children = this.children;
    for (let i = 0; i < children.length; i++) {
      const child = children[i]!;
      const provides = child instanceof MFlow ? child.provides : child.atom.provides;
      for (const s of provides) {
        const cur = index.get(s);
        if (cur === undefined) index.set(s, i);
        else if (typeof cur === 'number') index.set(s, [cur, i]);
        else cur.push(i);
      }
    }
    return (this.#provIndex = index);
  }

  /** Ascending positions of the items providing `symbol`. */
  positions(symbol: string): readonly number[] | undefined {
    const cur = this.provIndex.get(symbol);
    return typeof cur === 'number' ? [cur] : cur;
  }

  /** Drops the compile-time indexes. */
  release(): void {
    this.#provIndex = undefined;
    this.finals = undefined;
    this.graph = undefined;
  }
}

/**
 * Computes the symbols of `root` and of every flow under it not computed yet,
 * bottom-up and without recursion, from the compiled items (what `computeSymbols`
 * computes from the flows, as they were when compiled). Nothing in compile needs
 * them but graph flows with nested flows (auto-links) and linear flows resolving
 * arguments through nested flows, so they are computed on first use.
 */
function ensureSymbols(root: MFlow): ItemSymbols {
  const order: MFlow[] = [root];
  for (let h = 0; h < order.length; h++) {
    for (const c of order[h]!.children) if (c instanceof MFlow && c.syms === undefined) order.push(c);
  }
  for (let k = order.length - 1; k >= 0; k--) {
    const f = order[k]!;
    const children = f.children;
    const items = new Array<ItemSymbols>(children.length);
    const retry = f.retry?.atom;
    const provides = new Set<string>(retry?.provides ?? []);
    for (let i = 0; i < children.length; i++) {
      const c = children[i]!;
      const sym: ItemSymbols = c instanceof MFlow ? c.syms! : c.atom;
      items[i] = sym;
      for (const s of sym.provides) provides.add(s);
    }
    f.syms = { requires: requiresOfItems(f.pattern, retry, items), provides };
  }
  return root.syms!;
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
  //    Atom names are indexed on the way; an item met twice is an error (a task
  //    met twice collides with its own name, a flow met twice is in `byFlow`).
  const tree: MAtom[] = [];
  const flows: MFlow[] = [];
  const retries = new Set<Retry>();
  const byFlow = new Map<Flow, MFlow>();
  const byName = new Map<string, MAtom>();
  let duplicates: Set<string> | undefined;
  /** Tasks whose name collided with another atom's (to still catch them being reused). */
  let collided: Set<Task> | undefined;
  const index = (a: MAtom): void => {
    const other = byName.get(a.name);
    if (other === undefined) byName.set(a.name, a);
    else (duplicates ??= new Set()).add(a.name);
  };
  const newFlow = (flow: Flow, parent: MFlow | undefined): MFlow => {
    const f = new MFlow(flow, parent, tree);
    flows.push(f);
    byFlow.set(flow, f);
    f.nearestRetry = parent?.nearestRetry;
    f.start = tree.length;
    const retry = flow.retry;
    if (retry !== undefined) {
      if (!isRetry(retry)) throw new InvalidFlowError(flow.name, 'its retry is not a Retry');
      if (retries.has(retry)) throw new InvalidFlowError(flow.name, `retry '${retry.name}' is used by more than one flow`, retry.name);
      retries.add(retry);
      const r = new MRetry(retry, f, tree);
      r.retry = parent?.nearestRetry;
      tree.push(r);
      index(r);
      f.retry = r;
      f.nearestRetry = r;
    }
    return f;
  };
  const root = newFlow(rootFlow, undefined);
  const frames: { f: MFlow; i: number }[] = [{ f: root, i: 0 }];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    const f = frame.f;
    const items = f.flow.items;
    if (frame.i >= items.length) {
      f.end = tree.length;
      frames.pop();
      continue;
    }
    const pos = frame.i++;
    const item = items[pos]!;
    if (isFlow(item)) {
      if (byFlow.has(item)) {
        throw new InvalidFlowError(f.name, `'${item.name}' appears more than once in the flow (or contains its own flow)`, item.name);
      }
      const child = newFlow(item, f);
      child.pos = pos;
      f.children[pos] = child;
      frames.push({ f: child, i: 0 });
    } else if (isTask(item)) {
      const other = byName.get(item.name);
      if (other !== undefined) {
        if (other.atom === item || collided?.has(item)) {
          throw new InvalidFlowError(f.name, `'${item.name}' appears more than once in the flow (or contains its own flow)`, item.name);
        }
        (collided ??= new Set()).add(item);
      }
      const a = new MTask(item, f);
      a.pos = pos;
      a.retry = f.nearestRetry;
      tree.push(a);
      f.children[pos] = a;
      if (other === undefined) byName.set(a.name, a);
      else (duplicates ??= new Set()).add(a.name);
    } else {
      throw new InvalidFlowError(f.name, `cannot compile ${String(item)}: items are tasks or flows`);
    }
  }

  // 2. Unique atom names (all duplicates reported).
  if (duplicates !== undefined) throw new DuplicateNameError([...duplicates]);

  // 3. The symbols of a flow are computed when first needed (`ensureSymbols`).
  const symbolsOf = (item: FlowItem): ItemSymbols => (isFlow(item) ? byFlow.get(item)! : (item as Task));
  /** The item of graph flow `f` that `item` is. */
  const itemOf = (f: MFlow, item: FlowItem): MItem | undefined => {
    if (isFlow(item)) {
      const c = byFlow.get(item);
      return c?.parent === f ? c : undefined;
    }
    const a = byName.get(item.name);
    return a !== undefined && a.atom === item && a.flow === f && a.pos >= 0 ? (a as MTask) : undefined;
  };

  // 4. The execution graph. Nodes are numbered as they are listed; edges are
  //    collected first and handed to their nodes at exact size at the end.
  const nodes = new Array<MNode>(tree.length + 2 * flows.length);
  let nodeCount = 0;
  const addNode = (node: MNode): void => {
    node.id = nodeCount;
    nodes[nodeCount++] = node;
  };
  const edges: MEdge[] = [];
  for (const f of flows) {
    addNode(f.entry);
    if (f.retry) addNode(f.retry);
    const children = f.children;
    const n = children.length;
    for (let i = 0; i < n; i++) {
      const c = children[i]!;
      if (!(c instanceof MFlow)) addNode(c);
    }
    addNode(f.exit);
    const head: MNode = f.retry ?? f.entry;
    if (f.retry) edges.push(new MEdge(f.entry, f.retry, 'structure'));
    const headKind: EdgeKind = f.retry ? 'retry' : 'structure';
    if (n === 0) {
      edges.push(new MEdge(head, f.exit, headKind));
      continue;
    }
    let hasPred: Uint8Array | undefined;
    let hasSucc: Uint8Array | undefined;
    if (f.pattern === 'linear') {
      for (let i = 1; i < n; i++) edges.push(new MEdge(exitOf(children[i - 1]!), entryOf(children[i]!), 'order'));
      edges.push(new MEdge(head, entryOf(children[0]!), headKind));
      edges.push(new MEdge(exitOf(children[n - 1]!), f.exit, 'structure'));
      continue;
    } else if (f.pattern === 'graph') {
      hasPred = new Uint8Array(n);
      hasSucc = new Uint8Array(n);
      const links = f.flow.linksFrom(symbolsOf);
      const m = links.length;
      const linkFrom = new Int32Array(m);
      const linkTo = new Int32Array(m);
      const linkEdges = new Array<MEdge>(m);
      for (let k = 0; k < m; k++) {
        const link = links[k]!;
        const u = itemOf(f, link.from);
        const v = itemOf(f, link.to);
        if (!u || !v || u === v) {
          throw new InvalidFlowError(f.name, `link ${link.from.name} -> ${link.to.name} is not between two items of the flow`);
        }
        const e = new MLinkEdge(exitOf(u), entryOf(v), link.manual, link.reasons, link.decider, link.deciderDepth);
        edges.push(e);
        linkEdges[k] = e;
        linkFrom[k] = u.pos;
        linkTo[k] = v.pos;
        hasPred[v.pos] = 1;
        hasSucc[u.pos] = 1;
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
      f.graph = info;
      info.topo = sortItems(f, info);
    } else if (f.pattern !== 'unordered') {
      throw new InvalidFlowError(f.name, `unknown pattern '${String(f.pattern)}'`);
    }
    for (let i = 0; i < n; i++) {
      const c = children[i]!;
      if (!hasPred?.[i]) edges.push(new MEdge(head, entryOf(c), headKind));
      if (!hasSucc?.[i]) edges.push(new MEdge(exitOf(c), f.exit, 'structure'));
    }
  }
  if (nodeCount !== nodes.length) throw new Error('tf compiler: node count mismatch (internal error)');

  // Hand every node its edges, at exact size and in the order they were made.
  const N = nodeCount;
  const indeg = new Int32Array(N);
  const outdeg = new Int32Array(N);
  for (let k = 0; k < edges.length; k++) {
    const e = edges[k]!;
    outdeg[e.from.id]!++;
    indeg[e.to.id]!++;
  }
  // A node with one edge gets a one-element array literal (exact size); an edge that
  // is both its source's only out-edge and its target's only in-edge (the `order`
  // edges of linear flows) puts the same array in both (read-only, so shareable).
  for (let i = 0; i < N; i++) {
    const node = nodes[i]!;
    if (indeg[i]! > 1) node.in = new Array<MEdge>(indeg[i]!);
    if (outdeg[i]! > 1) node.out = new Array<MEdge>(outdeg[i]!);
  }
  {
    const inAt = new Int32Array(N);
    const outAt = new Int32Array(N);
    for (let k = 0; k < edges.length; k++) {
      const e = edges[k]!;
      const from = e.from.id;
      const to = e.to.id;
      let single: MEdge[] | undefined;
      if (outdeg[from] === 1) e.from.out = single = [e];
      else (e.from.out as MEdge[])[outAt[from]!++] = e;
      if (indeg[to] === 1) e.to.in = single ?? [e];
      else (e.to.in as MEdge[])[inAt[to]!++] = e;
    }
  }

  // 5. Topological order (Kahn, FIFO: keeps the order items were added).
  const pending = indeg;
  const order = new Array<MNode>(N);
  let tail = 0;
  for (let i = 0; i < N; i++) if (pending[i] === 0) order[tail++] = nodes[i]!;
  for (let head = 0; head < tail; head++) {
    const out = order[head]!.out;
    for (let k = 0; k < out.length; k++) {
      const to = out[k]!.to;
      if (--pending[to.id]! === 0) order[tail++] = to;
    }
  }
  if (tail !== N) throw new Error('tf compiler: execution graph is not acyclic (internal error)');
  const atoms = new Array<MAtom>(tree.length);
  let atomCount = 0;
  for (let id = 0; id < N; id++) {
    const node = order[id]!;
    node.id = id;
    if (node instanceof MAtomBase) {
      node.index = atomCount;
      atoms[atomCount++] = node as MAtom;
    }
  }

  // 6. Deciders: direct ones plus those on links into the flow entries an atom is reached through.
  const inherited = new Map<MJoin, readonly EdgeDecider[]>();
  for (let id = 0; id < N; id++) {
    const node = order[id]!;
    if (node.kind === 'flow_end') continue;
    let result: readonly EdgeDecider[] = NO_DECIDERS;
    let owned = false; // `result` is a fresh array we may append to
    const ins = node.in;
    for (let k = 0; k < ins.length; k++) {
      const e = ins[k]!;
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

  // 7. Arguments: nearest visible provider of each symbol; ambiguities; external requirements
  //    (kept flat: symbol, atom name, symbol, atom name, ...).
  const ambiguities: Ambiguity[] = [];
  const external: string[] = [];
  // Bindings without a provider depend on (arg, symbol, optional, injected) only:
  // identical ones are shared (keyed by symbol, then arg), and so is the list of an
  // atom whose only argument is one (every task of an unordered flow reading `x`).
  let shared: Map<string, SharedBinding> | undefined;
  for (let t = 0; t < tree.length; t++) {
    const a = tree[t]!;
    const atom = a.atom;
    const mapping = atom.argMapping;
    const size = mapping.size;
    if (size === 0) continue;
    const args = new Array<ArgBinding>(size);
    let k = 0;
    let last: SharedBinding | undefined;
    const inject = atom.inject;
    const optionalArgs = atom.optionalArgs;
    for (const [arg, symbol] of mapping) {
      const optional = optionalArgs.has(arg);
      const injected = Object.prototype.hasOwnProperty.call(inject, symbol);
      let provider: MAtom | undefined;
      if (!injected) {
        const found = resolveProviders(a, symbol);
        if (Array.isArray(found)) {
          const list = found as readonly MAtom[];
          if (list.length > 1) ambiguities.push({ symbol, consumer: a.name, providers: list.map((p) => p.name) });
          provider = list[0];
        } else provider = found as MAtom;
        if (!provider && !optional) external.push(symbol, a.name);
      }
      if (provider === undefined) {
        shared ??= new Map();
        let s = shared.get(symbol);
        while (s !== undefined && (s.binding.arg !== arg || s.binding.optional !== optional || s.binding.injected !== injected)) s = s.next;
        if (s === undefined) {
          const binding: ArgBinding = { arg, symbol, optional, injected, provider: undefined, key: undefined };
          s = { binding, list: undefined, next: shared.get(symbol) };
          shared.set(symbol, s);
        }
        args[k++] = s.binding;
        last = s;
        continue;
      }
      args[k++] = {
        arg,
        symbol,
        optional,
        injected,
        provider: provider.name,
        key: provider.atom.saveAs.get(symbol) ?? null,
      };
    }
    if (size === 1 && last !== undefined) a.argList = last.list ??= args;
    else a.argList = args;
  }
  if (ambiguities.length > 0) throw new AmbiguousProviderError(ambiguities);

  for (const f of flows) f.release();
  return new Compiled(root, atoms, order as ExecNode[], edges, flows, byName, external);
}

/** A binding without provider, shared by every atom it describes; `list` is `[binding]`. */
interface SharedBinding {
  readonly binding: ArgBinding;
  list: readonly ArgBinding[] | undefined;
  /** Another binding of the same symbol. */
  next: SharedBinding | undefined;
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
      if (indeg[p]! > 0) { next = p; break; }
    }
    cur = next;
  }
  const cycle = walked.slice(at.get(cur)!).reverse().map((i) => f.children[i]!.name);
  throw new CycleError(f.name, [...cycle, cycle[0]!]);
}

/**
 * The atoms whose result a consumer reads `symbol` from: walk up the hierarchy
 * from the consumer; at each level the items ordered before it (linear: earlier
 * items; graph: item ancestors; unordered: none), the nearest providing one wins,
 * then the level's retry. More than one atom means ambiguity.
 */
function resolveProviders(consumer: MAtom, symbol: string): Finals {
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

const NONE: readonly MAtom[] = Object.freeze([]);

/** `NONE` (never another empty list) when nothing at this level is visible. */
function visibleAt(level: MFlow, x: MItem, symbol: string): Finals {
  if (level.pattern === 'unordered') return NONE;
  if (level.pattern === 'linear') {
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
  // Graph: an auto-link for this symbol names the provider directly.
  const g = level.graph!;
  const xp = x.pos;
  const p0 = g.predStart[xp]!;
  const p1 = g.predStart[xp + 1]!;
  if (p0 === p1) return NONE;
  for (let j = p0; j < p1; j++) {
    const k = g.predLink[j]!;
    if (g.links[k]!.reasons.includes(symbol)) return nonEmpty(finalsOf(level.children[g.linkFrom[k]!]!, symbol));
  }
  if (!level.provIndex.has(symbol)) return NONE;
  // Otherwise (optional arguments, explicit links): nearest providing ancestors.
  const children = level.children;
  const found: number[] = [];
  const visited = new Set<number>([xp]);
  const queue: number[] = [];
  for (let j = p0; j < p1; j++) {
    const from = g.linkFrom[g.predLink[j]!]!;
    if (!visited.has(from)) { visited.add(from); queue.push(from); }
  }
  for (let h = 0; h < queue.length; h++) {
    const item = queue[h]!;
    if (providesOf(children[item]!).has(symbol)) {
      found.push(item);
      continue;
    }
    for (let j = g.predStart[item]!; j < g.predStart[item + 1]!; j++) {
      const from = g.linkFrom[g.predLink[j]!]!;
      if (!visited.has(from)) { visited.add(from); queue.push(from); }
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
    else {
      // Providers no other provider runs after: one reverse-topological pass.
      const g = item.graph!;
      const n = children.length;
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
      result = unionFinals(item, positions.filter((p) => !reaches[p]), symbol);
    }
  } else if (item.retry?.atom.provides.has(symbol)) {
    result = item.retry;
  }
  finals.set(symbol, result);
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
    /** Flat pairs: symbol, atom name, symbol, atom name, ... */
    private readonly external: readonly string[],
  ) {
    const requires = new Set<string>();
    for (let i = 0; i < external.length; i += 2) requires.add(external[i]!);
    this.requires = requires;
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
    const external = this.external;
    for (let i = 0; i < external.length; i += 2) {
      const symbol = external[i]!;
      const atom = external[i + 1]!;
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
