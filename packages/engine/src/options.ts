import {
  InvalidArgumentError,
  MAX_TIMER_MS,
  nonNegativeNumber,
  normaliseTransportSelection,
  plainObject,
  positiveInteger,
  positiveNumber,
  signingKeys,
  silentLogger,
  type Logger,
  type SigningKeys,
  type SigningOptions,
  type TaskExecutor,
  type TransportSelection,
} from '@tf/core';
import { isStorageBackend, type BackendInput } from '@tf/persistence';
import type { BookSelection } from './persistence-session';
import type { EngineKind, LoadOptions, LocalLoadOptions, WorkerBasedLoadOptions } from './load-options';
import { DEFAULT_HEARTBEAT_TIMEOUT_MS, DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_IN_FLIGHT } from './worker-based/executor';
import { DEFAULT_NO_WORKER_WARNING_MS } from './worker-based/no-worker-watch';

/**
 * The engine's reconnect policy when none is given: 0.5 s after the loss, then 1 s more each
 * attempt up to 5 s apart, 30 attempts (about two minutes); then `run()` fails with
 * `TF_ENGINE_CONNECTION_LOST`. (Workers keep trying for ever.)
 */
export const ENGINE_RETRY_OPTIONS = Object.freeze({
  intervalStartMs: 500,
  intervalStepMs: 1000,
  intervalMaxMs: 5000,
  maxRetries: 30,
  maxConnectRetries: 3,
});

/** Every option's camelCase name. */
type OptionKey = keyof LocalLoadOptions | keyof WorkerBasedLoadOptions;

/** The worker-based engine's settings after normalisation (the transport selection checked, retry options parsed). */
export interface WorkerBasedSettings extends TransportSelection {
  exchange: string;
  topics: string[];
  transitionTimeoutMs: number | null;
  workerExpiryMs: number;
  notifyIntervalMs: number;
  /** null: never warn. */
  noWorkerWarningMs: number | null;
  heartbeatTimeoutMs: number;
  maxAttempts: number;
  /** The most requests published and unfinished at once; null: no bound. */
  maxInFlight: number | null;
  /** null: no limit. */
  executionTimeoutMs: number | null;
  /** Absent: messages are neither signed nor checked. */
  signingKey?: SigningKeys;
}

/** Options after normalisation: every key camelCase, every duration in milliseconds. */
export interface NormalisedOptions {
  engine: EngineKind;
  store: Record<string, unknown>;
  maxWorkers: number;
  backend: BackendInput | undefined;
  book: BookSelection | undefined;
  executor: TaskExecutor | undefined;
  flowUuid: string | undefined;
  logger: Logger;
  /** Whether `maxWorkers` was given (the worker-based engine is unbounded otherwise). */
  maxWorkersGiven: boolean;
  workerBased: WorkerBasedSettings | undefined;
}

const ALIASES: Record<string, OptionKey> = {
  max_workers: 'maxWorkers',
  flow_uuid: 'flowUuid',
  flow_detail_id: 'flowDetailId',
  transport_options: 'transportOptions',
  retry_options: 'retryOptions',
  worker_expiry_ms: 'workerExpiryMs',
  transition_timeout_ms: 'transitionTimeoutMs',
  notify_interval_ms: 'notifyIntervalMs',
  no_worker_warning_ms: 'noWorkerWarningMs',
  heartbeat_timeout_ms: 'heartbeatTimeoutMs',
  max_attempts: 'maxAttempts',
  max_in_flight: 'maxInFlight',
  execution_timeout_ms: 'executionTimeoutMs',
  signing_key: 'signingKey',
};

/** The seed's keys whose values are seconds, as TaskFlow has them. */
const SECONDS: Record<string, OptionKey> = {
  transition_timeout: 'transitionTimeoutMs',
  worker_expiry: 'workerExpiryMs',
  heartbeat_timeout: 'heartbeatTimeoutMs',
  execution_timeout: 'executionTimeoutMs',
};

const WORKER_BASED_KEYS = [
  'exchange',
  'topics',
  'transport',
  'url',
  'transportOptions',
  'retryOptions',
  'transitionTimeoutMs',
  'workerExpiryMs',
  'notifyIntervalMs',
  'noWorkerWarningMs',
  'heartbeatTimeoutMs',
  'maxAttempts',
  'maxInFlight',
  'executionTimeoutMs',
  'signingKey',
] as const satisfies readonly OptionKey[];

