import { availableParallelism } from 'node:os';
import {
  assertDestinationName,
  normaliseOptionKeys,
  normaliseTransportSelection,
  MAX_TIMER_MS,
  positiveInteger,
  positiveNumber,
  signingKeys,
  TfError,
  type Logger,
  type SigningKeys,
  type SigningOptions,
  type NormalisedTransportSelection,
  type TransportSelectionInput,
} from '@tf/core';
import { WorkerConfigError } from './errors';
import type { ModuleImporter, TaskEntry } from './tasks';

/**
 * What `new Worker(options)` takes. camelCase, and TaskFlow's worker configuration keys
 * as written for the seed (`transport_options`, `retry_options`, `threads_count`) work too.
 *
 * The transport (`transport`, `url`, `transportOptions`, `retryOptions`): a transport object
 * is used as is, `start()` connects it if needed and `stop()` leaves it open (its owner
 * closes it); one created from a name or URL is closed by `stop()`. Default: from `url`,
 * else `memory`.
 */
export interface WorkerOptions extends TransportSelectionInput {
  /** The exchange holding the topic. */
  exchange: string;
  /** The topic (queue) this worker serves; workers on one topic compete for its requests. */
  topic: string;
  /**
   * The allow-list: Task classes, `'./tasks.js:Name'`, `'./tasks.js'` (every Task class it
   * exports), `'package:Name'`. Resolved once by `start()`, never from message content.
   */
  tasks: readonly TaskEntry[] | TaskEntry;
  /**
   * The most tasks run at once (default: `os.availableParallelism()`). Also how many
   * requests the worker takes from the broker, plus one (see the README).
   */
  concurrency?: number | undefined;
  /** TaskFlow's name for `concurrency`. */
  threadsCount?: number | undefined;
  threads_count?: number | undefined;
  /** A pino-compatible logger; silent by default. */
  logger?: Logger | undefined;
  /** Where task module paths and package names are resolved from; default `process.cwd()`. */
  cwd?: string | undefined;
  /** Replaces dynamic `import()` for task modules (bundlers, tests). */
  importer?: ModuleImporter | undefined;
  /**
   * How often the worker tells each engine whose requests it holds that it is alive (default
   * 1 000 ms). The engine re-dispatches a request whose worker went silent for its
   * `heartbeatTimeoutMs`.
   */
  heartbeatIntervalMs?: number | undefined;
  /** = `heartbeatIntervalMs`, in seconds. */
  heartbeat_interval?: number | undefined;
  /**
   * A request still running after this long is acked to the broker before it ends (default
   * 600 000: 10 minutes; null: only once answered). RabbitMQ closes the channel of a consumer
   * that holds a delivery unacked past its `consumer_timeout` (30 minutes by default), which
   * would cut every task on it short. From the early ack on, a worker that dies is noticed by
   * the engine's heartbeat watch alone, which sends the request again.
   */
  ackLongTasksAfterMs?: number | null | undefined;
  /**
   * A request delivered more times than this (it keeps killing or stalling the workers that
   * take it) is not run again: it goes to the exchange's `tf-dead-letters` topic with the
   * reason, and its engine gets a FAILURE (`TF_DELIVERY_LIMIT`). Default 5.
   */
  maxDeliveries?: number | undefined;
  /**
   * A shared key: every message sent is signed (HMAC-SHA256) and every message received that
   * is not correctly signed, with a listed key and recently, is dropped (`worker.signingStats`
   * counts them). One secret (32 bytes or more, or `'base64:...'`), or
   * `{ keys: { id: secret }, current: id }` to rotate keys. Engines and workers on the exchange
   * must all sign; Python TaskFlow peers cannot. A bad key is a `SigningConfigError` (`TF_SIGNING_CONFIG`).
   */
  signingKey?: SigningOptions | undefined;
}

/** Options after normalisation and checks. */
export interface NormalisedWorkerOptions {
  readonly exchange: string;
  readonly topic: string;
  readonly tasks: readonly TaskEntry[];
  /** Which transport, checked; `owned` when the worker creates it (and so closes it). */
  readonly transport: NormalisedTransportSelection;
  readonly concurrency: number;
  readonly logger: Logger | undefined;
  readonly cwd: string;
  readonly importer: ModuleImporter | undefined;
  readonly heartbeatIntervalMs: number;
  /** null: never early. */
  readonly ackLongTasksAfterMs: number | null;
  readonly maxDeliveries: number;
  /** Absent: messages are neither signed nor checked. */
  readonly signing: SigningKeys | undefined;
}

