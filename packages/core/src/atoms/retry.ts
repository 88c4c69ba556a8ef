import { RETRY_BRAND } from '../brand';
import { NotFoundError } from '../errors';
import { InvalidAtomError } from './errors';
import { Atom, type AtomOptions, type ProvidesSpec, type RebindSpec } from './atom';
import type { FailureLike } from './failure-like';

/** What a retry controller decides after a failure in its scope (TaskFlow's `Decision`). */
export const Decision = {
  /** Revert the controlled flow and run it again (the retry executes again first). */
  RETRY: 'RETRY',
  /** Revert the controlled flow; the enclosing retry controller (if any) decides next. */
  REVERT: 'REVERT',
  /** Revert everything that ran, whatever the enclosing controllers would decide. */
  REVERT_ALL: 'REVERT_ALL',
} as const;
export type Decision = (typeof Decision)[keyof typeof Decision];

/** One past attempt of a retry controller's flow. */
export interface RetryAttempt {
  /** What the retry's `execute` returned for this attempt. */
  readonly value: unknown;
  /** The failures of this attempt, by atom name. */
  readonly failures: Readonly<Record<string, FailureLike>>;
}

/** The attempts a retry controller has made so far (oldest first), with helpers. */
export class RetryHistory implements Iterable<RetryAttempt> {
  readonly attempts: readonly RetryAttempt[];
  /** The retry's own failure (its `execute` failed), if any. */
  readonly failure: FailureLike | undefined;

  constructor(attempts: readonly RetryAttempt[] = [], failure?: FailureLike) {
    this.attempts = attempts;
    this.failure = failure;
  }

  /** How many attempts were made. */
  get length(): number {
    return this.attempts.length;
  }

  /** Attempt `index` (negative counts from the end). */
  at(index: number): RetryAttempt | undefined {
    return this.attempts.at(index);
  }

  /** The values the retry provided, in order. */
  values(): unknown[] {
    return this.attempts.map((a) => a.value);
  }

  /** `[atomName, failure]` pairs of every attempt, or of attempt `index` only. Excludes the retry's own failure. */
  outcomes(index?: number): [string, FailureLike][] {
    const attempts = index === undefined ? this.attempts : [this.attempts.at(index)].filter((a) => a !== undefined);
    const out: [string, FailureLike][] = [];
    for (const a of attempts) for (const [name, f] of Object.entries(a.failures)) out.push([name, f]);
    return out;
  }

  /** The failure of atom `atomName` in attempt `index` (default: the last attempt). */
  failureOf(atomName: string, index = -1): FailureLike | undefined {
    const a = this.attempts.at(index);
    return a && Object.hasOwn(a.failures, atomName) ? a.failures[atomName] : undefined;
  }

  /**
   * True when a failure (of attempt `index`, or of any) is of one of `typeNames`;
   * with `includeRetry`, the retry's own failure counts too.
   */
  causedBy(typeNames: string | readonly string[], options: { index?: number; includeRetry?: boolean } = {}): boolean {
    const names = typeof typeNames === 'string' ? [typeNames] : [...typeNames];
    for (const [, f] of this.outcomes(options.index)) if (f.check(...names) !== undefined) return true;
    return Boolean(options.includeRetry && this.failure && this.failure.check(...names) !== undefined);
  }

  [Symbol.iterator](): Iterator<RetryAttempt> {
    return this.attempts[Symbol.iterator]();
  }
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
export abstract class Retry<Args extends object = any, Value = unknown> extends Atom {
  static requires: readonly string[] = [];
  static optional: readonly string[] = [];
  static provides: ProvidesSpec | null | undefined = undefined;

  /** `'retry'` (on the prototype: one field less per instance). */
  declare readonly kind: 'retry';

  constructor(options: RetryOptions = {}) {
    const cls = new.target as unknown as { requires?: readonly string[]; optional?: readonly string[]; provides?: ProvidesSpec | null };
    super(
      'retry',
      { name: undefined, requires: cls.requires ?? [], optional: cls.optional ?? [], provides: cls.provides, version: [1, 0] },
      options,
    );
  }

  /** True once the retry has a name (given, or adopted from its flow). */
  get hasName(): boolean {
    return this._name !== undefined;
  }

  /** @internal Flows call this to name an unnamed retry `<flow>_retry`, as TaskFlow does. */
  adoptName(name: string): void {
    if (this._name === undefined) this._name = name;
  }

  /** Produces the value this attempt provides (e.g. the attempt number). */
  abstract execute(history: RetryHistory, args: Args): Value | Promise<Value>;

  /** Decides what to do about a failure in the scope (`history` includes the failed attempt). */
  abstract onFailure(history: RetryHistory, args: Args): Decision | Promise<Decision>;

