import { InvalidAtomError } from './errors';
import { Task, type RevertContext, type TaskOptions } from './task';

/** Options of the functor tasks: the atom options, with a `name` defaulting to the function's. */
export interface FunctorTaskOptions<Args extends object = any, Result = unknown> extends TaskOptions {
  /** Called on revert with the same arguments and the revert context. */
  revert?: (args: Args, context: RevertContext<Result>) => void | Promise<void>;
}

function functorName(kind: string, fn: unknown, name: string | undefined): string {
  if (typeof fn !== 'function') throw new InvalidAtomError(name ?? `(${kind})`, `${kind} needs a function`);
  const resolved = name ?? fn.name;
  if (!resolved) throw new InvalidAtomError(`(${kind})`, `${kind} of an anonymous function needs a name`);
  return resolved;
}

/**
 * A task made from a plain function (TaskFlow's `FunctorTask`): `fn` receives the
 * args object. Its instance name defaults to the function's name.
 */
export class FunctorTask<Args extends object = any, Result = unknown> extends Task<Args, Result> {
  readonly #fn: (args: Args) => Result | Promise<Result>;
  readonly #revert: FunctorTaskOptions<Args, Result>['revert'];

  constructor(fn: (args: Args) => Result | Promise<Result>, options: FunctorTaskOptions<Args, Result> = {}) {
    const { revert, ...rest } = options;
    super({ ...rest, name: functorName('functorTask', fn, options.name) });
    this.#fn = fn;
    this.#revert = revert;
  }

  override execute(args: Args): Result | Promise<Result> {
    return this.#fn(args);
  }

  override revert(args: Args, context: RevertContext<Result>): void | Promise<void> {
    return this.#revert?.(args, context);
  }
}

/** `new FunctorTask(fn, options)`. */
export function functorTask<Args extends object = any, Result = unknown>(
  fn: (args: Args) => Result | Promise<Result>,
  options: FunctorTaskOptions<Args, Result> = {},
): FunctorTask<Args, Result> {
  return new FunctorTask(fn, options);
}

/** Options of map and reduce tasks: `requires` lists the inputs, in order. */
export interface CollectionTaskOptions extends Omit<TaskOptions, 'requires' | 'optional'> {
  requires: readonly string[];
}

function argValues(task: Task, args: Record<string, unknown>): unknown[] {
  const values: unknown[] = [];
  for (const arg of task.argMapping.keys()) values.push(args[arg]);
  return values;
}

/**
 * Applies `fn` to each required value, in `requires` order; the result is the
 * array of outputs (TaskFlow's `MapFunctorTask`).
 */
export class MapFunctorTask<In = any, Out = unknown> extends Task<Record<string, In>, Out[]> {
  readonly #fn: (value: In) => Out | Promise<Out>;

  constructor(fn: (value: In) => Out | Promise<Out>, options: CollectionTaskOptions) {
    const name = functorName('mapTask', fn, options?.name);
    if (!Array.isArray(options?.requires) || options.requires.length === 0) {
      throw new InvalidAtomError(name, 'mapTask needs a non-empty requires list');
    }
    super({ ...options, name });
    this.#fn = fn;
  }

  override async execute(args: Record<string, In>): Promise<Out[]> {
    const out: Out[] = [];
    for (const value of argValues(this, args)) out.push(await this.#fn(value as In));
    return out;
  }
}

/**
 * Folds the required values, in `requires` order, with `fn(accumulator, value)`,
 * starting from the first value (TaskFlow's `ReduceFunctorTask`; needs two or more).
 */
export class ReduceFunctorTask<T = any> extends Task<Record<string, T>, T> {
  readonly #fn: (accumulator: T, value: T) => T | Promise<T>;

  constructor(fn: (accumulator: T, value: T) => T | Promise<T>, options: CollectionTaskOptions) {
    const name = functorName('reduceTask', fn, options?.name);
    if (!Array.isArray(options?.requires) || options.requires.length < 2) {
      throw new InvalidAtomError(name, 'reduceTask needs at least two requirements to reduce');
    }
    super({ ...options, name });
    this.#fn = fn;
  }

  override async execute(args: Record<string, T>): Promise<T> {
    const [first, ...rest] = argValues(this, args) as T[];
    let acc = first as T;
    for (const value of rest) acc = await this.#fn(acc, value);
    return acc;
  }
}

/** `new MapFunctorTask(fn, options)`: e.g. `mapTask((x) => x * 2, { requires: ['a', 'b'], provides: 'doubled' })`. */
export function mapTask<In = any, Out = unknown>(
  fn: (value: In) => Out | Promise<Out>,
  options: CollectionTaskOptions,
): MapFunctorTask<In, Out> {
  return new MapFunctorTask(fn, options);
}

/** `new ReduceFunctorTask(fn, options)`: e.g. `reduceTask((a, b) => a + b, { requires: ['a', 'b', 'c'], provides: 'sum' })`. */
export function reduceTask<T = any>(
  fn: (accumulator: T, value: T) => T | Promise<T>,
  options: CollectionTaskOptions,
): ReduceFunctorTask<T> {
  return new ReduceFunctorTask(fn, options);
}
