import { type MNode } from './nodes';
/**
 * Gives every atom its deciders: those on links into it, plus those on links into
 * the flow entries it is reached through. `order` must be topological.
 */
export declare function collectDeciders(order: readonly MNode[]): void;
