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
/** Turns a provides spec into `symbol -> key/index/null`, as TaskFlow's `save_as`. */
export declare function saveAsMapping(atom: string, provides: ProvidesSpec | null | undefined): Map<string, string | number | null>;
/** Computes an atom's binding from class defaults and constructor options (TaskFlow's `_build_arg_mapping`). */
export declare function computeBinding(kind: AtomKind, defaults: AtomDefaults, options: AtomOptions): Omit<AtomBinding, 'name'> & {
    name: string | undefined;
};
/**
 * The common base of {@link Task} and {@link Retry}: a named unit with a binding.
 * Do not extend it directly.
 */
export declare abstract class Atom implements AtomBinding {
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
    protected constructor(kind: AtomKind, defaults: AtomDefaults, options: AtomOptions);
    /** The atom's name (unique within a compiled flow). */
    get name(): string;
    toString(): string;
}
/** True for a task instance (from any copy of `@tf/core`). */
export declare function isTask(value: unknown): value is import('./task').Task;
/** True for a Task class (a constructor whose instances are tasks). */
export declare function isTaskClass(value: unknown): value is import('./task').TaskClass;
/** True for a retry controller instance. */
export declare function isRetry(value: unknown): value is import('./retry').Retry;
/** True for a Retry class. */
export declare function isRetryClass(value: unknown): boolean;
/** True for a task or retry instance. */
export declare function isAtom(value: unknown): value is Atom;
