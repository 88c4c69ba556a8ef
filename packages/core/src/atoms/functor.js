import { InvalidAtomError } from './errors';
import { Task } from './task';
function functorName(kind, fn, name) {
    if (typeof fn !== 'function')
        throw new InvalidAtomError(name ?? `(${kind})`, `${kind} needs a function`);
    const resolved = name ?? fn.name;
    if (!resolved)
        throw new InvalidAtomError(`(${kind})`, `${kind} of an anonymous function needs a name`);
    return resolved;
}
/**
 * A task made from a plain function (TaskFlow's `FunctorTask`): `fn` receives the
 * args object. Its instance name defaults to the function's name.
 */
export class FunctorTask extends Task {
    #fn;
    #revert;
    constructor(fn, options = {}) {
        const { revert, ...rest } = options;
        super({ ...rest, name: functorName('functorTask', fn, options.name) });
        this.#fn = fn;
        this.#revert = revert;
    }
    execute(args) {
        return this.#fn(args);
    }
    revert(args, context) {
        return this.#revert?.(args, context);
    }
}
/** `new FunctorTask(fn, options)`. */
export function functorTask(fn, options = {}) {
    return new FunctorTask(fn, options);
}
function argValues(task, args) {
    const values = [];
    for (const arg of task.argMapping.keys())
        values.push(args[arg]);
    return values;
}
/**
 * Applies `fn` to each required value, in `requires` order; the result is the
 * array of outputs (TaskFlow's `MapFunctorTask`).
 */
export class MapFunctorTask extends Task {
    #fn;
    constructor(fn, options) {
        const name = functorName('mapTask', fn, options?.name);
        if (!Array.isArray(options?.requires) || options.requires.length === 0) {
            throw new InvalidAtomError(name, 'mapTask needs a non-empty requires list');
        }
        super({ ...options, name });
        this.#fn = fn;
    }
    async execute(args) {
        const out = [];
        for (const value of argValues(this, args))
            out.push(await this.#fn(value));
        return out;
    }
}
/**
 * Folds the required values, in `requires` order, with `fn(accumulator, value)`,
 * starting from the first value (TaskFlow's `ReduceFunctorTask`; needs two or more).
 */
export class ReduceFunctorTask extends Task {
    #fn;
    constructor(fn, options) {
        const name = functorName('reduceTask', fn, options?.name);
        if (!Array.isArray(options?.requires) || options.requires.length < 2) {
            throw new InvalidAtomError(name, 'reduceTask needs at least two requirements to reduce');
        }
        super({ ...options, name });
        this.#fn = fn;
    }
    async execute(args) {
        const [first, ...rest] = argValues(this, args);
        let acc = first;
        for (const value of rest)
            acc = await this.#fn(acc, value);
        return acc;
    }
}
/** `new MapFunctorTask(fn, options)`: e.g. `mapTask((x) => x * 2, { requires: ['a', 'b'], provides: 'doubled' })`. */
export function mapTask(fn, options) {
    return new MapFunctorTask(fn, options);
}
/** `new ReduceFunctorTask(fn, options)`: e.g. `reduceTask((a, b) => a + b, { requires: ['a', 'b', 'c'], provides: 'sum' })`. */
export function reduceTask(fn, options) {
    return new ReduceFunctorTask(fn, options);
}
//# sourceMappingURL=functor.js.map