import type { AtomNode, CompiledFlow, ExecNode } from '../compiler/types';
import type { Storage } from './storage';
/** An atom node, or a join node. */
type AnyNode = ExecNode | AtomNode;
/**
 * Which atoms may execute and which may revert, kept by counters so a run costs
 * time linear in atoms + edges: `execPending[n]` counts predecessors of node `n`
 * that are not done (an atom is done when it SUCCEEDED or was IGNORED with an
 * execute intention; a join node when all its predecessors are); `revPending[n]`
 * counts successors that are not clear (an atom is clear when PENDING, REVERTED or
 * IGNORED and everything after it is clear). An atom may execute when its
 * `execPending` is 0, and revert when its `revPending` is 0.
 */
export declare class Readiness {
    #private;
    constructor(compiled: CompiledFlow, storage: Storage);
    /** Computes every counter from the stored states (a fresh run and a resumed one alike). */
    initialise(): void;
    /** Re-evaluates a node after its state, intention or counters changed, propagating flips. */
    refresh(start: AnyNode): void;
    /** The next atom queued for reverting that still may revert. */
    nextToRevert(): AtomNode | undefined;
    /** The next atom queued for executing that still may execute. */
    nextToExecute(): AtomNode | undefined;
    /** True when a queued atom could still execute or revert (the run stopped with work left). */
    hasReadyWork(): boolean;
    canExecute(node: AtomNode): boolean;
    canRevert(node: AtomNode): boolean;
}
export {};
