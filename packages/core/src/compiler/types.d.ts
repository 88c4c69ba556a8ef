/**
 * The compiled form of a flow: the contract between the compiler and the scheduler.
 *
 * ## The execution graph
 * Every atom (task or retry) is a node; every flow adds two *join* nodes, its
 * `entry` (kind `'flow'`) and its `exit` (kind `'flow_end'`), as TaskFlow's compiler
 * does. For a flow F:
 *
 *     entry(F) -> [retry(F)] -> items with no predecessor inside F
 *     items with no successor inside F -> exit(F)
 *     linear:    exit(item i) -> entry(item i+1)
 *     graph:     exit(from)   -> entry(to)         (one edge per link, carrying its decider)
 *     unordered: nothing more
 *
 * where entry/exit of an atom item is the atom itself. An empty flow links its
 * head (retry or entry) to its exit. Join nodes keep the graph linear in size:
 * linking two unordered flows of n atoms each adds one edge, not n*n.
 *
 * A node is ready when every predecessor node is done (a join node is "done" as
 * soon as it is ready: it does no work). A scheduler should keep a counter of
 * pending predecessors per node id (`nodes[i].id === i`), and walk through join
 * nodes itself; the `atomPredecessors()` / `atomSuccessors()` helpers do that walk
 * on demand but cost the size of the region they cross, so avoid them in hot paths.
 *
 * Reverting goes the other way: a node may revert once all its successors have.
 */
import type { Atom } from '../atoms/atom';
import type { Retry } from '../atoms/retry';
import type { Task } from '../atoms/task';
import type { Decider, DeciderDepth, Flow, FlowPattern } from '../patterns/flow';
import type { MissingRequirement } from './errors';
/** Node kinds: atoms (`task`, `retry`) and join nodes (`flow` = entry, `flow_end` = exit). */
export type NodeKind = 'task' | 'retry' | 'flow' | 'flow_end';
/**
 * Why an edge exists:
 * - `structure`: entry -> first items / retry, last items -> exit;
 * - `retry`: a flow's retry -> the items it heads (every atom in the flow depends on it);
 * - `order`: consecutive items of a linear flow;
 * - `link`: a graph flow link (explicit via `link()`, or inferred from requires/provides).
 */
export type EdgeKind = 'structure' | 'retry' | 'order' | 'link';
/** A directed edge of the execution graph: `to` waits for `from`. */
export interface Edge {
    readonly from: ExecNode;
    readonly to: ExecNode;
    readonly kind: EdgeKind;
    /** For `link` edges: made with `graphFlow(...).link()`. */
    readonly manual: boolean;
    /** For `link` edges: the symbols that caused an auto-link. */
    readonly reasons: readonly string[];
    /** A link's decider: `to` runs only if it returns true (see {@link EdgeDecider}). */
    readonly decider?: Decider;
    /** The decider's reach (`ALL` when the link has a decider and no depth). */
    readonly deciderDepth?: DeciderDepth;
}
/** What every node has. `id` is the node's index in `CompiledFlow.nodes` (a topological order). */
export interface BaseNode {
    readonly id: number;
    readonly kind: NodeKind;
    /** Atom name; a flow's name for its entry; `<flow>[$]` for its exit. */
    readonly name: string;
    /** Edges from predecessors (this node waits for their `from`). */
    readonly in: readonly Edge[];
    /** Edges to successors. */
    readonly out: readonly Edge[];
}
/** A flow's entry (`flow`) or exit (`flow_end`) join node; it does no work. */
export interface JoinNode extends BaseNode {
    readonly kind: 'flow' | 'flow_end';
    /** The flow it opens or closes. */
    readonly flow: FlowNode;
}
/**
 * A decider that gates an atom: from a link into the atom, or into a flow entry
 * the atom is reached through (TaskFlow walks back through flow entries, not
 * through retries, collecting them). TaskFlow calls every decider with the same
 * `history`: the results of the `from` atoms (of those that are atoms and were not
 * ignored); a decider whose `from` atom was ignored does not vote. If any decider
 * says no, the atom is ignored with the widest `depth` among the "no" voters.
 */
export interface EdgeDecider {
    /** Where the link starts: an atom, or a flow's exit node (link from a nested flow). */
    readonly from: ExecNode;
    readonly decider: Decider;
    readonly depth: DeciderDepth;
    readonly edge: Edge;
}
/**
 * How one argument of an atom is fed. Look-up order at run time (TaskFlow's):
 * the atom's `inject` (when `injected`), then the engine's store, then `provider`'s
 * result (extracting `key`). When no value exists, an optional argument is left
 * out of the args object; a required one is an error (`validate` catches it first).
 */
