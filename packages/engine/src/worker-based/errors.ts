import { TfError } from '@tf/core';
import type { RequestState } from './request-book';

/** A request no worker started within `transitionTimeoutMs` (TaskFlow's RequestTimeout). */
export class RequestTimeoutError extends TfError {
  readonly taskName: string;
  readonly atomName: string;
  readonly timeoutMs: number;
  constructor(taskName: string, atomName: string, timeoutMs: number, state: RequestState) {
    super(
      'TF_REQUEST_TIMEOUT',
      `Request to ${state === 'WAITING' ? 'find a worker for' : 'start'} task '${atomName}' (${taskName}) ` +
        `timed out after ${timeoutMs} ms in state ${state}`,
    );
    this.taskName = taskName;
    this.atomName = atomName;
    this.timeoutMs = timeoutMs;
  }
}
