import { AmbiguousProviderError, type Ambiguity } from '../patterns/errors';
import { MAtomBase, type MAtom } from './nodes';
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
 * An atom with an argument that has a provider gets its sources in `sources` instead
 * (its providers and shared bindings); its `argList` is made from them on first read.
 */
export function bindArguments(tree: readonly MAtom[], sources: ArgSources): Set<string> {
  const ambiguities: Ambiguity[] = [];
  const flat = sources.list;
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
    /** Where this atom's sources start in `flat`, once it has an argument with a provider. */
    let start = -1;
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
        else if (start >= 0) flat.push(s.binding);
        else (args ??= new Array<ArgBinding>(size))[k++] = s.binding;
        continue;
      }
      if (start < 0) {
        // The first argument with a provider: this atom's sources go to `flat` (the shared
        // bindings before it too), and its binding objects are made on first read.
        start = flat.length;
        for (let j = 0; j < k; j++) flat.push(args![j]!);
      }
      flat.push(provider);
    }
    if (start >= 0) {
      a.argStart = start;
      a.bound = undefined;
    } else if (last !== undefined) a.argList = last.list ??= [last.binding];
    else a.argList = args!;
  }
  if (ambiguities.length > 0) throw new AmbiguousProviderError(ambiguities);
  return external;
}

/**
 * The sources of the bindings not made yet, flat, atom after atom (from `argStart`, one per
 * argument in argMapping order): the provider of a binding with one, else the shared binding.
 * Retained by the compiled flow's flows; one array instead of two objects per argument,
 * which a large compile would otherwise keep (and the collector copy) all at once.
 */
export interface ArgSources {
  readonly list: (MAtom | ArgBinding)[];
}

/** An atom's bindings from its sources (what `bindArguments` made eagerly before). */
export function materializeBindings(a: MAtom): readonly ArgBinding[] {
  const flat = a.flow.argSources!.list;
  const atom = a.atom;
  const mapping = atom.argMapping;
  const optionalArgs = atom.optionalArgs;
  const args = new Array<ArgBinding>(mapping.size);
  let j = a.argStart;
  let k = 0;
  for (const arg of mapping.keys()) {
    const source = flat[j++]!;
    if (!(source instanceof MAtomBase)) {
      args[k++] = source;
      continue;
    }
    const symbol = mapping.get(arg)!;
    args[k++] = {
      arg,
      symbol,
      optional: optionalArgs.has(arg),
      injected: false,
      provider: source.name,
      key: source.atom.saveAs.get(symbol) ?? null,
    };
  }
  return args;
}
