import type { Retry } from '../atoms/retry';
import type { Task } from '../atoms/task';
/** How far a decider's "no" reaches (TaskFlow's `Depth`); the default is `ALL`. */
export declare const Depth: {
    /** The target atom and every atom after it, nested flows included. */
    readonly ALL: "ALL";
    /** The target atom and the atoms after it in the same flow, not nested flows. */
    readonly FLOW: "FLOW";
    /** The target atom and its immediate successor tasks. */
    readonly NEIGHBORS: "NEIGHBORS";
    /** The target atom only. */
    readonly ATOM: "ATOM";
};
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
export declare function isFlow(value: unknown): value is Flow;
/**
 * Computes the symbols of `root` and every flow under it, bottom-up and without
 * recursion, into `cache` (which may already hold some flows).
 */
export declare function computeSymbols(root: FlowItem, cache: Map<Flow, ItemSymbols>): ItemSymbols;
/**
 * @internal The symbols a flow of `pattern` with retry `retry` and items of symbols
 * `items` (in the order added) needs from outside: linear, what no earlier item
 * (or the retry) provides; unordered, what the retry does not provide; graph, what
 * no other item (or the retry) provides.
 */
export declare function requiresOfItems(pattern: FlowPattern, retry: Retry | undefined, items: readonly ItemSymbols[]): Set<string>;
/**
 * A pattern: a named set of items (tasks and flows) with an ordering, and an
 * optional retry controller. Build with {@link linearFlow}, {@link unorderedFlow},
 * {@link graphFlow}; the compiler turns it into a {@link CompiledFlow}.
 */
export declare abstract class Flow {
    readonly name: string;
    readonly retry: Retry | undefined;
    abstract readonly pattern: FlowPattern;
    /** @internal */
    protected readonly _items: FlowItem[];
    /** @internal */
    protected readonly _members: Set<FlowItem>;
    constructor(name: string, options?: FlowOptions);
    /** The direct items, in the order they were added. */
    get items(): readonly FlowItem[];
    /** How many direct items the flow holds. */
    get size(): number;
    /** True when `item` is a direct item of this flow. */
    has(item: FlowItem): boolean;
    /** Adds tasks and flows (nested freely). Adding an item twice, a retry, or anything else throws. */
    add(...items: FlowItem[]): this;
    /** Symbols needed from outside the flow (what nothing before them inside provides). */
    get requires(): ReadonlySet<string>;
    /** Symbols the flow's atoms (and retry) provide. */
    get provides(): ReadonlySet<string>;
    /** The ordering links between direct items (graph flows include their auto-links). */
    iterLinks(): Iterable<FlowLink>;
    /** @internal The links, given the items' symbols. */
    abstract linksFrom(of: SymbolsOf): FlowLink[];
    /** @internal The external requirements, given the items' symbols. */
    abstract requiresFrom(of: SymbolsOf): Set<string>;
    toString(): string;
}
/** Runs its items one after the other, in the order added. */
export declare class LinearFlow extends Flow {
    readonly pattern: "linear";
    linksFrom(): FlowLink[];
    requiresFrom(of: SymbolsOf): Set<string>;
}
/** Runs its items in any order (in parallel when the engine can); no item sees another's results. */
export declare class UnorderedFlow extends Flow {
    readonly pattern: "unordered";
    linksFrom(): FlowLink[];
    requiresFrom(of: SymbolsOf): Set<string>;
}
/**
 * Runs its items in dependency order: an item that requires a symbol another item
 * provides runs after it (auto-links, resolved at compile time), plus the explicit
 * links made with `link()`, which may carry a decider.
 */
export declare class GraphFlow extends Flow {
    #private;
    readonly pattern: "graph";
    /**
     * Makes `to` run after `from` (both must be items of this flow). With a
     * `decider`, `to` (and, per `deciderDepth`, what follows it) is ignored when the
     * decider returns false. Cycles are reported when the flow is compiled.
     */
    link(from: FlowItem, to: FlowItem, options?: LinkOptions): this;
    linksFrom(of: SymbolsOf): FlowLink[];
    requiresFrom(of: SymbolsOf): Set<string>;
}
/** A flow whose items run one after the other. */
export declare function linearFlow(name: string, options?: FlowOptions): LinearFlow;
/** A flow whose items run in any order. */
export declare function unorderedFlow(name: string, options?: FlowOptions): UnorderedFlow;
/** A flow whose items run in dependency order (symbols and explicit links). */
export declare function graphFlow(name: string, options?: FlowOptions): GraphFlow;
