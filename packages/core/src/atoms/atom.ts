import { RETRY_BRAND, TASK_BRAND, hasBrand } from '../brand';
import { InvalidAtomError } from './errors';
import { internSaveAs, internSet, internStringMap, internVersion } from './interned';

/** What an atom is: a unit of work (`task`) or a retry controller (`retry`). */
export type AtomKind = 'task' | 'retry';

/** Major and minor version of an atom (used when resuming older runs). */
export type Version = readonly [major: number, minor: number];

/**
 * What an atom's result provides to later atoms:
 * - a symbol name: the whole result is stored under that name;
 * - a list of names: the result is an array/tuple and name `i` takes element `i`;
 * - a map `symbol -> key | index`: each symbol takes that key (or index) of the result.
 */
export type ProvidesSpec = string | readonly string[] | Readonly<Record<string, string | number>>;

/**
 * Renames the symbols arguments are read from: a map `argName -> symbolName`, or a
 * list renaming the required arguments by position (`['a2', 'b2']` reads argument
 * `a` from `a2` and `b` from `b2`).
 */
export type RebindSpec = Readonly<Record<string, string>> | readonly string[];

/** Options every atom constructor takes. */
export interface AtomOptions {
  /** The atom's name, unique in a flow. Tasks default to their class's `taskName`. */
  name?: string;
  /** What the result provides (see {@link ProvidesSpec}); defaults to the class's `provides`. */
  provides?: ProvidesSpec | null;
  /** Reads arguments from other symbols (see {@link RebindSpec}). */
  rebind?: RebindSpec;
  /** Extra required argument names, added to the class's `requires`. */
  requires?: readonly string[];
  /** Extra optional argument names, added to the class's `optional`. */
  optional?: readonly string[];
  /**
   * Values local to this atom, keyed by SYMBOL name (after rebind, as in TaskFlow).
   * An injected symbol is neither required nor looked up elsewhere.
   */
  inject?: Readonly<Record<string, unknown>>;
  /** Overrides the class's version. */
  version?: Version;
}

/**
 * The computed, immutable binding of an atom instance: everything the compiler and
 * the runtime need to place it in a flow and feed it.
 */
export interface AtomBinding {
  readonly name: string;
  readonly kind: AtomKind;
  readonly version: Version;
  /** Symbols that must be available before the atom runs (after rebind, minus injected). */
  readonly requires: ReadonlySet<string>;
  /** Symbols read when available (after rebind, minus injected and required ones). */
  readonly optional: ReadonlySet<string>;
  /** Every argument the atom receives: `argName -> symbolName`, required ones first. */
  readonly argMapping: ReadonlyMap<string, string>;
  /** Argument names (not symbols) that may be left out of the args object. */
  readonly optionalArgs: ReadonlySet<string>;
  /** Atom-local values, keyed by symbol name. */
  readonly inject: Readonly<Record<string, unknown>>;
  /** Symbols the result provides. */
  readonly provides: ReadonlySet<string>;
  /** `symbol -> key/index` to extract from the result, or `null` for the whole result. */
  readonly saveAs: ReadonlyMap<string, string | number | null>;
}

/** The class-level defaults an atom's binding is computed from. */
export interface AtomDefaults {
  name: string | undefined;
  requires: readonly string[];
  optional: readonly string[];
  provides: ProvidesSpec | null | undefined;
  version: Version;
}

