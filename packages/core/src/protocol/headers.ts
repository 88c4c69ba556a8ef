import { isDestinationName, type MessageHeaders } from '@tf/transport';

/**
 * tf's extensions of TaskFlow's protocol. They travel in message headers only, which
 * Python TaskFlow neither reads nor minds, so a Python engine can drive tf workers and
 * a tf engine Python workers.
 */
export const TfHeader = {
  /** On everything a worker sends: its id (unique per worker process). */
  WORKER: 'x-tf-worker',
  /** On a worker's NOTIFY answers and RUNNING responses: how often it heartbeats (ms). Present: it does. */
  HEARTBEAT_MS: 'x-tf-heartbeat-ms',
  /** On a heartbeat (a NOTIFY answer sent unasked): the correlation ids the worker holds for this engine. */
  RUNNING: 'x-tf-running',
  /** On a worker's NOTIFY answers: the topic where it takes control messages (CANCEL). */
  CONTROL: 'x-tf-control',
  /** On a worker's NOTIFY answers: how many tasks it runs at once. */
  CONCURRENCY: 'x-tf-concurrency',
  /** On a REQUEST: its attempt (1 for the first send, 2 for the first re-dispatch...); echoed on RESPONSEs. */
  ATTEMPT: 'x-tf-attempt',
  /**
   * On a REQUEST: `true` when its engine takes a SUCCESS or FAILURE with no RUNNING before it.
   * A worker then says RUNNING only for a task still running after the turn of its event loop
   * that started it: a quick task costs one response, not two. (Python TaskFlow's engine needs
   * RUNNING first and never sends this.)
   */
  RUNNING_OPTIONAL: 'x-tf-running-optional',
  /**
   * On a SUCCESS or FAILURE a tf worker sent with no RUNNING before it (the request allowed it):
   * how long the task ran, ms. Its engine counts the request as started that long before the
   * answer. A refusal (the task never ran) does not carry it.
   */
  RUN_MS: 'x-tf-run-ms',
  /** On a REQUEST: the longest the run may take, ms. */
  EXECUTION_TIMEOUT_MS: 'x-tf-execution-timeout-ms',
  /** On a CANCEL: the correlation ids to abort. */
  CANCEL: 'x-tf-cancel',
  /** On a worker's RESPONSEs: the topic it serves (an engine takes a response only from the topic it sent the request to). */
  TOPIC: 'x-tf-topic',
  /**
   * On a REQUEST: when it stops being worth running (ms since the epoch): the engine has timed
   * it out by then. A worker that receives it later drops it unrun.
   */
  EXPIRES_AT: 'x-tf-expires-at',
  /**
   * On a REQUEST a worker put back on its topic: how many times it was delivered so far, for
   * brokers that do not count deliveries themselves (RabbitMQ's classic queues).
   */
  DELIVERIES: 'x-tf-deliveries',
  /** On a dead letter: why it was set aside. */
  DEAD_REASON: 'x-tf-dead-reason',
  /** On a dead letter: the topic it was taken from. */
  DEAD_TOPIC: 'x-tf-dead-topic',
  /** On a dead letter: when it was set aside (ms since the epoch). */
  DEAD_AT: 'x-tf-dead-at',
  /** On a NOTIFY (`tf inspect`): asks a tf worker to add the `INSPECT_*` headers to its answer. */
  INSPECT: 'x-tf-inspect',
  /** On an inspected worker's answer: when it started (ms since the epoch). */
  STARTED_AT: 'x-tf-started-at',
  /** On an inspected worker's answer: its host name and process id, `<host>:<pid>`. */
  PROCESS: 'x-tf-process',
  /** On an inspected worker's answer: its tf version. */
  VERSION: 'x-tf-version',
  /** On an inspected worker's answer: how many tasks it runs now. */
  ACTIVE: 'x-tf-active',
  /** On an inspected worker's answer: up to `MAX_RUNNING_LISTED` of the runs it has now, each `{id, task, name, action, since}`. */
  RUNNING_TASKS: 'x-tf-running-tasks',
} as const;

/** The most runs an inspected worker lists in `x-tf-running-tasks` (`x-tf-active` counts them all). */
export const MAX_RUNNING_LISTED = 100;

/** The topic of each exchange where workers set aside the requests they refuse to deliver again (see `DEAD_*` headers). */
export const DEAD_LETTER_TOPIC = 'tf-dead-letters';

/** The control topic of the tf worker `id`. */
export function controlTopicOf(id: string): string {
  return `tf-control-${id}`;
}

/** The longest delay a Node timer takes (2^31 - 1 ms, about 24.8 days); a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/** The message type of a control message asking a worker to abort requests (sent only to a tf worker's control topic). */
export const CANCEL_MESSAGE = 'CANCEL';

