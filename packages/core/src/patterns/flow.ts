import { FLOW_BRAND, hasBrand } from '../brand';
import { isRetry, isTask } from '../atoms/atom';
import type { Retry } from '../atoms/retry';
import type { Task } from '../atoms/task';
import { AmbiguousProviderError, CycleError, InvalidFlowError } from './errors';
import { explicitLink, reasonList, type ExplicitLink, type LinkReasons, type LinkTable } from './link-table';

/** How far a decider's "no" reaches (TaskFlow's `Depth`); the default is `ALL`. */
export const Depth = {
  /** The target atom and every atom after it, nested flows included. */
  ALL: 'ALL',
  /** The target atom and the atoms after it in the same flow, not nested flows. */
  FLOW: 'FLOW',
  /** The target atom and its immediate successor tasks. */
  NEIGHBORS: 'NEIGHBORS',
  /** The target atom only. */
  ATOM: 'ATOM',
} as const;
export type DeciderDepth = (typeof Depth)[keyof typeof Depth];

/**
 * Decides at run time whether the target of a link runs: receives the results of
 * the link sources (by atom name) and returns `true` to run it, `false` to ignore it.
 */
export type Decider = (history: Record<string, unknown>) => boolean;

/** What a flow holds: tasks and nested flows. */
export type FlowItem = Task | Flow;

/** The patterns. */
export type FlowPattern = 'linear' | 'unordered' | 'graph';

/** A dependency between two direct items of a flow: `to` runs after `from`. */
export interface FlowLink {
  readonly from: FlowItem;
  readonly to: FlowItem;
  /** Made by `graphFlow(...).link()`. */
  readonly manual: boolean;
  /** Symbols `to` reads from `from` (auto-links of graph flows). */
  readonly reasons: readonly string[];
  readonly decider?: Decider;
  /** Set (default `ALL`) when there is a decider. */
  readonly deciderDepth?: DeciderDepth;
}

/** Options of the flow factories. */
export interface FlowOptions {
  /** The retry controller of this flow (named `<flow>_retry` if unnamed). */
  retry?: Retry;
}

/** Options of {@link GraphFlow.link}. */
export interface LinkOptions {
  decider?: Decider;
  deciderDepth?: DeciderDepth | Lowercase<DeciderDepth>;
}

/** The symbols an item needs from outside and produces. */
export interface ItemSymbols {
  readonly requires: ReadonlySet<string>;
  readonly provides: ReadonlySet<string>;
}

/** Looks up an item's symbols (the compiler caches flows' symbols through it). */
export type SymbolsOf = (item: FlowItem) => ItemSymbols;

/** True for a flow of any pattern, from any copy of `@tf/core`. */
export function isFlow(value: unknown): value is Flow {
  return typeof value === 'object' && hasBrand(value, FLOW_BRAND);
}

function itemName(item: unknown): string {
  const name = (item as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : String(item);
}

/**
 * Computes the symbols of `root` and every flow under it, bottom-up and without
 * recursion, into `cache` (which may already hold some flows).
 */
export function computeSymbols(root: FlowItem, cache: Map<Flow, ItemSymbols>): ItemSymbols {
  const of: SymbolsOf = (item) => (isFlow(item) ? cache.get(item)! : (item as Task));
  if (!isFlow(root)) return root as Task;
  if (cache.has(root)) return cache.get(root)!;
  const stack: [Flow, boolean][] = [[root, false]];
  const onStack = new Set<Flow>();
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [flow, expanded] = top;
    if (cache.has(flow)) {
      stack.pop();
      continue;
    }
    if (!expanded) {
      top[1] = true;
      onStack.add(flow);
      for (const item of flow.items) {
        if (isFlow(item) && !cache.has(item)) {
          if (onStack.has(item)) throw new InvalidFlowError(flow.name, `flow '${item.name}' contains itself`, item.name);
          stack.push([item, false]);
        }
      }
      continue;
    }
    stack.pop();
    onStack.delete(flow);
    const provides = new Set<string>(flow.retry?.provides ?? []);
    for (const item of flow.items) for (const s of of(item).provides) provides.add(s);
    cache.set(flow, { requires: flow.requiresFrom(of), provides });
  }
  return cache.get(root)!;
}

/**
 * @internal The symbols a flow of `pattern` with retry `retry` and items of symbols
 * `items` (in the order added) needs from outside: linear, what no earlier item
 * (or the retry) provides; unordered, what the retry does not provide; graph, what
 * no other item (or the retry) provides.
 */