function checkName(atom: string, what: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidAtomError(atom, `${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return value;
}

function checkNameList(atom: string, what: string, value: unknown): readonly string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidAtomError(atom, `${what} must be an array of names`);
  for (const v of value) checkName(atom, `each of ${what}`, v);
  return value as readonly string[];
}

/** Turns a provides spec into `symbol -> key/index/null`, as TaskFlow's `save_as`. */
export function saveAsMapping(atom: string, provides: ProvidesSpec | null | undefined): Map<string, string | number | null> {
  const out = new Map<string, string | number | null>();
  if (provides === undefined || provides === null) return out;
  if (typeof provides === 'string') {
    out.set(checkName(atom, 'provides', provides), null);
  } else if (Array.isArray(provides)) {
    (provides as readonly unknown[]).forEach((p, i) => {
      const name = checkName(atom, 'each provided name', p);
      if (out.has(name)) throw new InvalidAtomError(atom, `provides '${name}' twice`);
      out.set(name, i);
    });
  } else if (typeof provides === 'object') {
    for (const [symbol, key] of Object.entries(provides)) {
      checkName(atom, 'each provided name', symbol);
      if (typeof key !== 'string' && !(typeof key === 'number' && Number.isInteger(key) && key >= 0)) {
        throw new InvalidAtomError(atom, `provides '${symbol}' from ${JSON.stringify(key)}: expected a key or an index`, symbol);
      }
      out.set(symbol, key);
    }
  } else {
    throw new InvalidAtomError(atom, `provides must be a name, a list of names or a map, got ${typeof provides}`);
  }
  return out;
}

const NO_INJECT: Readonly<Record<string, unknown>> = Object.freeze({});

function hasOwnKeys(o: object): boolean {
  for (const k in o) if (Object.hasOwn(o, k)) return true;
  return Object.getOwnPropertySymbols(o).length > 0;
}

/** Computes an atom's binding from class defaults and constructor options (TaskFlow's `_build_arg_mapping`). */
export function computeBinding(
  kind: AtomKind,
  defaults: AtomDefaults,
  options: AtomOptions,
): Omit<AtomBinding, 'name'> & { name: string | undefined } {
  const name = options.name ?? defaults.name;
  const label = name ?? `(unnamed ${kind})`;
  if (name !== undefined) checkName(label, 'name', name);

  const required: string[] = [];
  const seen = new Set<string>();
  for (const a of [...checkNameList(label, 'requires', defaults.requires), ...checkNameList(label, 'requires', options.requires)]) {
    if (!seen.has(a)) {
      seen.add(a);
      required.push(a);
    }
  }
  const optionalArgs: string[] = [];
  for (const a of [...checkNameList(label, 'optional', defaults.optional), ...checkNameList(label, 'optional', options.optional)]) {
    if (!seen.has(a)) {
      seen.add(a);
      optionalArgs.push(a);
    }
  }

  const rebound = new Map<string, string>();
  const rebind = options.rebind;
  if (rebind !== undefined && rebind !== null) {
    if (Array.isArray(rebind)) {
      const list = rebind as readonly unknown[];
      if (list.length > required.length) {
        throw new InvalidAtomError(
          label,
          `rebind lists ${list.length} names but only ${required.length} arguments are required (${required.join(', ') || 'none'})`,
        );
      }
      for (const [i, symbol] of list.entries()) rebound.set(required[i]!, checkName(label, 'each rebind target', symbol));
    } else if (typeof rebind === 'object') {
      for (const [arg, symbol] of Object.entries(rebind as Record<string, unknown>)) {
        if (!seen.has(arg)) {
          throw new InvalidAtomError(label, `rebind names unknown argument '${arg}' (arguments: ${[...seen].join(', ') || 'none'})`, arg);
        }
        rebound.set(arg, checkName(label, `rebind target of '${arg}'`, symbol));
      }
    } else {
      throw new InvalidAtomError(label, 'rebind must be a map argName -> symbol or a list of symbols');
    }
  }

  const inject = options.inject ?? {};
  if (typeof inject !== 'object' || inject === null || Array.isArray(inject)) {
    throw new InvalidAtomError(label, 'inject must be a plain object');
  }
  const injected = (symbol: string) => Object.hasOwn(inject, symbol);

  const argMapping = new Map<string, string>();
  const requires = new Set<string>();
  const optional = new Set<string>();
  for (const arg of required) {
    const symbol = rebound.get(arg) ?? arg;
    argMapping.set(arg, symbol);
    if (!injected(symbol)) requires.add(symbol);
  }
  for (const arg of optionalArgs) {
    const symbol = rebound.get(arg) ?? arg;
    argMapping.set(arg, symbol);
    if (!injected(symbol) && !requires.has(symbol)) optional.add(symbol);
  }

  const version = options.version ?? defaults.version;
  if (!Array.isArray(version) || version.length !== 2 || !version.every((n) => Number.isInteger(n) && n >= 0)) {
    throw new InvalidAtomError(label, `version must be [major, minor], got ${JSON.stringify(version)}`);
  }

  const saveAs = saveAsMapping(label, options.provides !== undefined ? options.provides : defaults.provides);
  // Atoms with equal bindings (many instances of one class) share the collections.
  return {
    name,
    kind,
    version: internVersion(version[0], version[1]) as Version,
    requires: internSet(requires),
    optional: internSet(optional),
    argMapping: internStringMap(argMapping),
    optionalArgs: internSet(new Set(optionalArgs)),
    // Atoms without inject (most) share one frozen empty object.
    inject: hasOwnKeys(inject) ? Object.freeze({ ...inject }) : NO_INJECT,
    provides: internSet(new Set(saveAs.keys())),
    saveAs: internSaveAs(saveAs),
  };
}

/**
 * The common base of {@link Task} and {@link Retry}: a named unit with a binding.
 * Do not extend it directly.
 */
export abstract class Atom implements AtomBinding {
  // AtomBinding's fields, declared again as a class must (their docs are on the interface).
  abstract readonly kind: AtomKind;
  /** @internal */
  protected _name: string | undefined;
  readonly version: Version;
  readonly requires: ReadonlySet<string>;
  readonly optional: ReadonlySet<string>;
  readonly argMapping: ReadonlyMap<string, string>;
  readonly optionalArgs: ReadonlySet<string>;
  readonly inject: Readonly<Record<string, unknown>>;
  readonly provides: ReadonlySet<string>;
  readonly saveAs: ReadonlyMap<string, string | number | null>;

  protected constructor(kind: AtomKind, defaults: AtomDefaults, options: AtomOptions) {
    const b = computeBinding(kind, defaults, options ?? {});
    this._name = b.name;
    this.version = b.version;
    this.requires = b.requires;
    this.optional = b.optional;
    this.argMapping = b.argMapping;
    this.optionalArgs = b.optionalArgs;
    this.inject = b.inject;
    this.provides = b.provides;
    this.saveAs = b.saveAs;
  }

  /** The atom's name (unique within a compiled flow). */
  get name(): string {
    return this._name ?? this.constructor.name;
  }

  toString(): string {
    return `${this.kind} '${this.name}'`;
  }
}

/** True for a task instance (from any copy of `@tf/core`). */
export function isTask(value: unknown): value is import('./task').Task {
  return typeof value === 'object' && hasBrand(value, TASK_BRAND);
}

/** True for a Task class (a constructor whose instances are tasks). */
export function isTaskClass(value: unknown): value is import('./task').TaskClass {
  return typeof value === 'function' && hasBrand(value, TASK_BRAND);
}

/** True for a retry controller instance. */
export function isRetry(value: unknown): value is import('./retry').Retry {
  return typeof value === 'object' && hasBrand(value, RETRY_BRAND);
}

/** True for a Retry class. */
export function isRetryClass(value: unknown): boolean {
  return typeof value === 'function' && hasBrand(value, RETRY_BRAND);
}

/** True for a task or retry instance. */
export function isAtom(value: unknown): value is Atom {
  return isTask(value) || isRetry(value);
}