/** The most correlation ids one heartbeat or CANCEL carries; more are dropped (untrusted input is bounded). */
export const MAX_IDS_PER_MESSAGE = 1024;

/** What a worker's headers say about it, each value checked (absent when missing or malformed). */
export interface WorkerHeaders {
  readonly worker?: string;
  readonly heartbeatMs?: number;
  readonly running?: readonly string[];
  readonly control?: string;
  readonly concurrency?: number;
  readonly attempt?: number;
  /** The topic the worker serves (on its RESPONSEs). */
  readonly topic?: string;
  /** On an answer with no RUNNING before it: how long the task ran, ms (0 or more). */
  readonly runMs?: number;
}

const ID = /^[\w.:-]{1,200}$/;

function id(value: unknown): string | undefined {
  return typeof value === 'string' && ID.test(value) ? value : undefined;
}

function count(value: unknown, max: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value <= max ? value : undefined;
}

/** Correlation ids from an untrusted header: at most `MAX_IDS_PER_MESSAGE`, each a short id; undefined when not a list. */
export function readIds(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const ids: string[] = [];
  for (const item of value.slice(0, MAX_IDS_PER_MESSAGE)) {
    const checked = id(item);
    if (checked !== undefined) ids.push(checked);
  }
  return ids;
}

/** Reads tf's worker headers from an untrusted message; what is missing or malformed is left out. */
export function readWorkerHeaders(headers: MessageHeaders): WorkerHeaders {
  const out: { -readonly [K in keyof WorkerHeaders]: WorkerHeaders[K] } = {};
  const worker = id(headers[TfHeader.WORKER]);
  if (worker !== undefined) out.worker = worker;
  const heartbeatMs = count(headers[TfHeader.HEARTBEAT_MS], 3_600_000);

  if (heartbeatMs !== undefined) out.heartbeatMs = heartbeatMs;
  const running = readIds(headers[TfHeader.RUNNING]);
  if (running !== undefined) out.running = running;
  // Only a worker's own control topic: a peer must not steer CANCELs to a shared topic. A tf
  // worker (it heartbeats) that does not say it has the one its id gives.
  const control = id(headers[TfHeader.CONTROL]);
  if (worker !== undefined && (control === controlTopicOf(worker) || (control === undefined && heartbeatMs !== undefined))) {
    out.control = controlTopicOf(worker);
  }
  const concurrency = count(headers[TfHeader.CONCURRENCY], 100_000);
  if (concurrency !== undefined) out.concurrency = concurrency;
  const attempt = count(headers[TfHeader.ATTEMPT], 1_000);
  if (attempt !== undefined) out.attempt = attempt;
  const topic = headers[TfHeader.TOPIC];
  if (isDestinationName(topic)) out.topic = topic;
  const runMs = headers[TfHeader.RUN_MS];
  if (typeof runMs === 'number' && Number.isInteger(runMs) && runMs >= 0 && runMs <= MAX_TIMER_MS) out.runMs = runMs;
  return out;
}

/** What a REQUEST's headers ask for, each value checked (absent when missing or malformed). */
export interface RequestHeaders {
  readonly attempt?: number;
  readonly executionTimeoutMs?: number;
  /** ms since the epoch. */
  readonly expiresAt?: number;
  /** Deliveries counted by a worker that put it back (`x-tf-deliveries`). */
  readonly deliveries?: number;
  /** The engine takes a final response with no RUNNING before it (`x-tf-running-optional`). */
  readonly runningOptional?: true;
}

/** Reads the headers of an untrusted REQUEST. */
export function readRequestHeaders(headers: MessageHeaders): RequestHeaders {
  const out: { -readonly [K in keyof RequestHeaders]: RequestHeaders[K] } = {};
  const attempt = count(headers[TfHeader.ATTEMPT], 1_000);
  if (attempt !== undefined) out.attempt = attempt;
  const timeout = headers[TfHeader.EXECUTION_TIMEOUT_MS];
  if (typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 && timeout <= MAX_TIMER_MS) out.executionTimeoutMs = timeout;
  const expiresAt = headers[TfHeader.EXPIRES_AT];
  if (typeof expiresAt === 'number' && Number.isSafeInteger(expiresAt) && expiresAt > 0) out.expiresAt = expiresAt;
  const deliveries = count(headers[TfHeader.DELIVERIES], 1_000_000);
  if (deliveries !== undefined) out.deliveries = deliveries;
  if (headers[TfHeader.RUNNING_OPTIONAL] === true) out.runningOptional = true;
  return out;
}
