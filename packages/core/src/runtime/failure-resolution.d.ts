import type { AtomNode, RetryNode } from '../compiler/types';
import { Failure } from '../failure/failure';
import type { Logger } from '../logger';
import type { Readiness } from './readiness';
import type { Storage } from './storage';
import type { Successors } from './successors';
import type { Transitions } from './transitions';
/**
 * What follows an atom's failure: asks its retry controllers (outwards) whether to
 * retry their scope, revert it, or revert everything, and sets the intentions of
 * the atoms concerned; once a retried scope has reverted, runs it again.
 */
export declare class FailureResolver {
    #private;
    private readonly storage;
    private readonly atoms;
    private readonly readiness;
    private readonly successors;
    private readonly transitions;
    private readonly logger;
    /** Told of the failure of a retry controller that cannot decide (everything is then reverted). */
    private readonly onUndecided;
    constructor(storage: Storage, atoms: readonly AtomNode[], readiness: Readiness, successors: Successors, transitions: Transitions, logger: Logger, 
    /** Told of the failure of a retry controller that cannot decide (everything is then reverted). */
    onUndecided: (failure: Failure) => void);
    resolve(node: AtomNode, failure: Failure): Promise<void>;
    /** A retry whose scope has reverted runs again: its subflow goes back to PENDING. */
    retrySubflow(retry: RetryNode): void;
}
