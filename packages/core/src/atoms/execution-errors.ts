import { TfError } from '../errors';

/**
 * A task ran longer than its `executionTimeoutMs`: its signal was aborted with this error,
 * and its request fails with it (on the worker, or on the engine when the worker said nothing).
 */
export class ExecutionTimeoutError extends TfError {
  readonly atomName: string;
  readonly timeoutMs: number;
  constructor(atomName: string, timeoutMs: number, message?: string) {
    super('TF_EXECUTION_TIMEOUT', message ?? `Task '${atomName}' ran longer than its execution timeout of ${timeoutMs} ms`);
    this.atomName = atomName;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * A task cut short on purpose: `engine.cancel()`, or a worker shutting down. The runtime
 * does not count it as the task's failure while the flow is suspending: the task goes back
 * to PENDING and runs again when the flow resumes.
 */
export class TaskCancelledError extends TfError {
  readonly atomName: string;
  constructor(atomName: string, message?: string) {
    super('TF_TASK_CANCELLED', message ?? `Task '${atomName}' was cancelled`);
    this.atomName = atomName;
  }
}
