import { Decision } from '../atoms/retry';
import type { AtomNode, RetryNode } from '../compiler/types';
import { Failure } from '../failure/failure';
import type { Logger } from '../logger';
import { revertArgs } from './atom-runner';
import type { Readiness } from './readiness';
import type { Storage } from './storage';
import type { Successors } from './successors';
import type { Transitions } from './transitions';

/** What a failure leads to, as the retry controllers around the failed atom decide. */
type Resolution =
  | { kind: 'UNDEFINED' }
  | { kind: 'REVERT_ALL' }
  | { kind: 'REVERT'; retry: RetryNode }
  | { kind: 'RETRY'; retry: RetryNode };

/**
 * What follows an atom's failure: asks its retry controllers (outwards) whether to
 * retry their scope, revert it, or revert everything, and sets the intentions of
 * the atoms concerned; once a retried scope has reverted, runs it again.
 */
export class FailureResolver {
  constructor(
    private readonly storage: Storage,
    private readonly atoms: readonly AtomNode[],
    private readonly readiness: Readiness,
    private readonly successors: Successors,
    private readonly transitions: Transitions,
    private readonly logger: Logger,
    /** Told of the failure of a retry controller that cannot decide (everything is then reverted). */
    private readonly onUndecided: (failure: Failure) => void,
  ) {}

  async resolve(node: AtomNode, failure: Failure): Promise<void> {
    let resolution: Resolution;
    try {
      resolution = await this.#determineResolution(node, failure);
    } catch (error) {
      this.onUndecided(Failure.fromError(error));
      resolution = { kind: 'REVERT_ALL' };
    }
    this.logger.debug({ atom: node.name, resolution: resolution.kind }, 'resolving failure');
    let tweaked: AtomNode[];
    switch (resolution.kind) {
      case 'RETRY': {
        const retry = resolution.retry;
        if (this.storage.getIntention(retry.name) !== 'REVERT') this.storage.setIntention(retry.name, 'RETRY');
        tweaked = [retry];
        for (const atom of this.successors.of(retry)) {
          this.storage.setIntention(atom.name, 'REVERT');
          tweaked.push(atom);
        }
        break;
      }
      case 'REVERT': {
        tweaked = [resolution.retry, ...this.successors.of(resolution.retry)];
        for (const atom of tweaked) this.storage.setIntention(atom.name, 'REVERT');
        break;
      }
      default: {
        tweaked = [...this.atoms];
        for (const atom of tweaked) this.storage.setIntention(atom.name, 'REVERT');
      }
    }
    for (const atom of tweaked) this.readiness.refresh(atom);
    this.readiness.refresh(node);
  }

  async #determineResolution(node: AtomNode, failure: Failure): Promise<Resolution> {
    const retry = node.retry;
    if (!retry) return { kind: 'UNDEFINED' };
    this.storage.addRetryFailure(retry.name, node.name, failure);
    const args = revertArgs(this.storage, retry);
    const decision = await retry.atom.onFailure(this.storage.getHistory(retry.name), args);
    switch (decision) {
      case Decision.RETRY:
        return { kind: 'RETRY', retry };
      case Decision.REVERT: {
        const parent = await this.#determineResolution(retry, failure);
        if (parent.kind !== 'UNDEFINED' && parent.kind !== 'REVERT') return parent;
        return { kind: 'REVERT', retry };
      }
      case Decision.REVERT_ALL:
        return { kind: 'REVERT_ALL' };
      default:
        throw new TypeError(`Retry '${retry.name}' returned an unknown decision ${JSON.stringify(decision)}`);
    }
  }

  /** A retry whose scope has reverted runs again: its subflow goes back to PENDING. */
  retrySubflow(retry: RetryNode): void {
    this.transitions.changeState(retry, 'RETRYING');
    this.storage.setIntention(retry.name, 'EXECUTE');
    const reset = this.successors.of(retry);
    for (const atom of reset) {
      const s = this.storage.getState(atom.name);
      if (s !== 'PENDING') this.transitions.changeState(atom, 'PENDING');
      this.storage.setIntention(atom.name, 'EXECUTE');
    }
    for (const atom of reset) this.readiness.refresh(atom);
    this.readiness.refresh(retry);
  }
}