export function requiresOfItems(pattern: FlowPattern, retry: Retry | undefined, items: readonly ItemSymbols[]): Set<string> {
  const requires = new Set<string>(retry?.requires ?? []);
  const retryProvides = retry?.provides;
  if (pattern === 'linear') {
    const provided = new Set<string>(retryProvides ?? []);
    for (const sym of items) {
      for (const s of sym.requires) if (!provided.has(s)) requires.add(s);
      for (const s of sym.provides) provided.add(s);
    }
  } else if (pattern === 'unordered') {
    for (const sym of items) {
      for (const s of sym.requires) if (!retryProvides?.has(s)) requires.add(s);
    }
  } else {
    // symbol -> position of the item providing it, or -1 when several do.
    const providers = new Map<string, number>();
    for (let i = 0; i < items.length; i++) {
      for (const s of items[i]!.provides) providers.set(s, providers.has(s) ? -1 : i);
    }
    for (let i = 0; i < items.length; i++) {
      for (const s of items[i]!.requires) {
        if (retryProvides?.has(s)) continue;
        const p = providers.get(s);
        if (p === undefined || p === i) requires.add(s);
      }
    }
  }
  return requires;
}

/**
 * A pattern: a named set of items (tasks and flows) with an ordering, and an
 * optional retry controller. Build with {@link linearFlow}, {@link unorderedFlow},
 * {@link graphFlow}; the compiler turns it into a {@link CompiledFlow}.
 */
export abstract class Flow {
  readonly name: string;
  readonly retry: Retry | undefined;
  abstract readonly pattern: FlowPattern;
  /** @internal */
  protected readonly _items: FlowItem[] = [];
  /** @internal */
  protected readonly _members = new Set<FlowItem>();

  constructor(name: string, options: FlowOptions = {}) {
    if (typeof name !== 'string' || name.length === 0) throw new InvalidFlowError(String(name), 'a flow needs a non-empty name');
    this.name = name;
    const retry = options?.retry;
    if (retry !== undefined && retry !== null) {
      if (!isRetry(retry)) throw new InvalidFlowError(name, 'retry must be a Retry (Times, ForEach, ...)');
      if (!retry.hasName) retry.adoptName(`${name}_retry`);
      this.retry = retry;
    }
  }

  /** The direct items, in the order they were added. */
  get items(): readonly FlowItem[] {
    return this._items;
  }

  /** How many direct items the flow holds. */
  get size(): number {
    return this._items.length;
  }

  /** True when `item` is a direct item of this flow. */
  has(item: FlowItem): boolean {
    return this._members.has(item);
  }

  /** Adds tasks and flows (nested freely). Adding an item twice, a retry, or anything else throws. */
  add(...items: FlowItem[]): this {
    const batch = new Set<FlowItem>();
    for (const item of items) {
      if (isRetry(item)) {
        throw new InvalidFlowError(
          this.name,
          `retry '${itemName(item)}' cannot be an item; pass it as the flow's { retry }`,
          itemName(item),
        );
      }
      if (!isTask(item) && !isFlow(item)) {
        throw new InvalidFlowError(this.name, `cannot add ${itemName(item)}: items are tasks or flows`);
      }
      if (item === (this as unknown)) throw new InvalidFlowError(this.name, 'a flow cannot contain itself', this.name);
      if (this._members.has(item) || batch.has(item)) {
        throw new InvalidFlowError(this.name, `'${item.name}' is already in the flow`, item.name);
      }
      batch.add(item);
    }
    for (const item of batch) {
      this._items.push(item);
      this._members.add(item);
    }
    return this;
  }

  /** Symbols needed from outside the flow (what nothing before them inside provides). */
  get requires(): ReadonlySet<string> {
    return computeSymbols(this, new Map()).requires;
  }

  /** Symbols the flow's atoms (and retry) provide. */
  get provides(): ReadonlySet<string> {
    return computeSymbols(this, new Map()).provides;
  }

  /** The ordering links between direct items (graph flows include their auto-links). */
  iterLinks(): Iterable<FlowLink> {
    const cache = new Map<Flow, ItemSymbols>();
    return this.linksFrom((item) => computeSymbols(item, cache));
  }

  /** @internal The links, given the items' symbols. */
  abstract linksFrom(of: SymbolsOf): FlowLink[];

  /** @internal The external requirements, given the items' symbols. */
  abstract requiresFrom(of: SymbolsOf): Set<string>;

  toString(): string {
    return `${this.pattern} flow '${this.name}' (${this._items.length} items)`;
  }
}
Object.defineProperty(Flow.prototype, FLOW_BRAND, { value: true });
Object.defineProperty(Flow, FLOW_BRAND, { value: true });

