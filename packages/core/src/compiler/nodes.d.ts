import type { Retry } from '../atoms/retry';
import type { Task } from '../atoms/task';
import { type Decider, type DeciderDepth, type Flow, type FlowPattern, type ItemSymbols } from '../patterns/flow';
import type { GraphInfo } from './graph-links';
import type { ArgBinding, AtomNode, Edge, EdgeDecider, EdgeKind, FlowNode, JoinNode, NodeKind, RetryNode, TaskNode } from './types';
export declare const NO_DECIDERS: readonly EdgeDecider[];
/** A `structure`, `retry` or `order` edge: `manual`, `reasons`, `decider` and `deciderDepth` come from the prototype. */
export declare class MEdge implements Edge {
    readonly from: MNode;
    readonly to: MNode;
    readonly kind: EdgeKind;
    readonly manual: boolean;
    readonly reasons: readonly string[];
    readonly decider: Decider | undefined;
    readonly deciderDepth: DeciderDepth | undefined;
    constructor(from: MNode, to: MNode, kind: EdgeKind);
}
/** A `link` edge of a graph flow (own fields). */
export declare class MLinkEdge extends MEdge {
    constructor(from: MNode, to: MNode, manual: boolean, reasons: readonly string[], decider: Decider | undefined, deciderDepth: DeciderDepth | undefined);
}
declare abstract class MNodeBase {
    id: number;
    /** Exact-size arrays, filled once every edge is known. */
    in: readonly MEdge[];
    out: readonly MEdge[];
    readonly kind: NodeKind;
    abstract readonly name: string;
}
export declare class MJoin extends MNodeBase implements JoinNode {
    readonly kind: 'flow' | 'flow_end';
    readonly flow: MFlow;
    constructor(kind: 'flow' | 'flow_end', flow: MFlow);
    get name(): string;
}
export declare abstract class MAtomBase extends MNodeBase {
    #private;
    readonly flow: MFlow;
    readonly kind: 'task' | 'retry';
    abstract readonly atom: Task | Retry;
    index: number;
    /** Position among the parent flow's items (-1 for a retry). */
    pos: number;
    retry: MRetry | undefined;
    /** The bindings in argMapping order; `args` (a Map) is built from it on first use. */
    argList: readonly ArgBinding[];
    get args(): ReadonlyMap<string, ArgBinding>;
    deciders: readonly EdgeDecider[];
    readonly name: string;
    constructor(atom: Task | Retry, flow: MFlow);
    get flowPath(): readonly FlowNode[];
}
export declare class MTask extends MAtomBase implements TaskNode {
    readonly atom: Task;
    readonly kind: 'task';
    constructor(atom: Task, flow: MFlow);
}
export declare class MRetry extends MAtomBase implements RetryNode {
    #private;
    readonly atom: Retry;
    private readonly tree;
    readonly kind: 'retry';
    constructor(atom: Retry, flow: MFlow, tree: MAtom[]);
    get controls(): FlowNode;
    get scope(): readonly AtomNode[];
}
export type MAtom = MTask | MRetry;
export type MItem = MTask | MFlow;
export type MNode = MAtom | MJoin;
/** The atoms a consumer reads a symbol from: one atom, or a list (empty: none; several: ambiguous). */
export type Finals = MAtom | readonly MAtom[];
export declare class MFlow implements FlowNode {
    #private;
    readonly flow: Flow;
    readonly parent: MFlow | undefined;
    private readonly tree;
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
    pos: number;
    start: number;
    end: number;
    /** Symbols needed from outside / provided (computed on first use, see `ensureSymbols`). */
    syms: ItemSymbols | undefined;
    /** Compile-time scratch (dropped by `release`). */
    graph: GraphInfo | undefined;
    finals: Map<string, Finals> | undefined;
    constructor(flow: Flow, parent: MFlow | undefined, tree: MAtom[]);
    get requires(): ReadonlySet<string>;
    get provides(): ReadonlySet<string>;
    get atoms(): readonly AtomNode[];
    /** symbol -> position of the item providing it, or ascending positions when several do. */
    get provIndex(): Map<string, number | number[]>;
    /** Ascending positions of the items providing `symbol`. */
    positions(symbol: string): readonly number[] | undefined;
    /** Drops the compile-time indexes. */
    release(): void;
}
/** The node a flow item is entered through: the atom itself, or the flow's entry. */
export declare const entryOf: (item: MItem) => MNode;
/** The node a flow item is left through: the atom itself, or the flow's exit. */
export declare const exitOf: (item: MItem) => MNode;
export declare const providesOf: (item: MItem) => ReadonlySet<string>;
export {};
