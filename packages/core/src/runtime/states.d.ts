import { InvalidStateError } from '../errors';
/** The states an atom (task or retry) and a flow pass through, as TaskFlow names them. */
export declare const States: {
    readonly PENDING: "PENDING";
    readonly RUNNING: "RUNNING";
    readonly SUCCESS: "SUCCESS";
    readonly FAILURE: "FAILURE";
    readonly REVERTING: "REVERTING";
    readonly REVERTED: "REVERTED";
    readonly REVERT_FAILURE: "REVERT_FAILURE";
    readonly RETRYING: "RETRYING";
    readonly IGNORE: "IGNORE";
    readonly SUSPENDING: "SUSPENDING";
    readonly SUSPENDED: "SUSPENDED";
    readonly RESUMING: "RESUMING";
};
export type AtomState = 'PENDING' | 'RUNNING' | 'SUCCESS' | 'FAILURE' | 'REVERTING' | 'REVERTED' | 'REVERT_FAILURE' | 'RETRYING' | 'IGNORE';
export type FlowState = 'PENDING' | 'RUNNING' | 'SUCCESS' | 'FAILURE' | 'REVERTED' | 'SUSPENDING' | 'SUSPENDED' | 'RESUMING';
/** What the runtime means to do next with an atom. */
export type Intention = 'EXECUTE' | 'REVERT' | 'RETRY' | 'IGNORE';
/** An atom or flow asked to move along a transition TaskFlow does not allow. */
export declare class InvalidTransitionError extends InvalidStateError {
    readonly from: string;
    readonly to: string;
    readonly subject: string;
    constructor(subject: string, from: string, to: string);
}
/**
 * Whether a task may move from `from` to `to`: true when legal, false when it is a
 * no-op (same state); throws InvalidTransitionError otherwise.
 */
export declare function checkTaskTransition(from: AtomState, to: AtomState, subject?: string): boolean;
/** As checkTaskTransition, for retry controllers (which may also go SUCCESS -> RETRYING -> RUNNING). */
export declare function checkRetryTransition(from: AtomState, to: AtomState, subject?: string): boolean;
/** Whether a flow may move: true when legal, false when TaskFlow ignores it; throws otherwise. */
export declare function checkFlowTransition(from: FlowState, to: FlowState, subject?: string): boolean;
