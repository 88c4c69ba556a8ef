import { TASK_BRAND } from '../brand';
import { Atom } from './atom';
import { InvalidAtomError } from './errors';
const TASK_NAME = Symbol('tf.taskName');
/**
 * A unit of work. Subclass it, declare what `execute` reads in `static requires`
 * (and `static optional`), and what the result provides in `static provides` or the
 * `provides` option. `execute` and `revert` may be sync or async.
 */
export class Task extends Atom {
    /**
     * The wire name (TaskFlow's `task_cls`), also the default instance name.
     * Defaults to the class name; a subclass inherits a value its parent assigned.
     */
    static get taskName() {
        return Object.prototype.hasOwnProperty.call(this, TASK_NAME) ? this[TASK_NAME] : this.name;
    }
    static set taskName(value) {
        Object.defineProperty(this, TASK_NAME, { value, configurable: true, writable: true });
    }
    /** Argument names `execute` needs (looked up by symbol, see `rebind`). */
    static requires = [];
    /** Argument names that are passed when available and left out otherwise. */
    static optional = [];
    /** The default `provides` (see {@link ProvidesSpec}). */
    static provides = undefined;
    /** The default version. */
    static version = [1, 0];
    kind = 'task';
    #progressSink;
    constructor(options = {}) {
        const cls = new.target;
        super('task', {
            name: cls.taskName,
            requires: cls.requires ?? [],
            optional: cls.optional ?? [],
            provides: cls.provides,
            version: cls.version ?? [1, 0],
        }, options);
        if (this._name === undefined || this._name === '')
            throw new InvalidAtomError('(unnamed task)', 'a task needs a name');
    }
    /** Undoes what `execute` did. The default does nothing. */
    revert(_args, _context) { }
    /** The class's wire name. */
    get taskName() {
        return this.constructor.taskName;
    }
    /**
     * Reports progress from inside `execute`: `progress` is clamped to [0, 1] (NaN
     * counts as 0); `details` travel along. Does nothing outside an execution.
     */
    updateProgress(progress, details) {
        const sink = this.#progressSink;
        if (sink === undefined)
            return;
        let p = Number(progress);
        if (Number.isNaN(p) || p < 0)
            p = 0;
        else if (p > 1)
            p = 1;
        sink(p, details);
    }
    /**
     * Runtime hook: routes `updateProgress` to `sink` (or back to nothing with
     * `undefined`). Returns the sink that was installed before, so callers can restore it.
     */
    setProgressSink(sink) {
        const previous = this.#progressSink;
        this.#progressSink = sink;
        return previous;
    }
}
Object.defineProperty(Task.prototype, TASK_BRAND, { value: true });
Object.defineProperty(Task, TASK_BRAND, { value: true });
/** A Task class without a class statement; `taskName` (and the class's `name`) is `spec.name`. */
export function defineTask(spec) {
    if (typeof spec?.name !== 'string' || spec.name.length === 0) {
        throw new InvalidAtomError('(defineTask)', 'defineTask needs a non-empty name');
    }
    if (typeof spec.execute !== 'function')
        throw new InvalidAtomError(spec.name, 'defineTask needs an execute function');
    const { execute, revert } = spec;
    const cls = class extends Task {
        execute(args) {
            return execute.call(this, args);
        }
        revert(args, context) {
            return revert ? revert.call(this, args, context) : undefined;
        }
    };
    Object.defineProperty(cls, 'name', { value: spec.name });
    cls.taskName = spec.name;
    cls.requires = [...(spec.requires ?? [])];
    cls.optional = [...(spec.optional ?? [])];
    cls.provides = spec.provides;
    cls.version = spec.version ?? [1, 0];
    return cls;
}
//# sourceMappingURL=task.js.map