import { UNABORTABLE_CONTEXT, type ExecuteContext } from '../atoms/execution-context';
import type { Task, ProgressSink } from '../atoms/task';
import type { TaskNode } from '../compiler/types';
import type { Failure } from '../failure/failure';

/** What an executor is told about one task execution. */
export interface ExecutionContext {
  readonly node: TaskNode;
  readonly flowUuid: string;
  /** Report progress (0..1) as if the task called `updateProgress`. */
  readonly onProgress: ProgressSink;
  /** Handed to the task (`context.signal`); absent: a signal that never fires. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Instead of `signal`: where the task's `context.signal` is read from when (and only if) the
   * task reads it, so a run nobody aborts costs no `AbortController`.
   */
  readonly abort?: { readonly signal: AbortSignal } | undefined;
}

/** What an executor is told about one task reversion. */
export interface RevertExecutionContext extends ExecutionContext {
  /** The task's own outcome: its result, or the Failure it raised. */
  readonly result: unknown;
  /** Every execute failure of the flow, by atom name. */
  readonly flowFailures: Readonly<Record<string, Failure>>;
}

/**
 * Runs tasks for the scheduler. The scheduler is the same for every engine; only the
 * executor differs: a local one calls the task in this process, the worker-based one
 * sends a request to a worker and waits for the response.
 *
 * `execute` and `revert` return the outcome or a promise of it. Throwing (or
 * rejecting) with anything, including a `Failure`, marks the task failed.
 */
export interface TaskExecutor {
  execute(task: Task, args: Record<string, unknown>, context: ExecutionContext): unknown;
  revert(task: Task, args: Record<string, unknown>, context: RevertExecutionContext): unknown;
  /**
   * How many atoms are worth running at once now, when the executor knows better than the
   * engine's fixed bound (the worker-based one: what its workers can take). Read before each
   * atom starts; the scheduler starts no more than the smaller of the two. At least 1.
   */
  concurrency?(): number;
  /** Called once before a run starts (e.g. connect a transport). */
  start?(): void | Promise<void>;
  /** Called once after a run ends, successfully or not. */
  stop?(): void | Promise<void>;
}

/**
 * Runs tasks in this process, routing `updateProgress` to the engine. It reads only the
 * progress sink (and, to revert, the outcome and the flow's failures), so a caller outside
 * a flow (a worker) can use it too.
 */
export class LocalTaskExecutor implements TaskExecutor {
  execute(task: Task, args: Record<string, unknown>, context: Pick<ExecutionContext, 'onProgress' | 'signal' | 'abort'>): unknown {
    const { abort, signal } = context;
    const taskContext: ExecuteContext = abort
      ? {
          get signal() {
            return abort.signal;
          },
        }
      : signal
        ? { signal }
        : UNABORTABLE_CONTEXT;
    return withProgress(task, context.onProgress, () => task.execute(args, taskContext));
  }

  revert(
    task: Task,
    args: Record<string, unknown>,
    context: Pick<RevertExecutionContext, 'onProgress' | 'result' | 'flowFailures' | 'signal'>,
  ): unknown {
    const { result, flowFailures } = context;
    const signal = context.signal ?? UNABORTABLE_CONTEXT.signal;
    return withProgress(task, context.onProgress, () => task.revert(args, { result, flowFailures, signal }));
  }
}

function withProgress(task: Task, sink: ProgressSink, run: () => unknown): unknown {
  const previous = task.setProgressSink(sink);
  let outcome: unknown;
  try {
    outcome = run();
  } catch (error) {
    task.setProgressSink(previous);
    throw error;
  }
  if (isPromiseLike(outcome)) {
    return Promise.resolve(outcome).finally(() => task.setProgressSink(previous));
  }
  task.setProgressSink(previous);
  return outcome;
}

export function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function'
  );
}
