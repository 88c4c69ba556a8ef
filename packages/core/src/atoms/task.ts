import { TASK_BRAND } from '../brand';
import { Atom, type AtomOptions, type ProvidesSpec, type Version } from './atom';
import { InvalidAtomError } from './errors';
import type { ExecuteContext } from './execution-context';
import type { FailureLike } from './failure-like';

/** Options a task constructor takes (see {@link AtomOptions}). */
export interface TaskOptions extends AtomOptions {
  /**
   * Runs this instance in the engine's own process, never on a worker (see `Task.local`);
   * overrides the class's `static local`. The local engines run every task locally anyway.
   */
  local?: boolean;
}

/** What `revert` receives besides the arguments. */
export interface RevertContext<Result = unknown> {
  /** What `execute` returned, or the failure it raised, or `undefined` if it never ran to completion. */
  result: Result | FailureLike | undefined;
  /** The failures that made the flow revert, by atom name. */
  flowFailures: Readonly<Record<string, FailureLike>>;
  /** As `execute`'s: fires when the revert should stop (see {@link ExecuteContext}). */
  signal: AbortSignal;
}

/** Receives progress reports; the runtime installs one per execution. */
export type ProgressSink = (progress: number, details: Record<string, unknown> | undefined) => void;

/** A Task class: what workers allow-list and `defineTask` returns. */
export interface TaskClass<Args extends object = any, Result = unknown> {
  new (options?: TaskOptions): Task<Args, Result>;
  readonly name: string;
  taskName: string;
  requires: readonly string[];
  optional: readonly string[];
  provides: ProvidesSpec | null | undefined;
  version: Version;
  /** Longest a run of this task may take on a worker, in ms (overrides the engine's); undefined: the engine's. */
  executionTimeoutMs?: number | undefined;
  /** Its instances run in the engine's process, not on a worker (see `Task.local`). */
  local?: boolean | undefined;
}

const TASK_NAME = Symbol('tf.taskName');

/**
 * The progress sink of each task while it runs. A table rather than a field: a task
 * runs for a moment, and a field would cost every task of a 100k flow 8 bytes for good.
 */
const progressSinks = new WeakMap<Task, ProgressSink>();

/**
 * A unit of work. Subclass it, declare what `execute` reads in `static requires`
 * (and `static optional`), and what the result provides in `static provides` or the
 * `provides` option. `execute` and `revert` may be sync or async.
 */
export abstract class Task<Args extends object = any, Result = unknown> extends Atom {
  /**
   * The wire name (TaskFlow's `task_cls`), also the default instance name.
   * Defaults to the class name; a subclass inherits a value its parent assigned.
   */
  static get taskName(): string {
    return Object.hasOwn(this, TASK_NAME) ? (this as unknown as Record<symbol, string>)[TASK_NAME]! : this.name;
  }
  static set taskName(value: string) {
    Object.defineProperty(this, TASK_NAME, { value, configurable: true, writable: true });
  }
  /** Argument names `execute` needs (looked up by symbol, see `rebind`). */
  static requires: readonly string[] = [];
  /** Argument names that are passed when available and left out otherwise. */
  static optional: readonly string[] = [];
  /** The default `provides` (see {@link ProvidesSpec}). */
  static provides: ProvidesSpec | null | undefined = undefined;
  /** The default version. */
  static version: Version = [1, 0];
  /**
   * Longest one run (execute or revert) may take on a worker, in ms: then its signal aborts
   * and it fails with `ExecutionTimeoutError`. Overrides the engine's `executionTimeoutMs`.
   */
  static executionTimeoutMs: number | undefined = undefined;
  /**
   * True: the worker-based engine runs this task in its own process, through the same
   * executor as the local engines (same notifications, retries and revert), and never sends
   * it to a worker. For trivial, cheap or engine-local work; not for CPU-heavy work, which
   * blocks the engine's event loop. An instance's `local` option overrides it.
   */
  static local = false;

  /** `'task'` (on the prototype: one field less per instance). */
  declare readonly kind: 'task';
  /** Whether this instance runs in the engine's process (the `local` option, else the class's `static local`). */
  readonly local: boolean;