const KNOWN = new Set<string>([
  'engine',
  'store',
  'maxWorkers',
  'backend',
  'book',
  'executor',
  'flowUuid',
  'flowDetailId',
  'logger',
  ...WORKER_BASED_KEYS,
]);

const ENGINES: Record<string, EngineKind> = {
  serial: 'serial',
  parallel: 'parallel',
  'worker-based': 'worker-based',
  worker_based: 'worker-based',
  workerBased: 'worker-based',
};

/** Normalises options once, at the boundary: snake_case to camelCase; unknown keys are an error. */
export function normaliseOptions(options: LoadOptions | Record<string, unknown> = {}): NormalisedOptions {
  const given: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    const seconds = SECONDS[key];
    const name = seconds ?? ALIASES[key] ?? key;
    if (!KNOWN.has(name)) {
      throw new InvalidArgumentError(`Unknown engine option '${key}' (known: ${[...KNOWN].sort().join(', ')})`);
    }
    if (value === undefined) continue;
    if (seconds && value !== null) {
      given[name] = nonNegativeNumber(`${key} (seconds, or null)`, value) * 1000;
    } else {
      given[name] = value;
    }
  }
  const engineName = (given.engine as string | undefined) ?? 'serial';
  const engine = ENGINES[engineName];
  if (!engine) {
    throw new InvalidArgumentError(`Unknown engine '${engineName}' (known: serial, parallel, worker-based)`);
  }
  const maxWorkers = positiveInteger('maxWorkers', given.maxWorkers ?? 8);
  const store = plainObject('store (symbol -> value)', given.store ?? {});
  let workerBased: WorkerBasedSettings | undefined;
  if (engine === 'worker-based') {
    if (given.executor !== undefined) {
      throw new InvalidArgumentError("Option 'executor' does not apply to engine 'worker-based': it sends every task to a worker");
    }
    workerBased = workerBasedSettings(given);
  } else {
    const stray = WORKER_BASED_KEYS.filter((key) => key in given);
    if (stray.length > 0) {
      throw new InvalidArgumentError(`Option(s) ${stray.join(', ')} only apply to engine 'worker-based' (this is '${engine}')`);
    }
  }
  return {
    engine,
    workerBased,
    maxWorkersGiven: given.maxWorkers !== undefined,
    store,
    maxWorkers,
    backend: backendOption(given.backend),
    book: bookOption(given.book, given.backend),
    executor: given.executor as TaskExecutor | undefined,
    flowUuid: flowUuidOption(given.flowUuid, given.flowDetailId),
    logger: (given.logger as Logger | undefined) ?? silentLogger,
  };
}

/** The value given under `key`, else `fallback`; a null given stays null (a duration may mean "never" by it). */
function valueOr(given: Record<string, unknown>, key: string, fallback: unknown): unknown {
  return key in given ? given[key] : fallback;
}

/** A duration a Node timer can wait: > 0 and at most 2^31 - 1 ms (longer ones fire at once). */
function timerMs(name: string, value: unknown): number {
  const ms = positiveNumber(name, value);
  if (ms > MAX_TIMER_MS) throw new InvalidArgumentError(`${name} must be at most ${MAX_TIMER_MS} (about 24.8 days), got ${ms}`);
  return ms;
}

function nullOr<T>(value: unknown, check: (value: unknown) => T): T | null {
  return value === null ? null : check(value);
}

/** A duration in milliseconds, or null for "never". */
function nullOrPositive(name: string, value: unknown): number | null {
  return value === null ? null : positiveNumber(`${name} (milliseconds, or null)`, value);
}

