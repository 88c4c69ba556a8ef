/** What `execute` receives besides the arguments. */
export interface ExecuteContext {
  /**
   * Fires when the task should stop: its `executionTimeoutMs` ran out (reason: an
   * `ExecutionTimeoutError`), the engine cancelled the flow, or the worker is shutting down
   * (reason: a `TaskCancelledError`). A task that ignores it still ends as that failure on
   * the engine, and its late result is dropped.
   */
  readonly signal: AbortSignal;
}

const neverAborted = new AbortController().signal;

/** The context of a run nobody will abort: its signal never fires. */
export const UNABORTABLE_CONTEXT: ExecuteContext = Object.freeze({ signal: neverAborted });
