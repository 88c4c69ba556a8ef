import type { Retry } from '../atoms/retry';
import type { Task } from '../atoms/task';
import { requiresOfItems, type Decider, type DeciderDepth, type Flow, type FlowPattern, type ItemSymbols } from '../patterns/flow';
import { materializeBindings, type ArgSources } from './arguments';
import type { EdgeIndex } from './edge-index';
import type { GraphInfo } from './graph-links';
import type { ArgBinding, AtomNode, Edge, EdgeDecider, EdgeKind, FlowNode, JoinNode, NodeKind, RetryNode, TaskNode } from './types';

// The compiler's internal, mutable node shapes (exposed through the readonly interfaces).
//
// Memory matters here more than anywhere: a 100k-atom flow retains every object
// below, and objects that survive while `compile` is still allocating are copied
// by the young-generation GC (twice) before they are promoted. So: no per-atom
// Sets, Maps or closures; `in`/`out`/`argList` arrays allocated at their exact size
// (a `push` onto `[]` reserves 17 slots); constant fields on prototypes; scratch
// indexes as typed arrays, dropped when compile returns.

const NO_STRINGS: readonly string[] = Object.freeze([]);
export const NO_DECIDERS: readonly EdgeDecider[] = Object.freeze([]);
const NO_ARGS: readonly ArgBinding[] = Object.freeze([]);

/**
 * A `structure`, `retry` or `order` edge: `from` and `to` are its only own fields
 * (a 40-byte object). `manual`, `reasons`, `decider` and `deciderDepth` come from
 * the prototype, and so does `kind`, read from the nodes (see `edgeKind`).
 */
export class MEdge implements Edge {
  declare readonly kind: EdgeKind;
  declare readonly manual: boolean;
  declare readonly reasons: readonly string[];
  declare readonly decider: Decider | undefined;
  declare readonly deciderDepth: DeciderDepth | undefined;
  constructor(
    readonly from: MNode,
    readonly to: MNode,
  ) {}
}
Object.defineProperties(MEdge.prototype, {
  kind: {
    get(this: MEdge): EdgeKind {
      return edgeKind(this.from, this.to);
    },
    enumerable: true,
  },
  manual: { value: false, enumerable: true, writable: true },
  reasons: { value: NO_STRINGS, enumerable: true, writable: true },
  decider: { value: undefined, enumerable: true, writable: true },
  deciderDepth: { value: undefined, enumerable: true, writable: true },
});

/**
 * The kind of a non-link edge, from its ends (as `addFlowEdges` makes them): a retry
 * controller's out-edges are `retry` edges; edges out of a flow's entry or into a flow's
 * exit are `structure` edges; the rest, between the items of a linear flow (from an
 * atom or a nested flow's exit to an atom or a nested flow's entry), are `order` edges.
 */
function edgeKind(from: MNode, to: MNode): Exclude<EdgeKind, 'link'> {
  if (from.kind === 'retry') return 'retry';
  return from.kind === 'flow' || to.kind === 'flow_end' ? 'structure' : 'order';
}

/** A `link` edge of a graph flow (own fields). */
export class MLinkEdge extends MEdge {
  constructor(
    from: MNode,
    to: MNode,
    manual: boolean,
    reasons: readonly string[],
    decider: Decider | undefined,
    deciderDepth: DeciderDepth | undefined,
  ) {
    super(from, to);
    const self = this as {
      manual: boolean;
      reasons: readonly string[];
      decider: Decider | undefined;
      deciderDepth: DeciderDepth | undefined;
    };
    self.manual = manual;
    self.reasons = reasons;
    self.decider = decider;
    self.deciderDepth = deciderDepth;
  }
}

Object.defineProperty(MLinkEdge.prototype, 'kind', { value: 'link', enumerable: true });

abstract class MNodeBase {
  id = -1;
  declare readonly kind: NodeKind;
  abstract readonly name: string;
  abstract readonly flow: MFlow;
  /** Made on first use from the compiled flow's adjacency (see `EdgeIndex`). */
  get in(): readonly MEdge[] {
    return this.flow.edgeIndex!.inOf(this.id);
  }
  get out(): readonly MEdge[] {
    return this.flow.edgeIndex!.outOf(this.id);
  }
}