/** Runs its items one after the other, in the order added. */
export class LinearFlow extends Flow {
  readonly pattern = 'linear' as const;

  linksFrom(): FlowLink[] {
    const links: FlowLink[] = [];
    for (let i = 1; i < this._items.length; i++) {
      links.push({ from: this._items[i - 1]!, to: this._items[i]!, manual: false, reasons: [] });
    }
    return links;
  }

  requiresFrom(of: SymbolsOf): Set<string> {
    return requiresOfItems('linear', this.retry, this._items.map(of));
  }
}

/** Runs its items in any order (in parallel when the engine can); no item sees another's results. */
export class UnorderedFlow extends Flow {
  readonly pattern = 'unordered' as const;

  linksFrom(): FlowLink[] {
    return [];
  }

  requiresFrom(of: SymbolsOf): Set<string> {
    return requiresOfItems('unordered', this.retry, this._items.map(of));
  }
}

/** An explicit link's options when it has no decider (shared: they are read, never changed). */
const NO_DECIDER: ExplicitLink = Object.freeze({});

interface LinkMeta {
  manual: boolean;
  reasons: string[];
  decider?: Decider;
  deciderDepth?: DeciderDepth;
}

/**
 * Runs its items in dependency order: an item that requires a symbol another item
 * provides runs after it (auto-links, resolved at compile time), plus the explicit
 * links made with `link()`, which may carry a decider.
 */
export class GraphFlow extends Flow {
  readonly pattern = 'graph' as const;
  readonly #links = new Map<FlowItem, Map<FlowItem, LinkMeta>>();

  /**
   * Makes `to` run after `from` (both must be items of this flow). With a
   * `decider`, `to` (and, per `deciderDepth`, what follows it) is ignored when the
   * decider returns false. Cycles are reported when the flow is compiled.
   */
  link(from: FlowItem, to: FlowItem, options: LinkOptions = {}): this {
    if (!this._members.has(from))
      throw new InvalidFlowError(this.name, `cannot link from '${itemName(from)}': not an item of this flow`, itemName(from));
    if (!this._members.has(to))
      throw new InvalidFlowError(this.name, `cannot link to '${itemName(to)}': not an item of this flow`, itemName(to));
    if (from === to) throw new CycleError(this.name, [from.name, to.name]);
    const { decider, deciderDepth } = options ?? {};
    if (decider !== undefined && typeof decider !== 'function') {
      throw new InvalidFlowError(this.name, 'a decider must be a function', to.name);
    }
    let depth: DeciderDepth | undefined;
    if (deciderDepth !== undefined) {
      if (decider === undefined) throw new InvalidFlowError(this.name, 'deciderDepth needs a decider', to.name);
      const upper = String(deciderDepth).toUpperCase();
      if (!Object.hasOwn(Depth, upper)) {
        throw new InvalidFlowError(
          this.name,
          `deciderDepth must be one of ${Object.keys(Depth).join(', ')}, got '${deciderDepth}'`,
          to.name,
        );
      }
      depth = upper as DeciderDepth;
    }
    let out = this.#links.get(from);
    if (!out) this.#links.set(from, (out = new Map()));
    const meta = out.get(to) ?? { manual: true, reasons: [] };
    meta.manual = true;
    if (decider !== undefined) {
      meta.decider = decider;
      meta.deciderDepth = depth ?? 'ALL';
    }
    out.set(to, meta);
    return this;
  }

  linksFrom(of: SymbolsOf): FlowLink[] {
    const items = this._items;
    let positions: Map<FlowItem, number> | undefined;
    const positionOf = (item: FlowItem): number => {
      if (positions === undefined) positions = new Map(items.map((it, i) => [it, i]));
      return positions.get(item)!;
    };
    const table = this.linkTable((i) => of(items[i]!), positionOf);
    const links: FlowLink[] = new Array(table.from.length);
    for (let k = 0; k < links.length; k++) {
      const from = items[table.from[k]!]!;
      const to = items[table.to[k]!]!;
      const reasons = reasonList(table.reasons[k]!);
      const meta = explicitLink(table, k);
      links[k] =
        meta === undefined
          ? { from, to, manual: false, reasons }
          : { from, to, manual: true, reasons, ...(meta.decider ? { decider: meta.decider, deciderDepth: meta.deciderDepth! } : {}) };
    }
    return links;
  }

