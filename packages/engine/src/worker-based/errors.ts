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
  /** An earlier attempt was sent (a worker may have run it), though this one is WAITING. */
  readonly sentBefore?: boolean | undefined;
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
  readonly sentBefore: boolean;

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
    this.sentBefore = details.sentBefore ?? false;
  }
}

/** What a `WorkerLostError` says about the request. */
export interface WorkerLostDetails {
  readonly atomName: string;
  readonly taskName: string;
  /** How many attempts were made. */
  readonly attempts: number;
  /** The topic of the last attempt. */
  readonly topic: string | undefined;
  /** The worker that held the last attempt, when it said. */
  readonly worker: string | undefined;
  /** Why the last attempt was given up (worker silent, worker expired, connection lost...). */
  readonly reason: string;
}

/** Every attempt of a request was lost with its worker (or the broker): `maxAttempts` ran out. */
export class WorkerLostError extends TfError implements WorkerLostDetails {
  readonly atomName: string;
  readonly taskName: string;
  readonly attempts: number;
  readonly topic: string | undefined;
  readonly worker: string | undefined;
  readonly reason: string;
  constructor(details: WorkerLostDetails) {
    const { atomName, taskName, attempts, topic, worker, reason } = details;
    super(
      'TF_WORKER_LOST',
      `Task '${atomName}' (${taskName}) was lost ${attempts} time(s), the last time on topic '${topic ?? '?'}'` +
        `${worker ? ` (worker ${worker})` : ''}: ${reason}; not sent again (maxAttempts ${attempts})`,
    );
    this.atomName = atomName;
    this.taskName = taskName;
    this.attempts = attempts;
    this.topic = topic;
    this.worker = worker;
    this.reason = reason;
  }
}

/** A request the engine cut short itself: which, in what state, and whether a worker may have run it. */
export abstract class RequestCutShortError extends TfError {
  readonly atomName: string;
  /** The request's state when it was cut short. */
  readonly state: RequestState;
  /** An earlier attempt was sent (a worker may have run it). */
  readonly sentBefore: boolean;
  constructor(code: string, message: string, atomName: string, state: RequestState, sentBefore: boolean, options?: { cause?: unknown }) {
    super(code, message, options);
    this.atomName = atomName;
    this.state = state;
    this.sentBefore = sentBefore;
  }
}

/** The engine's transport gave up reconnecting: every request in flight, and every later one, fails with this. */
export class EngineConnectionLostError extends RequestCutShortError {
  constructor(atomName: string, state: RequestState, cause: Error, sentBefore = false) {
    const message = `Task '${atomName}' cannot finish: the engine lost its broker (${cause.message})`;
    super('TF_ENGINE_CONNECTION_LOST', message, atomName, state, sentBefore, { cause });
  }
}

/** A request cut short because the engine stopped (its run ended, or `close()` was called). */
export class EngineStoppedError extends RequestCutShortError {
  constructor(atomName: string, state: RequestState, message = `Engine stopped before '${atomName}' finished`, sentBefore = false) {
    super('TF_ENGINE_STOPPED', message, atomName, state, sentBefore);
  }
}

/**
 * True for the failure of a request that never reached a worker: it timed out, the engine
 * stopped, or the engine lost its broker, while it was still `WAITING`.
 */
export function neverReachedAWorker(outcome: unknown): boolean {
  const error = Failure.is(outcome) ? outcome.exception : outcome;
  if (
    !TfError.is(error, 'TF_REQUEST_TIMEOUT') &&
    !TfError.is(error, 'TF_ENGINE_STOPPED') &&
    !TfError.is(error, 'TF_ENGINE_CONNECTION_LOST')
  ) {
    return false;
  }
  const { state, sentBefore } = error as RequestTimeoutError | EngineStoppedError | EngineConnectionLostError;
  // WAITING on a later attempt is not enough: an earlier one may have run.
  return state === 'WAITING' && !sentBefore;
}