/** The default of `maxDeliveries`. */
export const DEFAULT_MAX_DELIVERIES = 5;

/** The default of `ackLongTasksAfterMs`: well under RabbitMQ's default `consumer_timeout` of 30 minutes. */
export const DEFAULT_ACK_LONG_TASKS_AFTER_MS = 600_000;

/** A whole number of milliseconds from 1 to `max` (a Node timer fires at once beyond 2^31 - 1). */
function boundedInteger(label: string, value: unknown, max: number, fail: (message: string) => Error): number {
  const n = positiveInteger(label, value, fail);
  if (n > max) throw fail(`${label} must be at most ${max}, got ${n}.`);
  return n;
}

/** How often a worker heartbeats by default. */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;

/**
 * A worker's reconnect policy when none is given: keep reconnecting, 0.5 s after the loss,
 * then 1 s more each attempt up to 5 s apart, forever (as Celery's workers do). An engine's
 * transport gives up; a worker waits for its broker. The first connection gives up after 3
 * retries.
 */
export const WORKER_RETRY_OPTIONS = Object.freeze({
  intervalStartMs: 500,
  intervalStepMs: 1000,
  intervalMaxMs: 5000,
  maxRetries: null,
  // A broker unreachable at start is more likely a wrong URL: give up after about 4.5 s.
  maxConnectRetries: 3,
});

