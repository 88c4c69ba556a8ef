import { FAILURE_BRAND, hasBrand } from '../brand';
import { TfError } from '../errors';
import { assertFailureDict, FAILURE_DICT_VERSION } from './dict';
const KNOWN_KEYS = new Set(['exception_str', 'traceback_str', 'exc_type_names', 'version', 'exc_args', 'causes']);
/**
 * An error captured as data: what crosses the wire between engine and worker, and what
 * the runtime stores for a failed atom. Lossy (the stack becomes text, the class becomes
 * its names) but faithful: `fromDict(d).toDict()` gives `d` back, even for dicts made by
 * Python TaskFlow.
 */
export class Failure {
    exceptionStr;
    tracebackStr;
    /** The error's class chain, most specific first (e.g. `['TypeError', 'Error']`). */
    excTypeNames;
    excArgs;
    /** The chain of causes (`Error.cause`, AggregateError's errors), each a Failure. */
    causes;
    /** The original thrown value, when this failure was captured in this process. */
    exception;
    #extra;
    #shape;
    constructor(parts) {
        this.exceptionStr = parts.exceptionStr;
        this.tracebackStr = parts.tracebackStr;
        this.excTypeNames = Object.freeze([...parts.excTypeNames]);
        this.excArgs = Object.freeze([...parts.excArgs]);
        this.causes = Object.freeze([...parts.causes]);
        this.exception = parts.exception;
        this.#extra = parts.extra;
        this.#shape = parts.shape;
    }
    /** True for a Failure from any copy of `@tf/core`. */
    static is(value) {
        return hasBrand(value, FAILURE_BRAND);
    }
    /** Captures any thrown value: an Error (with its cause chain), or anything else thrown. */
    static fromError(thrown) {
        if (Failure.is(thrown))
            return thrown;
        return capture(thrown, new Set());
    }
    /** Builds a Failure from TaskFlow's dict form, validating it first (InvalidFailureDictError). */
    static fromDict(dict) {
        assertFailureDict(dict);
        return fromValidDict(dict);
    }
    /** Validates a dict against TaskFlow's failure schema; throws InvalidFailureDictError. */
    static validate(dict) {
        assertFailureDict(dict);
    }
    /** TaskFlow's dict form (version 1). A dict received through fromDict comes back unchanged. */
    toDict() {
        const shape = this.#shape;
        const dict = {
            ...this.#extra,
            exception_str: this.exceptionStr,
            traceback_str: this.tracebackStr,
            exc_type_names: [...this.excTypeNames],
        };
        if (!shape) {
            dict.version = FAILURE_DICT_VERSION;
            dict.exc_args = [...this.excArgs];
            dict.causes = this.causes.map((c) => c.toDict());
            return dict;
        }
        if ('version' in shape)
            dict.version = shape.version;
        if (shape.excArgs)
            dict.exc_args = [...this.excArgs];
        if (shape.causes)
            dict.causes = this.causes.map((c) => c.toDict());
        return dict;
    }
    toJSON() {
        return this.toDict();
    }
    /** The first of `types` this failure is an instance of (by class-chain name), else undefined. */
    check(...types) {
        for (const type of types) {
            const name = typeof type === 'string' ? type : type.name;
            if (this.excTypeNames.includes(name))
                return name;
        }
        return undefined;
    }
    /** Same type chain, message, arguments, traceback and causes (the original error is not compared). */
    matches(other) {
        if (!Failure.is(other))
            return false;
        if (other === this)
            return true;
        return (this.exceptionStr === other.exceptionStr &&
            this.tracebackStr === other.tracebackStr &&
            sameJson(this.excTypeNames, other.excTypeNames) &&
            sameJson(this.excArgs, other.excArgs) &&
            this.causes.length === other.causes.length &&
            this.causes.every((cause, i) => cause.matches(other.causes[i])));
    }
    /** The error to throw for this failure: the original when captured here, else a RemoteFailureError. */
    toError() {
        if (this.exception instanceof Error)
            return this.exception;
        return new RemoteFailureError(this);
    }
    /** Throws `toError()`. */
    reraise() {
        throw this.toError();
    }
    /** A human-readable form: `Failure: TypeError: message`, with the traceback when asked. */
    pformat(traceback = false) {
        const head = `Failure: ${this.excTypeNames[0]}: ${this.exceptionStr}`;
        return traceback && this.tracebackStr ? `${head}\nTraceback:\n${this.tracebackStr}` : head;
    }
    toString() {
        return this.pformat();
    }
}
Object.defineProperty(Failure.prototype, FAILURE_BRAND, { value: true });
/** Thrown for a failure that came from elsewhere (a remote worker): carries the Failure. */
export class RemoteFailureError extends TfError {
    failure;
    constructor(failure) {
        super('TF_REMOTE_FAILURE', failure.exceptionStr);
        this.failure = failure;
        this.name = failure.excTypeNames[0] ?? 'RemoteFailureError';
    }
}
/** Several failures at once, e.g. every task that failed before a flow reverted. */
export class WrappedFailure extends TfError {
    failures;
    constructor(failures) {
        const summary = failures.map((f) => `${f.excTypeNames[0]}: ${f.exceptionStr}`).join('; ');
        super('TF_WRAPPED_FAILURE', `${failures.length} failure(s) while running: ${summary}`);
        this.failures = Object.freeze([...failures]);
    }
    /** The first type name among `types` that any wrapped failure has. */
    check(...types) {
        for (const failure of this.failures) {
            const hit = failure.check(...types);
            if (hit !== undefined)
                return hit;
        }
        return undefined;
    }
    get length() {
        return this.failures.length;
    }
    [Symbol.iterator]() {
        return this.failures[Symbol.iterator]();
    }
}
function fromValidDict(dict) {
    const extra = {};
    for (const [key, value] of Object.entries(dict))
        if (!KNOWN_KEYS.has(key))
            extra[key] = value;
    const shape = { excArgs: 'exc_args' in dict, causes: 'causes' in dict };
    if ('version' in dict)
        shape.version = dict.version;
    return new Failure({
        exceptionStr: dict.exception_str,
        tracebackStr: dict.traceback_str,
        excTypeNames: dict.exc_type_names,
        excArgs: dict.exc_args ?? [],
        causes: (dict.causes ?? []).map(fromValidDict),
        extra: Object.keys(extra).length ? extra : undefined,
        shape,
    });
}
function capture(thrown, seen) {
    seen.add(thrown);
    const make = (parts) => new Failure(parts);
    if (!(thrown instanceof Error) && !looksLikeError(thrown)) {
        return make({
            exceptionStr: describeNonError(thrown),
            tracebackStr: '',
            excTypeNames: [nonErrorTypeName(thrown)],
            excArgs: [jsonSafe(thrown)],
            causes: [],
            exception: thrown,
        });
    }
    const error = thrown;
    const causes = [];
    const nested = [];
    if (error.cause !== undefined)
        nested.push(error.cause);
    if (Array.isArray(error.errors))
        nested.push(...error.errors);
    for (const cause of nested)
        if (!seen.has(cause))
            causes.push(capture(cause, seen));
    return make({
        exceptionStr: String(error.message ?? ''),
        tracebackStr: stackFrames(error),
        excTypeNames: classChain(error),
        excArgs: error.message ? [error.message] : [],
        causes,
        exception: thrown,
    });
}
function looksLikeError(value) {
    return (typeof value === 'object' &&
        value !== null &&
        typeof value.message === 'string' &&
        typeof value.name === 'string');
}
/** The class names from the error's own class up to (and including) Error. */
function classChain(error) {
    const names = [];
    for (let proto = Object.getPrototypeOf(error); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
        const name = proto.constructor?.name;
        if (typeof name === 'string' && name && !names.includes(name))
            names.push(name);
    }
    if (typeof error.name === 'string' && error.name && !names.includes(error.name))
        names.unshift(error.name);
    if (names.length === 0)
        names.push('Error');
    return names;
}
/** The stack without its `Name: message` header, like Python's traceback text. */
function stackFrames(error) {
    const stack = typeof error.stack === 'string' ? error.stack : '';
    const firstFrame = stack.search(/^\s+at /m);
    return firstFrame >= 0 ? stack.slice(firstFrame) : stack;
}
function nonErrorTypeName(value) {
    if (value === null)
        return 'null';
    if (typeof value === 'object')
        return value.constructor?.name ?? 'Object';
    return typeof value;
}
function describeNonError(value) {
    if (typeof value === 'string')
        return value;
    try {
        const json = JSON.stringify(value);
        if (json !== undefined)
            return json;
    }
    catch {
        // fall through to String()
    }
    return String(value);
}
function jsonSafe(value) {
    try {
        const json = JSON.stringify(value);
        return json === undefined ? String(value) : JSON.parse(json);
    }
    catch {
        return String(value);
    }
}
function sameJson(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
}
//# sourceMappingURL=failure.js.map