  constructor(options: TaskOptions = {}) {
    const cls = new.target as unknown as TaskClass;
    super(
      'task',
      {
        name: cls.taskName,
        requires: cls.requires ?? [],
        optional: cls.optional ?? [],
        provides: cls.provides,
        version: cls.version ?? [1, 0],
      },
      options,
    );
    if (this._name === undefined || this._name === '') throw new InvalidAtomError('(unnamed task)', 'a task needs a name');
    const local = options?.local ?? cls.local ?? false;
    if (typeof local !== 'boolean') throw new InvalidAtomError(this._name, `local must be true or false, got ${JSON.stringify(local)}`);
    this.local = local;
  }

  /**
   * Does the work; its result is stored and provided (see `provides`). `context.signal` fires
   * when the run should stop (timeout, cancel, worker shutdown).
   */
  abstract execute(args: Args, context: ExecuteContext): Result | Promise<Result>;

  /** Undoes what `execute` did. The default does nothing. */
  revert(_args: Args, _context: RevertContext<Result>): void | Promise<void> {}

  /** The class's wire name. */
  get taskName(): string {
    return (this.constructor as TaskClass).taskName;
  }

  /**
   * Reports progress from inside `execute`: `progress` is clamped to [0, 1] (NaN
   * counts as 0); `details` travel along. Does nothing outside an execution.
   */
  updateProgress(progress: number, details?: Record<string, unknown>): void {
    const sink = progressSinks.get(this);
    if (sink === undefined) return;
    let p = Number(progress);
    if (Number.isNaN(p) || p < 0) p = 0;
    else if (p > 1) p = 1;
    sink(p, details);
  }

  /**
   * Runtime hook: routes `updateProgress` to `sink` (or back to nothing with
   * `undefined`). Returns the sink that was installed before, so callers can restore it.
   */
  setProgressSink(sink: ProgressSink | undefined): ProgressSink | undefined {
    const previous = progressSinks.get(this);
    if (sink === undefined) progressSinks.delete(this);
    else progressSinks.set(this, sink);
    return previous;
  }
}
Object.defineProperty(Task.prototype, TASK_BRAND, { value: true });
Object.defineProperty(Task.prototype, 'kind', { value: 'task', enumerable: true });
Object.defineProperty(Task, TASK_BRAND, { value: true });

/** What `defineTask` takes. */
export interface TaskSpec<Args extends object, Result> {
  /** The wire name and default instance name. */
  name: string;
  requires?: readonly string[];
  optional?: readonly string[];
  provides?: ProvidesSpec | null;
  version?: Version;
  /** See `Task.executionTimeoutMs`. */
  executionTimeoutMs?: number;
  /** See `Task.local`. */
  local?: boolean;
  execute: (this: Task<Args, Result>, args: Args, context: ExecuteContext) => Result | Promise<Result>;
  revert?: (this: Task<Args, Result>, args: Args, context: RevertContext<Result>) => void | Promise<void>;
}

/** A Task class without a class statement; `taskName` (and the class's `name`) is `spec.name`. */
export function defineTask<Args extends object = Record<string, any>, Result = unknown>(
  spec: TaskSpec<Args, Result>,
): TaskClass<Args, Result> {
  if (typeof spec?.name !== 'string' || spec.name.length === 0) {
    throw new InvalidAtomError('(defineTask)', 'defineTask needs a non-empty name');
  }
  if (typeof spec.execute !== 'function') throw new InvalidAtomError(spec.name, 'defineTask needs an execute function');
  const { execute, revert } = spec;
  const cls = class extends Task<Args, Result> {
    override execute(args: Args, context: ExecuteContext): Result | Promise<Result> {
      return execute.call(this, args, context);
    }
    override revert(args: Args, context: RevertContext<Result>): void | Promise<void> {
      return revert ? revert.call(this, args, context) : undefined;
    }
  };
  Object.defineProperty(cls, 'name', { value: spec.name });
  cls.taskName = spec.name;
  cls.requires = [...(spec.requires ?? [])];
  cls.optional = [...(spec.optional ?? [])];
  cls.provides = spec.provides;
  cls.version = spec.version ?? [1, 0];
  cls.executionTimeoutMs = spec.executionTimeoutMs;
  cls.local = spec.local ?? false;
  return cls;
}
