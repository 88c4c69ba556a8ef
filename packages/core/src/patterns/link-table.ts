import type { Decider, DeciderDepth } from './flow';

// A graph flow's links by item position (what the compiler reads instead of `FlowLink`s).
// Not re-exported by the package: internal to the compiler and the patterns.

/** What an explicit link (made with `link()`) carries. */
export interface ExplicitLink {
  readonly decider?: Decider;
  readonly deciderDepth?: DeciderDepth;
}

/** A link's reasons: one symbol (most auto-links), or the list. */
export type LinkReasons = string | string[];

/** The options of link `k` when it is an explicit link. */
export const explicitLink = (table: LinkTable, k: number): ExplicitLink | undefined => (k < table.meta.length ? table.meta[k] : undefined);

/** The reasons of a link, as a list. */
export const reasonList = (reasons: LinkReasons): string[] => (typeof reasons === 'string' ? [reasons] : reasons);

/**
 * A graph flow's links by item position: link `k` goes from item `from[k]` to
 * item `to[k]`, for `reasons[k]`. The explicit links come first: link `k` is one when
 * `k < meta.length` and `meta[k]` is set (see {@link explicitLink}).
 */
export interface LinkTable {
  readonly from: Int32Array;
  readonly to: Int32Array;
  readonly reasons: readonly LinkReasons[];
  readonly meta: readonly (ExplicitLink | undefined)[];
}
