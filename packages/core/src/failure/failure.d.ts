import { TfError } from '../errors';
import { type FailureDict } from './dict';
/** Something a caller may name a type by: its name, or an error class. */
export type ErrorTypeRef = string | {
    readonly name: string;
};
/**
 * An error captured as data: what crosses the wire between engine and worker, and what
 * the runtime stores for a failed atom. Lossy (the stack becomes text, the class becomes
 * its names) but faithful: `fromDict(d).toDict()` gives `d` back, even for dicts made by
 * Python TaskFlow.
 */
export declare class Failure {
    #private;
    readonly exceptionStr: string;
    readonly tracebackStr: string;
    /** The error's class chain, most specific first (e.g. `['TypeError', 'Error']`). */
    readonly excTypeNames: readonly string[];
    readonly excArgs: readonly unknown[];
    /** The chain of causes (`Error.cause`, AggregateError's errors), each a Failure. */
    readonly causes: readonly Failure[];
    /** The original thrown value, when this failure was captured in this process. */
    readonly exception: unknown;
    private constructor();
    /** True for a Failure from any copy of `@tf/core`. */
    static is(value: unknown): value is Failure;
    /** Captures any thrown value: an Error (with its cause chain), or anything else thrown. */
    static fromError(thrown: unknown): Failure;
    /** Builds a Failure from TaskFlow's dict form, validating it first (InvalidFailureDictError). */
    static fromDict(dict: unknown): Failure;
    /** Validates a dict against TaskFlow's failure schema; throws InvalidFailureDictError. */
    static validate(dict: unknown): asserts dict is FailureDict;
    /** TaskFlow's dict form (version 1). A dict received through fromDict comes back unchanged. */
    toDict(): FailureDict;
    toJSON(): FailureDict;
    /** The first of `types` this failure is an instance of (by class-chain name), else undefined. */
    check(...types: ErrorTypeRef[]): string | undefined;
    /** Same type chain, message, arguments, traceback and causes (the original error is not compared). */
    matches(other: unknown): boolean;
    /** The error to throw for this failure: the original when captured here, else a RemoteFailureError. */
    toError(): Error;
    /** Throws `toError()`. */
    reraise(): never;
    /** A human-readable form: `Failure: TypeError: message`, with the traceback when asked. */
    pformat(traceback?: boolean): string;
    toString(): string;
}
/** Thrown for a failure that came from elsewhere (a remote worker): carries the Failure. */
export declare class RemoteFailureError extends TfError {
    readonly failure: Failure;
    constructor(failure: Failure);
}
/** Several failures at once, e.g. every task that failed before a flow reverted. */
export declare class WrappedFailure extends TfError implements Iterable<Failure> {
    readonly failures: readonly Failure[];
    constructor(failures: readonly Failure[]);
    /** The first type name among `types` that any wrapped failure has. */
    check(...types: ErrorTypeRef[]): string | undefined;
    get length(): number;
    [Symbol.iterator](): Iterator<Failure>;
}
