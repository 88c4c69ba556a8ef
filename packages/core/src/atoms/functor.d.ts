import type { AtomOptions } from './atom';
import { Task, type RevertContext } from './task';
/** Options of the functor tasks: the atom options, with a `name` defaulting to the function's. */
export interface FunctorTaskOptions<Args extends object = any, Result = unknown> extends AtomOptions {
    /** Called on revert with the same arguments and the revert context. */
    revert?: (args: Args, context: RevertContext<Result>) => void | Promise<void>;
}
/**
 * A task made from a plain function (TaskFlow's `FunctorTask`): `fn` receives the
 * args object. Its instance name defaults to the function's name.
 */
export declare class FunctorTask<Args extends object = any, Result = unknown> extends Task<Args, Result> {
    #private;
    constructor(fn: (args: Args) => Result | Promise<Result>, options?: FunctorTaskOptions<Args, Result>);
    execute(args: Args): Result | Promise<Result>;
    revert(args: Args, context: RevertContext<Result>): void | Promise<void>;
}
/** `new FunctorTask(fn, options)`. */
export declare function functorTask<Args extends object = any, Result = unknown>(fn: (args: Args) => Result | Promise<Result>, options?: FunctorTaskOptions<Args, Result>): FunctorTask<Args, Result>;
/** Options of map and reduce tasks: `requires` lists the inputs, in order. */
export interface CollectionTaskOptions extends Omit<AtomOptions, 'requires' | 'optional'> {
    requires: readonly string[];
}
/**
 * Applies `fn` to each required value, in `requires` order; the result is the
 * array of outputs (TaskFlow's `MapFunctorTask`).
 */
export declare class MapFunctorTask<In = any, Out = unknown> extends Task<Record<string, In>, Out[]> {
    #private;
    constructor(fn: (value: In) => Out | Promise<Out>, options: CollectionTaskOptions);
    execute(args: Record<string, In>): Promise<Out[]>;
}
/**
 * Folds the required values, in `requires` order, with `fn(accumulator, value)`,
 * starting from the first value (TaskFlow's `ReduceFunctorTask`; needs two or more).
 */
export declare class ReduceFunctorTask<T = any> extends Task<Record<string, T>, T> {
    #private;
    constructor(fn: (accumulator: T, value: T) => T | Promise<T>, options: CollectionTaskOptions);
    execute(args: Record<string, T>): Promise<T>;
}
/** `new MapFunctorTask(fn, options)`: e.g. `mapTask((x) => x * 2, { requires: ['a', 'b'], provides: 'doubled' })`. */
export declare function mapTask<In = any, Out = unknown>(fn: (value: In) => Out | Promise<Out>, options: CollectionTaskOptions): MapFunctorTask<In, Out>;
/** `new ReduceFunctorTask(fn, options)`: e.g. `reduceTask((a, b) => a + b, { requires: ['a', 'b', 'c'], provides: 'sum' })`. */
export declare function reduceTask<T = any>(fn: (accumulator: T, value: T) => T | Promise<T>, options: CollectionTaskOptions): ReduceFunctorTask<T>;
