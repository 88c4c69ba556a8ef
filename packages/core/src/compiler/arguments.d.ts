import type { MAtom } from './nodes';
/**
 * Binds every argument of every atom to the nearest visible provider of its
 * symbol (`argList`). Throws `AmbiguousProviderError` with every consumer that
 * could read a symbol from unordered providers. Returns the external requirements,
 * kept flat: symbol, atom name, symbol, atom name, ...
 *
 * Bindings without a provider depend on (arg, symbol, optional, injected) only:
 * identical ones are shared (keyed by symbol, then arg), and so is the list of an
 * atom whose only argument is one (every task of an unordered flow reading `x`).
 */
export declare function bindArguments(tree: readonly MAtom[]): string[];
