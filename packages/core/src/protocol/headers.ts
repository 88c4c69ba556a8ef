import type { MessageHeaders } from '@tf/transport';

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
  /** On a REQUEST: the longest the run may take, ms. */
  EXECUTION_TIMEOUT_MS: 'x-tf-execution-timeout-ms',
  /** On a CANCEL: the correlation ids to abort. */
  CANCEL: 'x-tf-cancel',
} as const;

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
  return out;
}

/** The attempt and execution timeout a REQUEST's headers ask for (checked; absent when missing or malformed). */
export function readRequestHeaders(headers: MessageHeaders): { attempt?: number; executionTimeoutMs?: number } {
  const out: { attempt?: number; executionTimeoutMs?: number } = {};
  const attempt = count(headers[TfHeader.ATTEMPT], 1_000);
  if (attempt !== undefined) out.attempt = attempt;
  const timeout = headers[TfHeader.EXECUTION_TIMEOUT_MS];
  if (typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 && timeout <= MAX_TIMER_MS) out.executionTimeoutMs = timeout;
  return out;
}
