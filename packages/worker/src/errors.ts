import { TfError } from '@tf/core';

/** The codes of worker errors; branch on them with `TfError.is(e, code)`. */
export const WorkerErrorCode = {
  /** A worker option that is missing, unknown or of the wrong kind. */
  Config: 'TF_WORKER_CONFIG',
  /** An allow-list entry that cannot be loaded: bad specifier, missing export, not a Task class. */
  TaskLoad: 'TF_TASK_LOAD',
  /** Two allow-listed classes share one wire name (`taskName`). */
  DuplicateTask: 'TF_DUPLICATE_TASK',
  /** A request named a task that is not on the worker's allow-list (sent back as a FAILURE). */
  UnknownTask: 'TF_UNKNOWN_TASK',
  /** A `tf-worker --import` module (a loader such as tsx) that could not be found or failed to load. */
  Import: 'TF_WORKER_IMPORT',
  /** A request delivered more than `maxDeliveries` times: dead-lettered, not run again (sent back as a FAILURE). */
  DeliveryLimit: 'TF_DELIVERY_LIMIT',
} as const;
export type WorkerErrorCode = (typeof WorkerErrorCode)[keyof typeof WorkerErrorCode];

/** Bad worker configuration: an unknown option, a missing exchange/topic/tasks, a bad concurrency. */
export class WorkerConfigError extends TfError {
  /** The option at fault, when there is one. */
  readonly option: string | undefined;
  constructor(message: string, options?: { option?: string; cause?: unknown }) {
    super(WorkerErrorCode.Config, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.option = options?.option;
  }
}

/** An allow-list entry that could not be turned into Task classes. */
export class TaskLoadError extends TfError {
  /** The entry as written (`'./tasks.js:AddOne'`), or a description of a non-string entry. */
  readonly specifier: string;
  constructor(specifier: string, message: string, options?: { cause?: unknown }) {
    super(WorkerErrorCode.TaskLoad, message, options);
    this.specifier = specifier;
  }
}

/** A module named by `tf-worker --import` (such as a TypeScript loader) that could not be imported. */
export class WorkerImportError extends TfError {
  /** The module as given to `--import`. */
  readonly specifier: string;
  constructor(specifier: string, message: string, options?: { cause?: unknown }) {
    super(WorkerErrorCode.Import, message, options);
    this.specifier = specifier;
  }
}

/** Two classes on the allow-list have the same `taskName`, so a request could not tell them apart. */
export class DuplicateTaskError extends TfError {
  readonly taskName: string;
  constructor(taskName: string, sources: readonly string[]) {
    super(
      WorkerErrorCode.DuplicateTask,
      `Two different Task classes on the allow-list are named '${taskName}' (from ${sources.join(' and ')}); ` +
        'give one of them another static taskName.',
    );
    this.taskName = taskName;
  }
}

/** A request for a task the worker does not serve. Travels back to the engine as the FAILURE's failure. */
export class UnknownTaskError extends TfError {
  readonly taskName: string;
  readonly allowed: readonly string[];
  constructor(taskName: string, allowed: readonly string[]) {
    super(
      WorkerErrorCode.UnknownTask,
      `Task '${taskName}' is not on this worker's allow-list; it serves: ${allowed.length > 0 ? allowed.join(', ') : '(none)'}.`,
    );
    this.taskName = taskName;
    this.allowed = allowed;
  }
}

/** A request that kept coming back (its runs killed or stalled their workers): set aside in the dead letters instead of run again. */
export class DeliveryLimitError extends TfError {
  readonly taskName: string;
  readonly deliveries: number;
  constructor(taskName: string, deliveries: number, limit: number, deadLetterTopic: string) {
    super(
      WorkerErrorCode.DeliveryLimit,
      `The request for '${taskName}' was delivered ${deliveries} times (the limit is ${limit}): its earlier runs never finished ` +
        `(the worker died or was stopped). It was not run again; it is kept in topic '${deadLetterTopic}'.`,
    );
    this.taskName = taskName;
    this.deliveries = deliveries;
  }
}