/** Every option name a worker accepts, camelCase (snake_case spellings are normalised to these). */
export const WORKER_OPTION_NAMES: readonly string[] = Object.freeze([
  'exchange',
  'topic',
  'tasks',
  'url',
  'transport',
  'transportOptions',
  'retryOptions',
  'concurrency',
  'threadsCount',
  'logger',
  'cwd',
  'importer',
  'heartbeatIntervalMs',
  'ackLongTasksAfterMs',
  'maxDeliveries',
  'signingKey',
]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A WorkerConfigError naming the option at fault. */
function configError(option: string): (message: string) => WorkerConfigError {
  return (message) => new WorkerConfigError(message, { option });
}

function destination(kind: 'exchange' | 'topic', value: unknown): string {
  if (value === undefined || value === null || value === '') {
    throw new WorkerConfigError(`Worker option '${kind}' is required.`, { option: kind });
  }
  try {
    assertDestinationName(kind, value);
  } catch (error) {
    throw new WorkerConfigError(error instanceof Error ? error.message : String(error), { option: kind, cause: error });
  }
  return value;
}

/** The default concurrency: how many tasks this machine can usefully run at once. */
export function defaultConcurrency(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Normalises and checks worker options: snake_case keys become camelCase, unknown keys,
 * missing `exchange`/`topic`/`tasks` and bad values are `WorkerConfigError`s
 * (`TF_WORKER_CONFIG`). Transport options are checked later, by the transport.
 */
export function normaliseWorkerOptions(input: WorkerOptions): NormalisedWorkerOptions {
  if (!isPlainObject(input)) throw new WorkerConfigError('Worker options must be an object.');
  let o: Record<string, unknown>;
  try {
    o = normaliseOptionKeys(input);
    if (o['heartbeatInterval'] !== undefined) {
      if (o['heartbeatIntervalMs'] !== undefined) {
        throw new WorkerConfigError("Worker options 'heartbeatIntervalMs' and 'heartbeat_interval' are the same setting; give one.", {
          option: 'heartbeatIntervalMs',
        });
      }
      o['heartbeatIntervalMs'] = Math.round(
        positiveNumber("Worker option 'heartbeat_interval' (seconds)", o['heartbeatInterval'], configError('heartbeatIntervalMs')) * 1000,
      );
      delete o['heartbeatInterval'];
    }
  } catch (error) {
    if (TfError.is(error)) throw new WorkerConfigError(error.message, { cause: error });
    throw error;
  }
  for (const key of Object.keys(o)) {
    if (WORKER_OPTION_NAMES.includes(key)) continue;
    if (key === 'executor') {
      throw new WorkerConfigError(
        "Worker option 'executor' (a Python executor in TaskFlow) has no equivalent here; set 'concurrency' instead.",
        { option: key },
      );
    }
    throw new WorkerConfigError(`Unknown worker option '${key}'. Allowed: ${WORKER_OPTION_NAMES.join(', ')}.`, {
      option: key,
    });
  }

  const exchange = destination('exchange', o['exchange']);
  const topic = destination('topic', o['topic']);

  const rawTasks = o['tasks'];
  const tasks: TaskEntry[] =
    rawTasks === undefined || rawTasks === null ? [] : Array.isArray(rawTasks) ? [...(rawTasks as TaskEntry[])] : [rawTasks as TaskEntry];
  if (tasks.length === 0) {
    throw new WorkerConfigError("Worker option 'tasks' is required: the Task classes (or './module.js:Name' entries) this worker serves.", {
      option: 'tasks',
    });
  }
  for (const t of tasks) {
    if (typeof t !== 'string' && typeof t !== 'function') {
      throw new WorkerConfigError(
        `Worker option 'tasks' holds ${t === null ? 'null' : typeof t}; each entry is a Task class or a string like './tasks.js:Name'.`,
        { option: 'tasks' },
      );
    }
    if (typeof t === 'string' && t.trim() === '') {
      throw new WorkerConfigError("Worker option 'tasks' holds an empty string.", { option: 'tasks' });
    }
  }

  let transport = normaliseTransportSelection(o, { owner: 'Worker', fail: (message, option) => configError(option)(message) });
  if (transport.owned && transport.selection.retryOptions === undefined) {
    transport = { ...transport, selection: { ...transport.selection, retryOptions: { ...WORKER_RETRY_OPTIONS } } };
  }
  const heartbeatIntervalMs =
    o['heartbeatIntervalMs'] === undefined
      ? DEFAULT_HEARTBEAT_INTERVAL_MS
      : boundedInteger("Worker option 'heartbeatIntervalMs'", o['heartbeatIntervalMs'], 3_600_000, configError('heartbeatIntervalMs'));

  const count = (option: 'concurrency' | 'threadsCount') => positiveInteger(`Worker option '${option}'`, o[option], configError(option));
  const given = o['concurrency'] !== undefined ? 'concurrency' : undefined;
  let concurrency = o['concurrency'] !== undefined ? count('concurrency') : undefined;
  if (o['threadsCount'] !== undefined) {
    const threads = count('threadsCount');
    if (concurrency !== undefined && concurrency !== threads) {
      throw new WorkerConfigError(`Worker options '${given}' and 'threadsCount' disagree (${concurrency} and ${threads}).`, {
        option: 'threadsCount',
      });
    }
    concurrency = threads;
  }

  const logger = o['logger'];
  if (logger !== undefined && (!isPlainObject(logger) || typeof logger['info'] !== 'function')) {
    throw new WorkerConfigError("Worker option 'logger' must be a pino-compatible logger.", { option: 'logger' });
  }
  const cwd = o['cwd'];
  if (cwd !== undefined && typeof cwd !== 'string') {
    throw new WorkerConfigError("Worker option 'cwd' must be a string.", { option: 'cwd' });
  }
  const importer = o['importer'];
  if (importer !== undefined && typeof importer !== 'function') {
    throw new WorkerConfigError("Worker option 'importer' must be a function.", { option: 'importer' });
  }

  const earlyAck = o['ackLongTasksAfterMs'];
  const ackLongTasksAfterMs =
    earlyAck === undefined
      ? DEFAULT_ACK_LONG_TASKS_AFTER_MS
      : earlyAck === null
        ? null
        : boundedInteger("Worker option 'ackLongTasksAfterMs' (or null)", earlyAck, MAX_TIMER_MS, configError('ackLongTasksAfterMs'));
  const maxDeliveries =
    o['maxDeliveries'] === undefined
      ? DEFAULT_MAX_DELIVERIES
      : boundedInteger("Worker option 'maxDeliveries'", o['maxDeliveries'], 1_000, configError('maxDeliveries'));
  return {
    exchange,
    topic,
    tasks,
    ackLongTasksAfterMs,
    maxDeliveries,
    transport,
    concurrency: concurrency ?? defaultConcurrency(),
    logger: logger as Logger | undefined,
    cwd: (cwd as string | undefined) ?? process.cwd(),
    importer: importer as ModuleImporter | undefined,
    heartbeatIntervalMs,
    signing: o['signingKey'] === undefined ? undefined : signingKeys(o['signingKey'] as SigningOptions),
  };
}
