/**
 * The minimal shape of a captured failure the atoms layer relies on. The real
 * `Failure` class (src/failure/) satisfies it; tests may pass look-alikes.
 */
export interface FailureLike {
    /** The failure's message (TaskFlow's `exception_str`). */
    readonly exceptionStr: string;
    /** The first of `typeNames` the failure's error is (or inherits from), or `undefined`. */
    check(...typeNames: string[]): string | undefined;
}
