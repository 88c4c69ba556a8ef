import { Failure } from '@tf/core';

/** A failure as the page shows it: its types, message and causes (bounded). */
export interface FailureView {
  readonly types: readonly string[];
  readonly message: string;
  readonly causes: readonly FailureView[];
}

/** What the page knows of one atom. Times are the engine's `Date.now()`. */
export interface AtomView {
  state: string;
  /** 0..1, from the task's `updateProgress`. */
  progress?: number;
  /** Where its request is on the worker-based engine: WAITING, PENDING, RUNNING. */
  request?: string;
  topic?: string;
  worker?: string;
  attempt?: number;
  startedAt?: number;
  finishedAt?: number;
  failure?: FailureView;
}

const MAX_MESSAGE = 2_000;
const MAX_CAUSE_DEPTH = 8;
const MAX_CAUSES = 8;

/** The view of a Failure (or any thrown value), its message and cause chain cut to a size a page shows. */
export function failureView(value: unknown, depth = 0): FailureView {
  const failure = Failure.is(value) ? value : Failure.fromError(value);
  const message = failure.exceptionStr.length > MAX_MESSAGE ? `${failure.exceptionStr.slice(0, MAX_MESSAGE)}…` : failure.exceptionStr;
  const causes = depth >= MAX_CAUSE_DEPTH ? [] : failure.causes.slice(0, MAX_CAUSES).map((cause) => failureView(cause, depth + 1));
  return { types: failure.excTypeNames.slice(0, 4), message, causes };
}