export class MJoin extends MNodeBase implements JoinNode {
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

/** The `args` maps built so far (rarely read: a field on every atom would cost more than this table). */
const argMaps = new WeakMap<MAtomBase, Map<string, ArgBinding>>();

export abstract class MAtomBase extends MNodeBase {
  declare readonly kind: 'task' | 'retry';
  abstract readonly atom: Task | Retry;
  index = -1;
  /** Position among the parent flow's items (-1 for a retry). */
  pos = -1;
  retry: MRetry | undefined;
  /** The bindings, once made (see `argList`). */
  bound: readonly ArgBinding[] | undefined = NO_ARGS;
  /** Where this atom's argument sources start in its compile's `ArgSources` (when `bound` is not made yet). */
  argStart = -1;
  /**
   * The bindings in argMapping order; `args` (a Map) is built from it on first use. Compile
   * resolves every provider; the binding objects of an atom with a provider are made here,
   * on first read (see `bindArguments`).
   */
  get argList(): readonly ArgBinding[] {
    return (this.bound ??= materializeBindings(this as unknown as MAtom));
  }
  set argList(list: readonly ArgBinding[]) {
    this.bound = list;
  }
  get args(): ReadonlyMap<string, ArgBinding> {
    let map = argMaps.get(this);
    if (map === undefined) {
      map = new Map<string, ArgBinding>();
      for (const b of this.argList) map.set(b.arg, b);
      argMaps.set(this, map);
    }
    return map;
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

export class MTask extends MAtomBase implements TaskNode {
  declare readonly kind: 'task';
  constructor(
    readonly atom: Task,
    flow: MFlow,
  ) {
    super(atom, flow);
  }
}
Object.defineProperty(MTask.prototype, 'kind', { value: 'task', enumerable: true });

export class MRetry extends MAtomBase implements RetryNode {
  declare readonly kind: 'retry';
  #scope: readonly AtomNode[] | undefined;
  constructor(
    readonly atom: Retry,
    flow: MFlow,
    private readonly tree: MAtom[],
  ) {
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

export type MAtom = MTask | MRetry;
export type MItem = MTask | MFlow;
export type MNode = MAtom | MJoin;
/** The atoms a consumer reads a symbol from: one atom, or a list (empty: none; several: ambiguous). */
export type Finals = MAtom | readonly MAtom[];

export class MFlow implements FlowNode {
  readonly name: string;
  readonly pattern: FlowPattern;
  readonly depth: number;
  readonly path: readonly MFlow[];
  readonly entry: MJoin;
  readonly exit: MJoin;
  retry: MRetry | undefined;
  /** Nearest retry controller of atoms in this flow (its own, else its parent's). */
  nearestRetry: MRetry | undefined;
  /** Filled by position (exact size); a flat root flow's is the tree itself (see `buildHierarchy`). */
  children: MItem[];
  /** Position among the parent flow's items. */
  pos = -1;
  start = 0;
  end = 0;
  /** Symbols needed from outside / provided (computed on first use, see `ensureSymbols`). */
  syms: ItemSymbols | undefined;
  /** Compile-time scratch (dropped by `release`). */
  graph: GraphInfo | undefined;
  /** The argument sources of its atoms whose bindings are not made yet (shared by every flow of a compile). */
  argSources: ArgSources | undefined;
  /** The compiled flow's edges, which its nodes' `in` and `out` come from (set when compiled). */
  edgeIndex: EdgeIndex | undefined;
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

  /** Drops the compile-time indexes; `edges` is where its nodes' edges are from now on. */
  release(edges: EdgeIndex): void {
    this.edgeIndex = edges;
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

/** The node a flow item is entered through: the atom itself, or the flow's entry. */
export const entryOf = (item: MItem): MNode => (item instanceof MFlow ? item.entry : item);
/** The node a flow item is left through: the atom itself, or the flow's exit. */
export const exitOf = (item: MItem): MNode => (item instanceof MFlow ? item.exit : item);
export const providesOf = (item: MItem): ReadonlySet<string> => (item instanceof MFlow ? item.provides : item.atom.provides);
