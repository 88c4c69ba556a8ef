import { RETRY_BRAND } from '../brand';
import { NotFoundError } from '../errors';
import { InvalidAtomError } from './errors';
import { Atom } from './atom';
/** What a retry controller decides after a failure in its scope (TaskFlow's `Decision`). */
export const Decision = {
    /** Revert the controlled flow and run it again (the retry executes again first). */
    RETRY: 'RETRY',
    /** Revert the controlled flow; the enclosing retry controller (if any) decides next. */
    REVERT: 'REVERT',
    /** Revert everything that ran, whatever the enclosing controllers would decide. */
    REVERT_ALL: 'REVERT_ALL',
};
/** The attempts a retry controller has made so far (oldest first), with helpers. */
export class RetryHistory {
    attempts;
    /** The retry's own failure (its `execute` failed), if any. */
    failure;
    constructor(attempts = [], failure) {
        this.attempts = attempts;
        this.failure = failure;
    }
    /** How many attempts were made. */
    get length() {
        return this.attempts.length;
    }
    /** Attempt `index` (negative counts from the end). */
    at(index) {
        return this.attempts.at(index);
    }
    /** The values the retry provided, in order. */
    values() {
        return this.attempts.map((a) => a.value);
    }
    /** `[atomName, failure]` pairs of every attempt, or of attempt `index` only. Excludes the retry's own failure. */
    outcomes(index) {
        const attempts = index === undefined ? this.attempts : [this.attempts.at(index)].filter((a) => a !== undefined);
        const out = [];
        for (const a of attempts)
            for (const [name, f] of Object.entries(a.failures))
                out.push([name, f]);
        return out;
    }
    /** The failure of atom `atomName` in attempt `index` (default: the last attempt). */
    failureOf(atomName, index = -1) {
        const a = this.attempts.at(index);
        return a && Object.prototype.hasOwnProperty.call(a.failures, atomName) ? a.failures[atomName] : undefined;
    }
    /**
     * True when a failure (of attempt `index`, or of any) is of one of `typeNames`;
     * with `includeRetry`, the retry's own failure counts too.
     */
    causedBy(typeNames, options = {}) {
        const names = typeof typeNames === 'string' ? [typeNames] : [...typeNames];
        for (const [, f] of this.outcomes(options.index))
            if (f.check(...names) !== undefined)
                return true;
        return Boolean(options.includeRetry && this.failure && this.failure.check(...names) !== undefined);
    }
    [Symbol.iterator]() {
        return this.attempts[Symbol.iterator]();
    }
}
/**
 * A retry controller: attached to a flow (`linearFlow('f', { retry })`), it runs
 * before every atom of that flow, its result is provided like a task's, and when
 * an atom in its scope fails `onFailure` decides what happens. `execute`,
 * `onFailure` and `revert` receive the history and the retry's own arguments.
 */
export class Retry extends Atom {
    static requires = [];
    static optional = [];
    static provides = undefined;
    kind = 'retry';
    constructor(options = {}) {
        const cls = new.target;
        super('retry', { name: undefined, requires: cls.requires ?? [], optional: cls.optional ?? [], provides: cls.provides, version: [1, 0] }, options);
    }
    /** True once the retry has a name (given, or adopted from its flow). */
    get hasName() {
        return this._name !== undefined;
    }
    /** @internal Flows call this to name an unnamed retry `<flow>_retry`, as TaskFlow does. */
    adoptName(name) {
        if (this._name === undefined)
            this._name = name;
    }
    /** Called when the scope is reverted for good. The default does nothing. */
    revert(_history, _args) { }
}
Object.defineProperty(Retry.prototype, RETRY_BRAND, { value: true });
Object.defineProperty(Retry, RETRY_BRAND, { value: true });
/** Always reverts the flow it controls (the enclosing controller decides next). */
export class AlwaysRevert extends Retry {
    execute() {
        return undefined;
    }
    onFailure() {
        return Decision.REVERT;
    }
}
/** Always reverts the whole flow. */
export class AlwaysRevertAll extends Retry {
    execute() {
        return undefined;
    }
    onFailure() {
        return Decision.REVERT_ALL;
    }
}
/** Runs the flow up to `attempts` times; provides the attempt number (1, 2, ...). */
export class Times extends Retry {
    attempts;
    revertAll;
    constructor(options = {}) {
        const { attempts = 1, revertAll = false, ...rest } = options;
        super(rest);
        if (!Number.isInteger(attempts) || attempts < 1) {
            throw new InvalidAtomError(this.name, `Times: attempts must be a positive integer, got ${attempts}`, 'attempts');
        }
        this.attempts = attempts;
        this.revertAll = revertAll;
    }
    execute(history) {
        return history.length + 1;
    }
    onFailure(history) {
        if (history.length < this.attempts)
            return Decision.RETRY;
        return this.revertAll ? Decision.REVERT_ALL : Decision.REVERT;
    }
}
/** Structural equality for plain data (history values may have been persisted and read back). */
function sameValue(a, b) {
    if (Object.is(a, b))
        return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
        return false;
    if (Array.isArray(a) !== Array.isArray(b))
        return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length)
        return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameValue(a[k], b[k]));
}
/** `values` minus what `history` already tried (one occurrence per attempt), as TaskFlow's `sequence_minus`. */
function remainingValues(values, history) {
    const remaining = [...values];
    for (const tried of history.values()) {
        const i = remaining.findIndex((v) => sameValue(v, tried));
        if (i >= 0)
            remaining.splice(i, 1);
    }
    return remaining;
}
class ForEachBase extends Retry {
    revertAll;
    constructor(options) {
        const { revertAll = false, ...rest } = options;
        super(rest);
        this.revertAll = revertAll;
    }
    nextValue(values, history) {
        const remaining = remainingValues(values, history);
        if (remaining.length === 0)
            throw new NotFoundError(`No elements left in collection of iterable retry controller ${this.name}`);
        return remaining[0];
    }
    decide(values, history) {
        if (remainingValues(values, history).length > 0)
            return Decision.RETRY;
        return this.revertAll ? Decision.REVERT_ALL : Decision.REVERT;
    }
}
/** Tries the flow once per value of a fixed list; provides the value being tried. */
export class ForEach extends ForEachBase {
    values;
    constructor(options) {
        const { values, ...rest } = options;
        super(rest);
        if (!Array.isArray(values))
            throw new InvalidAtomError(this.name, 'ForEach: values must be an array', 'values');
        this.values = [...values];
    }
    execute(history) {
        return this.nextValue(this.values, history);
    }
    onFailure(history) {
        return this.decide(this.values, history);
    }
}
/**
 * Like {@link ForEach}, but the values are its `values` argument, read from storage
 * or an earlier atom (rename it with `rebind`).
 */
export class ParameterizedForEach extends ForEachBase {
    static requires = ['values'];
    constructor(options = {}) {
        super(options);
    }
    execute(history, args) {
        return this.nextValue(args.values, history);
    }
    onFailure(history, args) {
        return this.decide(args.values, history);
    }
}
//# sourceMappingURL=retry.js.map