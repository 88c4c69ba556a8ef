import { Atom, type AtomOptions, type ProvidesSpec, type RebindSpec } from './atom';
import type { FailureLike } from './failure-like';
/** What a retry controller decides after a failure in its scope (TaskFlow's `Decision`). */
export declare const Decision: {
    /** Revert the controlled flow and run it again (the retry executes again first). */
    readonly RETRY: "RETRY";
    /** Revert the controlled flow; the enclosing retry controller (if any) decides next. */
    readonly REVERT: "REVERT";
    /** Revert everything that ran, whatever the enclosing controllers would decide. */
    readonly REVERT_ALL: "REVERT_ALL";
};
export type Decision = (typeof Decision)[keyof typeof Decision];
/** One past attempt of a retry controller's flow. */
export interface RetryAttempt {
    /** What the retry's `execute` returned for this attempt. */
    readonly value: unknown;
    /** The failures of this attempt, by atom name. */
    readonly failures: Readonly<Record<string, FailureLike>>;
}
/** The attempts a retry controller has made so far (oldest first), with helpers. */
export declare class RetryHistory implements Iterable<RetryAttempt> {
    readonly attempts: readonly RetryAttempt[];
    /** The retry's own failure (its `execute` failed), if any. */
    readonly failure: FailureLike | undefined;
    constructor(attempts?: readonly RetryAttempt[], failure?: FailureLike);
    /** How many attempts were made. */
    get length(): number;
    /** Attempt `index` (negative counts from the end). */
    at(index: number): RetryAttempt | undefined;
    /** The values the retry provided, in order. */
    values(): unknown[];
    /** `[atomName, failure]` pairs of every attempt, or of attempt `index` only. Excludes the retry's own failure. */
    outcomes(index?: number): [string, FailureLike][];
    /** The failure of atom `atomName` in attempt `index` (default: the last attempt). */
    failureOf(atomName: string, index?: number): FailureLike | undefined;
    /**
     * True when a failure (of attempt `index`, or of any) is of one of `typeNames`;
     * with `includeRetry`, the retry's own failure counts too.
     */
    causedBy(typeNames: string | readonly string[], options?: {
        index?: number;
        includeRetry?: boolean;
    }): boolean;
    [Symbol.iterator](): Iterator<RetryAttempt>;
}
/** Options every retry controller takes. */
export interface RetryOptions extends Omit<AtomOptions, 'inject'> {
    /** Defaults to `<flow name>_retry` once the retry is given to a flow. */
    name?: string;
}
/**
 * A retry controller: attached to a flow (`linearFlow('f', { retry })`), it runs
 * before every atom of that flow, its result is provided like a task's, and when
 * an atom in its scope fails `onFailure` decides what happens. `execute`,
 * `onFailure` and `revert` receive the history and the retry's own arguments.
 */
export declare abstract class Retry<Args extends object = any, Value = unknown> extends Atom {
    static requires: readonly string[];
    static optional: readonly string[];
    static provides: ProvidesSpec | null | undefined;
    readonly kind: "retry";
    constructor(options?: RetryOptions);
    /** True once the retry has a name (given, or adopted from its flow). */
    get hasName(): boolean;
    /** @internal Flows call this to name an unnamed retry `<flow>_retry`, as TaskFlow does. */
    adoptName(name: string): void;
    /** Produces the value this attempt provides (e.g. the attempt number). */
    abstract execute(history: RetryHistory, args: Args): Value | Promise<Value>;
    /** Decides what to do about a failure in the scope (`history` includes the failed attempt). */
    abstract onFailure(history: RetryHistory, args: Args): Decision | Promise<Decision>;
    /** Called when the scope is reverted for good. The default does nothing. */
    revert(_history: RetryHistory, _args: Args): void | Promise<void>;
}
/** Always reverts the flow it controls (the enclosing controller decides next). */
export declare class AlwaysRevert extends Retry<Record<string, never>, undefined> {
    execute(): undefined;
    onFailure(): Decision;
}
/** Always reverts the whole flow. */
export declare class AlwaysRevertAll extends Retry<Record<string, never>, undefined> {
    execute(): undefined;
    onFailure(): Decision;
}
/** Options of {@link Times}. */
export interface TimesOptions extends RetryOptions {
    /** How many times the flow runs in all before giving up (default 1). */
    attempts?: number;
    /** Give up with REVERT_ALL instead of REVERT. */
    revertAll?: boolean;
}
/** Runs the flow up to `attempts` times; provides the attempt number (1, 2, ...). */
export declare class Times extends Retry<Record<string, unknown>, number> {
    readonly attempts: number;
    readonly revertAll: boolean;
    constructor(options?: TimesOptions);
    execute(history: RetryHistory): number;
    onFailure(history: RetryHistory): Decision;
}
/** Options of {@link ForEach} and {@link ParameterizedForEach}. */
export interface ForEachBaseOptions extends RetryOptions {
    /** Give up with REVERT_ALL instead of REVERT. */
    revertAll?: boolean;
}
declare abstract class ForEachBase<Args extends object> extends Retry<Args, unknown> {
    readonly revertAll: boolean;
    constructor(options: ForEachBaseOptions);
    protected nextValue(values: readonly unknown[], history: RetryHistory): unknown;
    protected decide(values: readonly unknown[], history: RetryHistory): Decision;
}
/** Options of {@link ForEach}. */
export interface ForEachOptions extends ForEachBaseOptions {
    /** The values to try, in order; each attempt provides the next one. */
    values: readonly unknown[];
}
/** Tries the flow once per value of a fixed list; provides the value being tried. */
export declare class ForEach extends ForEachBase<Record<string, never>> {
    readonly values: readonly unknown[];
    constructor(options: ForEachOptions);
    execute(history: RetryHistory): unknown;
    onFailure(history: RetryHistory): Decision;
}
/** Options of {@link ParameterizedForEach}: `rebind` (e.g. `{ values: 'servers' }` or `['servers']`) says where the values come from. */
export interface ParameterizedForEachOptions extends ForEachBaseOptions {
    rebind?: RebindSpec;
}
/**
 * Like {@link ForEach}, but the values are its `values` argument, read from storage
 * or an earlier atom (rename it with `rebind`).
 */
export declare class ParameterizedForEach extends ForEachBase<{
    values: readonly unknown[];
}> {
    static requires: readonly string[];
    constructor(options?: ParameterizedForEachOptions);
    execute(history: RetryHistory, args: {
        values: readonly unknown[];
    }): unknown;
    onFailure(history: RetryHistory, args: {
        values: readonly unknown[];
    }): Decision;
}
export {};