export interface ArgBinding {
    /** The name `execute` receives it under. */
    readonly arg: string;
    /** The symbol it is read from (after rebind). */
    readonly symbol: string;
    readonly optional: boolean;
    /** The atom's `inject` holds the symbol. */
    readonly injected: boolean;
    /**
     * The atom whose result supplies it: the nearest provider ordered before the
     * consumer (one not shadowed by a later provider); `undefined` when it must come
     * from the store (or inject), or, for optional arguments, may be absent.
     */
    readonly provider: string | undefined;
    /** What to take from the provider's result: a key or index, or `null` for the whole result (`undefined` without provider). */
    readonly key: string | number | null | undefined;
}
/** An atom placed in the execution graph. */
export interface AtomNode extends BaseNode {
    readonly kind: 'task' | 'retry';
    readonly atom: Task | Retry;
    /** Position in `CompiledFlow.atoms` (a topological order of atoms). */
    readonly index: number;
    /** The flow that directly holds the atom (for a retry: the flow it controls). */
    readonly flow: FlowNode;
    /** The enclosing flows, outermost first (shared between siblings: do not mutate). */
    readonly flowPath: readonly FlowNode[];
    /**
     * The nearest retry controller: the retry of the nearest enclosing flow that has
     * one (for a retry node, the controller of the flows around its own flow).
     */
    readonly retry: RetryNode | undefined;
    /** Every argument, keyed by argument name (built on first access from `argList`). */
    readonly args: ReadonlyMap<string, ArgBinding>;
    /** Every argument, required ones first, in the atom's `argMapping` order. */
    readonly argList: readonly ArgBinding[];
    /** The deciders that gate this atom (empty when none). */
    readonly deciders: readonly EdgeDecider[];
}
/** A task node. */
export interface TaskNode extends AtomNode {
    readonly kind: 'task';
    readonly atom: Task;
}
/** A retry controller node. */
export interface RetryNode extends AtomNode {
    readonly kind: 'retry';
    readonly atom: Retry;
    /** The flow it controls. */
    readonly controls: FlowNode;
    /** Every atom in the controlled flow, transitively, itself excluded (nested retries included), in tree order. */
    readonly scope: readonly AtomNode[];
}
/** Any node of the execution graph. */
export type ExecNode = TaskNode | RetryNode | JoinNode;
/** A flow of the compiled hierarchy. */
export interface FlowNode {
    readonly name: string;
    readonly pattern: FlowPattern;
    readonly flow: Flow;
    readonly parent: FlowNode | undefined;
    /** 0 for the root. */
    readonly depth: number;
    /** The flows from the root down to this one, inclusive. */
    readonly path: readonly FlowNode[];
    readonly entry: JoinNode;
    readonly exit: JoinNode;
    readonly retry: RetryNode | undefined;
    /** Direct items (atom nodes and flow nodes), in the order added. */
    readonly children: readonly (TaskNode | FlowNode)[];
    /** Every atom under this flow (its retry first, then items, depth first). */
    readonly atoms: readonly AtomNode[];
    /** Symbols needed from outside this flow. */
    readonly requires: ReadonlySet<string>;
    /** Symbols provided inside this flow. */
    readonly provides: ReadonlySet<string>;
}
/** The result of `compile(flow)`; immutable. */
export interface CompiledFlow {
    readonly root: FlowNode;
    /** All atoms in a topological order (`atoms[i].index === i`). */
    readonly atoms: readonly AtomNode[];
    /** All nodes, atoms and joins, in a topological order (`nodes[i].id === i`). */
    readonly nodes: readonly ExecNode[];
    /** All edges. */
    readonly edges: readonly Edge[];
    /** All flows, the root first, parents before children. */
    readonly flows: readonly FlowNode[];
    /** Symbols that must come from outside (the store): required, not injected, with no provider. */
    readonly requires: ReadonlySet<string>;
    /** The atom called `name`, or `undefined`. */
    get(name: string): AtomNode | undefined;
    /** True if an atom is called `name`. */
    has(name: string): boolean;
    /** Every atom in the scope of retry `retry` (see {@link RetryNode.scope}). */
    scope(retry: string | RetryNode): readonly AtomNode[];
    /** Atoms whose completion the atom waits for, found through join nodes (cost: the region crossed). */
    atomPredecessors(atom: string | AtomNode): AtomNode[];
    /** Atoms that wait for this atom, found through join nodes (cost: the region crossed). */
    atomSuccessors(atom: string | AtomNode): AtomNode[];
    /** Every missing requirement given the symbols available from outside (empty when all is satisfied). */
    missing(available?: Iterable<string>): MissingRequirement[];
    /** Throws a `MissingRequirementsError` listing every missing requirement. */
    validate(available?: Iterable<string>): void;
}
/** An atom of either kind, as given to the compiler. */
export type AnyAtom = Atom;