  /**
   * @internal The links by item position, in `linksFrom`'s order: the explicit links (in
   * the order made), then the auto-links, by consumer, each consumer's providers in the
   * order of the first symbol read from them. `symbolsAt(i)` gives item `i`'s symbols,
   * `positionOf(item)` an item's position. Throws `AmbiguousProviderError` for a symbol
   * several other items provide.
   */
  linkTable(symbolsAt: (position: number) => ItemSymbols, positionOf: (item: FlowItem) => number): LinkTable {
    const items = this._items;
    const n = items.length;
    // Link ends in typed arrays grown by doubling: no garbage for the collector to copy.
    let from = new Int32Array(Math.max(16, n));
    let to = new Int32Array(from.length);
    let count = 0;
    const addLink = (u: number, v: number): void => {
      if (count === from.length) {
        const wider = new Int32Array(2 * count);
        wider.set(from);
        from = wider;
        const widerTo = new Int32Array(2 * count);
        widerTo.set(to);
        to = widerTo;
      }
      from[count] = u;
      to[count++] = v;
    };
    const reasons: LinkReasons[] = [];
    const meta: (ExplicitLink | undefined)[] = [];
    const explicit = this.#links;
    /** Each explicit link's number in the table (its reasons are filled by the auto-link pass). */
    const numberOf = new Map<LinkMeta, number>();
    /** Items that explicit links lead to (only their providers can be explicit links). */
    const explicitInto = new Uint8Array(explicit.size === 0 ? 0 : n);
    for (const [f, out] of explicit) {
      const fromPos = positionOf(f);
      for (const [t, m] of out) {
        const toPos = positionOf(t);
        numberOf.set(m, count);
        explicitInto[toPos] = 1;
        addLink(fromPos, toPos);
        reasons.push([]);
        // A copy: `link()` changes a pair's options in place, and a compiled flow keeps what was linked when it compiled.
        meta.push(m.decider === undefined ? NO_DECIDER : { decider: m.decider, deciderDepth: m.deciderDepth });
      }
    }
    const retryProvides = this.retry?.provides;
    // symbol -> the position of the item providing it, or the positions when several do.
    const providers = new Map<string, number | number[]>();
    let shared: Set<string> | undefined; // symbols several items provide
    for (let i = 0; i < n; i++) {
      for (const s of symbolsAt(i).provides) {
        const size = providers.size;
        // One probe per symbol: a set that does not grow the map met a symbol provided before.
        if (providers.set(s, i).size === size) (shared ??= new Set()).add(s);
      }
    }
    if (shared !== undefined) {
      for (const s of shared) providers.set(s, []);
      for (let i = 0; i < n; i++) {
        for (const s of symbolsAt(i).provides) if (shared.has(s)) (providers.get(s) as number[]).push(i);
      }
    }
    for (let i = 0; i < n; i++) {
      const first = count; // this consumer's auto-links start here
      for (const s of symbolsAt(i).requires) {
        if (retryProvides?.has(s)) continue;
        const cur = providers.get(s);
        if (cur === undefined || cur === i) continue;
        let p: number;
        if (typeof cur !== 'number') {
          const others = cur.filter((q) => q !== i);
          if (others.length > 1) {
            throw new AmbiguousProviderError([{ symbol: s, consumer: items[i]!.name, providers: others.map((q) => items[q]!.name) }]);
          }
          p = others[0]!;
        } else p = cur;
        const m = explicitInto[i] === 1 ? explicit.get(items[p]!)?.get(items[i]!) : undefined;
        if (m) {
          (reasons[numberOf.get(m)!] as string[]).push(s);
          continue;
        }
        let k = first;
        while (k < count && from[k] !== p) k++;
        if (k < count) {
          const r = reasons[k]!;
          if (typeof r === 'string') reasons[k] = [r, s];
          else r.push(s);
        } else {
          addLink(p, i);
          reasons.push(s);
        }
      }
    }
    return { from: from.slice(0, count), to: to.slice(0, count), reasons, meta };
  }

  requiresFrom(of: SymbolsOf): Set<string> {
    return requiresOfItems('graph', this.retry, this._items.map(of));
  }
}

/** A flow whose items run one after the other. */
export function linearFlow(name: string, options?: FlowOptions): LinearFlow {
  return new LinearFlow(name, options);
}

/** A flow whose items run in any order. */
export function unorderedFlow(name: string, options?: FlowOptions): UnorderedFlow {
  return new UnorderedFlow(name, options);
}

/** A flow whose items run in dependency order (symbols and explicit links). */
export function graphFlow(name: string, options?: FlowOptions): GraphFlow {
  return new GraphFlow(name, options);
}