  /** Called when the scope is reverted for good. The default does nothing. */
  revert(_history: RetryHistory, _args: Args): void | Promise<void> {}
}
Object.defineProperty(Retry.prototype, RETRY_BRAND, { value: true });
Object.defineProperty(Retry.prototype, 'kind', { value: 'retry', enumerable: true });
Object.defineProperty(Retry, RETRY_BRAND, { value: true });

/** Always reverts the flow it controls (the enclosing controller decides next). */
export class AlwaysRevert extends Retry<Record<string, never>, undefined> {
  override execute(): undefined {
    return undefined;
  }
  override onFailure(): Decision {
    return Decision.REVERT;
  }
}

/** Always reverts the whole flow. */
export class AlwaysRevertAll extends Retry<Record<string, never>, undefined> {
  override execute(): undefined {
    return undefined;
  }
  override onFailure(): Decision {
    return Decision.REVERT_ALL;
  }
}

/** Options of {@link Times}. */
export interface TimesOptions extends RetryOptions {
  /** How many times the flow runs in all before giving up (default 1). */
  attempts?: number;
  /** Give up with REVERT_ALL instead of REVERT. */
  revertAll?: boolean;
}

/** Runs the flow up to `attempts` times; provides the attempt number (1, 2, ...). */
export class Times extends Retry<Record<string, unknown>, number> {
  readonly attempts: number;
  readonly revertAll: boolean;

  constructor(options: TimesOptions = {}) {
    const { attempts = 1, revertAll = false, ...rest } = options;
    super(rest);
    if (!Number.isInteger(attempts) || attempts < 1) {
      throw new InvalidAtomError(this.name, `Times: attempts must be a positive integer, got ${attempts}`, 'attempts');
    }
    this.attempts = attempts;
    this.revertAll = revertAll;
  }

  override execute(history: RetryHistory): number {
    return history.length + 1;
  }

  override onFailure(history: RetryHistory): Decision {
    if (history.length < this.attempts) return Decision.RETRY;
    return this.revertAll ? Decision.REVERT_ALL : Decision.REVERT;
  }
}

/** Options of {@link ForEach} and {@link ParameterizedForEach}. */
export interface ForEachBaseOptions extends RetryOptions {
  /** Give up with REVERT_ALL instead of REVERT. */
  revertAll?: boolean;
}

/** Structural equality for plain data (history values may have been persisted and read back). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** `values` minus what `history` already tried (one occurrence per attempt), as TaskFlow's `sequence_minus`. */
function remainingValues(values: readonly unknown[], history: RetryHistory): unknown[] {
  const remaining = [...values];
  for (const tried of history.values()) {
    const i = remaining.findIndex((v) => sameValue(v, tried));
    if (i >= 0) remaining.splice(i, 1);
  }
  return remaining;
}

abstract class ForEachBase<Args extends object> extends Retry<Args, unknown> {
  readonly revertAll: boolean;

  constructor(options: ForEachBaseOptions) {
    const { revertAll = false, ...rest } = options;
    super(rest);
    this.revertAll = revertAll;
  }

  protected nextValue(values: readonly unknown[], history: RetryHistory): unknown {
    const remaining = remainingValues(values, history);
    if (remaining.length === 0) throw new NotFoundError(`No elements left in collection of iterable retry controller ${this.name}`);
    return remaining[0];
  }

  protected decide(values: readonly unknown[], history: RetryHistory): Decision {
    if (remainingValues(values, history).length > 0) return Decision.RETRY;
    return this.revertAll ? Decision.REVERT_ALL : Decision.REVERT;
  }
}

/** Options of {@link ForEach}. */
export interface ForEachOptions extends ForEachBaseOptions {
  /** The values to try, in order; each attempt provides the next one. */
  values: readonly unknown[];
}

/** Tries the flow once per value of a fixed list; provides the value being tried. */
export class ForEach extends ForEachBase<Record<string, never>> {
  readonly values: readonly unknown[];

  constructor(options: ForEachOptions) {
    const { values, ...rest } = options;
    super(rest);
    if (!Array.isArray(values)) throw new InvalidAtomError(this.name, 'ForEach: values must be an array', 'values');
    this.values = [...values];
  }

  override execute(history: RetryHistory): unknown {
    return this.nextValue(this.values, history);
  }

  override onFailure(history: RetryHistory): Decision {
    return this.decide(this.values, history);
  }
}

/** Options of {@link ParameterizedForEach}: `rebind` (e.g. `{ values: 'servers' }` or `['servers']`) says where the values come from. */
export interface ParameterizedForEachOptions extends ForEachBaseOptions {
  rebind?: RebindSpec;
}

/**
 * Like {@link ForEach}, but the values are its `values` argument, read from storage
 * or an earlier atom (rename it with `rebind`).
 */
export class ParameterizedForEach extends ForEachBase<{ values: readonly unknown[] }> {
  static override requires: readonly string[] = ['values'];

  constructor(options: ParameterizedForEachOptions = {}) {
    super(options);
  }

  override execute(history: RetryHistory, args: { values: readonly unknown[] }): unknown {
    return this.nextValue(args.values, history);
  }

  override onFailure(history: RetryHistory, args: { values: readonly unknown[] }): Decision {
    return this.decide(args.values, history);
  }
}
