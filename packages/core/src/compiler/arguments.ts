import { AmbiguousProviderError, type Ambiguity } from '../patterns/errors';
import type { MAtom } from './nodes';
import { resolveProviders } from './providers';
import type { ArgBinding } from './types';

/** A binding without provider, shared by every atom it describes; `list` is `[binding]`. */
interface SharedBinding {
  readonly binding: ArgBinding;
  list: readonly ArgBinding[] | undefined;
  /** Another binding of the same symbol. */
  next: SharedBinding | undefined;
}

/**
 * Binds every argument of every atom to the nearest visible provider of its
 * symbol (`argList`). Throws `AmbiguousProviderError` with every consumer that
 * could read a symbol from unordered providers. Returns the external requirements: the
 * symbols of the bindings without provider that are neither optional nor injected, in
 * the order met (tree order, then each atom's argument order).
 *
 * Bindings without a provider depend on (arg, symbol, optional, injected) only:
 * identical ones are shared (keyed by symbol, then arg), and so is the list of an
 * atom whose only argument is one (every task of an unordered flow reading `x`).
 */
export function bindArguments(tree: readonly MAtom[]): Set<string> {
  const ambiguities: Ambiguity[] = [];
  const external = new Set<string>();
  let shared: Map<string, SharedBinding> | undefined;
  for (let t = 0; t < tree.length; t++) {
    const a = tree[t]!;
    const atom = a.atom;
    const mapping = atom.argMapping;
    const size = mapping.size;
    if (size === 0) continue;
    // Made when the first binding is not shared, or there are several: no garbage array for
    // an atom whose only argument has a shared binding (and so a shared list).
    let args: ArgBinding[] | undefined;
    let k = 0;
    let last: SharedBinding | undefined;
    const inject = atom.inject;
    const optionalArgs = atom.optionalArgs;
    // Keys, then a get: iterating entries makes an [arg, symbol] array per argument.
    for (const arg of mapping.keys()) {
      const symbol = mapping.get(arg)!;
      const optional = optionalArgs.has(arg);
      const injected = Object.hasOwn(inject, symbol);
      let provider: MAtom | undefined;
      if (!injected) {
        const found = resolveProviders(a, symbol);
        if (Array.isArray(found)) {
          const list = found as readonly MAtom[];
          if (list.length > 1) ambiguities.push({ symbol, consumer: a.name, providers: list.map((p) => p.name) });
          provider = list[0];
        } else provider = found as MAtom;
        if (!provider && !optional) external.add(symbol);
      }
      if (provider === undefined) {
        shared ??= new Map();
        let s = shared.get(symbol);
        while (s !== undefined && (s.binding.arg !== arg || s.binding.optional !== optional || s.binding.injected !== injected)) s = s.next;
        if (s === undefined) {
          const binding: ArgBinding = { arg, symbol, optional, injected, provider: undefined, key: undefined };
          s = { binding, list: undefined, next: shared.get(symbol) };
          shared.set(symbol, s);
        }
        if (size === 1) last = s;
        else (args ??= new Array<ArgBinding>(size))[k++] = s.binding;
        continue;
      }
      (args ??= new Array<ArgBinding>(size))[k++] = {
        arg,
        symbol,
        optional,
        injected,
        provider: provider.name,
        key: provider.atom.saveAs.get(symbol) ?? null,
      };
    }
    if (last !== undefined) a.argList = last.list ??= [last.binding];
    else a.argList = args!;
  }
  if (ambiguities.length > 0) throw new AmbiguousProviderError(ambiguities);
  return external;
}