function workerBasedSettings(given: Record<string, unknown>): WorkerBasedSettings {
  const exchange = given.exchange;
  if (typeof exchange !== 'string' || exchange.length === 0) {
    throw new InvalidArgumentError("The worker-based engine needs 'exchange' (a non-empty string)");
  }
  const topics = given.topics;
  if (!Array.isArray(topics) || topics.length === 0 || !topics.every((t) => typeof t === 'string' && t.length > 0)) {
    throw new InvalidArgumentError("The worker-based engine needs 'topics' (a non-empty list of topic names)");
  }
  const selection = normaliseTransportSelection(given, { owner: 'Engine' });
  const ownsTransport = selection.owned && selection.selection.retryOptions === undefined;
  return {
    ...selection.selection,
    ...(ownsTransport ? { retryOptions: { ...ENGINE_RETRY_OPTIONS } } : {}),
    exchange,
    topics: [...(topics as string[])],
    transitionTimeoutMs: nullOrPositive('transitionTimeoutMs', valueOr(given, 'transitionTimeoutMs', 60_000)),
    workerExpiryMs: positiveNumber('workerExpiryMs (milliseconds)', valueOr(given, 'workerExpiryMs', 60_000)),
    notifyIntervalMs: positiveNumber('notifyIntervalMs (milliseconds)', valueOr(given, 'notifyIntervalMs', 5_000)),
    noWorkerWarningMs: nullOrPositive('noWorkerWarningMs', valueOr(given, 'noWorkerWarningMs', DEFAULT_NO_WORKER_WARNING_MS)),
    heartbeatTimeoutMs: timerMs('heartbeatTimeoutMs (milliseconds)', valueOr(given, 'heartbeatTimeoutMs', DEFAULT_HEARTBEAT_TIMEOUT_MS)),
    maxAttempts: positiveInteger('maxAttempts', valueOr(given, 'maxAttempts', DEFAULT_MAX_ATTEMPTS)),
    maxInFlight: nullOr(valueOr(given, 'maxInFlight', DEFAULT_MAX_IN_FLIGHT), (value) => positiveInteger('maxInFlight (or null)', value)),
    executionTimeoutMs: nullOr(valueOr(given, 'executionTimeoutMs', null), (value) =>
      timerMs('executionTimeoutMs (milliseconds, or null)', value),
    ),
    ...(given.signingKey === undefined ? {} : { signingKey: signingKeys(given.signingKey as SigningOptions) }),
  };
}

function backendOption(value: unknown): BackendInput | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && value.length > 0) return value;
  if (isStorageBackend(value)) return value;
  if (value !== null && typeof value === 'object' && typeof (value as { connection?: unknown }).connection === 'string') {
    return { ...(value as { connection: string }) };
  }
  throw new InvalidArgumentError(
    "Option 'backend' must be a connection URL, { connection, ...options } or a StorageBackend (saveFlow, saveAtom, loadFlow, loadAtoms)",
  );
}

function bookOption(value: unknown, backend: unknown): BookSelection | undefined {
  if (value === undefined) return undefined;
  if (backend === undefined) throw new InvalidArgumentError("Option 'book' needs a 'backend' to keep the logbook in");
  if (typeof value === 'string' && value.length > 0) return { name: value };
  const book = value as Partial<BookSelection> | null;
  if (book !== null && typeof book === 'object' && typeof book.name === 'string' && book.name.length > 0) {
    if (book.uuid !== undefined && typeof book.uuid !== 'string') throw new InvalidArgumentError("Option 'book.uuid' must be a string");
    const selection: BookSelection = { name: book.name };
    if (book.uuid !== undefined) selection.uuid = book.uuid;
    if (book.meta !== undefined) selection.meta = plainObject('book.meta', book.meta);
    return selection;
  }
  throw new InvalidArgumentError("Option 'book' must be a logbook name or { name, uuid?, meta? }");
}

/** `flowDetailId` and `flowUuid` name the same thing; given both, they must agree. */
function flowUuidOption(flowUuid: unknown, flowDetailId: unknown): string | undefined {
  for (const [name, value] of [
    ['flowUuid', flowUuid],
    ['flowDetailId', flowDetailId],
  ] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) {
      throw new InvalidArgumentError(`Option '${name}' must be a non-empty string`);
    }
  }
  if (flowUuid !== undefined && flowDetailId !== undefined && flowUuid !== flowDetailId) {
    throw new InvalidArgumentError(`Options 'flowUuid' and 'flowDetailId' name the same flow detail but differ: give one`);
  }
  return (flowDetailId ?? flowUuid) as string | undefined;
}
