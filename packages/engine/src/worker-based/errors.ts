import { Failure, TfError } from '@tf/core';
import type { RequestState } from './request-book';

/** Where a timed-out request was looking for a worker. */
export interface RequestTimeoutDetails {
  /** The task's wire name (`task_cls`). */
  readonly taskName: string;
  /** The atom's name in the flow. */
  readonly atomName: string;
  readonly timeoutMs: number;
  /** `WAITING`: no worker serving the task was found; `PENDING`: sent, never started. */
  readonly state: Extract<RequestState, 'WAITING' | 'PENDING'>;
  readonly exchange: string;
  /** The topics the engine asks for workers. */
  readonly topics: readonly string[];
  /** The topic a PENDING request was sent to. */
  readonly topic?: string | undefined;
}

const quoted = (names: readonly string[]) => names.map((name) => `'${name}'`).join(', ');

/** A request no worker started within `transitionTimeoutMs` (TaskFlow's RequestTimeout). */
export class RequestTimeoutError extends TfError implements RequestTimeoutDetails {
  // RequestTimeoutDetails' fields, declared again as a class must (their docs are on the interface).
  readonly taskName: string;
  readonly atomName: string;
  readonly timeoutMs: number;
  /** The request's state when it timed out: `WAITING` means it never reached a worker. */
  readonly state: Extract<RequestState, 'WAITING' | 'PENDING'>;
  readonly exchange: string;
  readonly topics: readonly string[];
  readonly topic: string | undefined;

  constructor(details: RequestTimeoutDetails) {
    const { taskName, atomName, timeoutMs, state, exchange, topics, topic } = details;
    const where =
      state === 'WAITING'
        ? `no worker serving it answered on exchange '${exchange}', topic(s) ${quoted(topics)}`
        : `it was sent to topic '${topic ?? topics[0]}' on exchange '${exchange}' and no worker started it`;
    super(
      'TF_REQUEST_TIMEOUT',
      `Request to ${state === 'WAITING' ? 'find a worker for' : 'start'} task '${atomName}' (${taskName}) ` +
        `timed out after ${timeoutMs} ms in state ${state}: ${where}`,
    );
    this.taskName = taskName;
    this.atomName = atomName;
    this.timeoutMs = timeoutMs;
    this.state = state;
    this.exchange = exchange;
    this.topics = Object.freeze([...topics]);
    this.topic = topic;
  }
}

/** A request cut short because the engine stopped (its run ended, or `close()` was called). */
export class EngineStoppedError extends TfError {
  readonly atomName: string;
  /** The request's state when it was cut short; `WAITING`: it never reached a worker. */
  readonly state: RequestState;
  constructor(atomName: string, state: RequestState, message = `Engine stopped before '${atomName}' finished`) {
    super('TF_ENGINE_STOPPED', message);
    this.atomName = atomName;
    this.state = state;
  }
}

/**
 * True for the failure of a request that never reached a worker: it timed out, or the
 * engine stopped, while it was still `WAITING`.
 */
export function neverReachedAWorker(outcome: unknown): boolean {
  const error = Failure.is(outcome) ? outcome.exception : outcome;
  if (!TfError.is(error, 'TF_REQUEST_TIMEOUT') && !TfError.is(error, 'TF_ENGINE_STOPPED')) return false;
  return (error as RequestTimeoutError | EngineStoppedError).state === 'WAITING';
}
