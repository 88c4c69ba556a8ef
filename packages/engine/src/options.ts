import {
  InvalidArgumentError,
  nonNegativeNumber,
  normaliseTransportSelection,
  plainObject,
  positiveInteger,
  positiveNumber,
  silentLogger,
  type Logger,
  type StorageBackend,
  type TaskExecutor,
  type TransportSelection,
  type TransportSelectionInput,
} from '@tf/core';

/** The engines `load` knows. */
export type EngineKind = 'serial' | 'parallel' | 'worker-based';

/**
 * Options of `load` and `run`. camelCase; the seed's snake_case keys are accepted too
 * (`max_workers`, `transport_options`, `transition_timeout` in seconds...).
 */
export interface LoadOptions extends TransportSelectionInput {
  /** `'serial'` (default), `'parallel'` or `'worker-based'`. */
  engine?: EngineKind | (string & {});
  /** Values the flow's atoms can read. */
  store?: Record<string, unknown>;
  /** Parallel engine: most tasks running at once (default 8). */
  maxWorkers?: number;
  /** Where storage writes through to (in memory by default). */
  backend?: StorageBackend;
  /** Runs the tasks (overrides the engine's own executor). */
  executor?: TaskExecutor;
  /** The flow run's uuid. */
  flowUuid?: string;
  /** A pino-compatible logger; silent by default. */
  logger?: Logger;

  // --- worker-based engine -------------------------------------------------------------
  /** The exchange engine and workers share. */
  exchange?: string;
  /** The topics workers listen on; the engine asks each which tasks it runs. */
  topics?: readonly string[];
  // The transport: `transport`, `url`, `transportOptions`, `retryOptions`, from TransportSelectionInput.
  /** A request no worker started after this long fails with RequestTimeoutError (default 60 000; null: never). */
  transitionTimeoutMs?: number | null;
  /** A worker not heard from for this long is forgotten (default 60 000). */
  workerExpiryMs?: number;
  /** How often the engine asks the topics for workers (default 5 000). */
  notifyIntervalMs?: number;

  // --- the seed's (TaskFlow's) spellings, accepted as written ----------------------------
  /** = `maxWorkers`. */
  max_workers?: number;
  /** = `transitionTimeoutMs`, in SECONDS as in TaskFlow; null waits forever. */
  transition_timeout?: number | null;
  /** = `workerExpiryMs`, in SECONDS as in TaskFlow. */
  worker_expiry?: number;
}

/** The worker-based engine's settings after normalisation (the transport selection checked, retry options parsed). */
export interface WorkerBasedSettings extends TransportSelection {
  exchange: string;
  topics: string[];
  transitionTimeoutMs: number | null;
  workerExpiryMs: number;
  notifyIntervalMs: number;
}

/** Options after normalisation: every key camelCase, every duration in milliseconds. */
export interface NormalisedOptions {
  engine: EngineKind;
  store: Record<string, unknown>;
  maxWorkers: number;
  backend: StorageBackend | undefined;
  executor: TaskExecutor | undefined;
  flowUuid: string | undefined;
  logger: Logger;
  /** Whether `maxWorkers` was given (the worker-based engine is unbounded otherwise). */
  maxWorkersGiven: boolean;
  workerBased: WorkerBasedSettings | undefined;
}

const ALIASES: Record<string, keyof LoadOptions> = {
  max_workers: 'maxWorkers',
  flow_uuid: 'flowUuid',
  transport_options: 'transportOptions',
  retry_options: 'retryOptions',
  worker_expiry_ms: 'workerExpiryMs',
  transition_timeout_ms: 'transitionTimeoutMs',
  notify_interval_ms: 'notifyIntervalMs',
};

/** The seed's keys whose values are seconds, as TaskFlow has them. */
const SECONDS: Record<string, keyof LoadOptions> = {
  transition_timeout: 'transitionTimeoutMs',
  worker_expiry: 'workerExpiryMs',
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
] as const;

const KNOWN = new Set<string>(['engine', 'store', 'maxWorkers', 'backend', 'executor', 'flowUuid', 'logger', ...WORKER_BASED_KEYS]);

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
    backend: given.backend as StorageBackend | undefined,
    executor: given.executor as TaskExecutor | undefined,
    flowUuid: given.flowUuid as string | undefined,
    logger: (given.logger as Logger | undefined) ?? silentLogger,
  };
}

/** The value given under `key`, else `fallback`; a null given stays null (a duration may mean "never" by it). */
function valueOr(given: Record<string, unknown>, key: string, fallback: unknown): unknown {
  return key in given ? given[key] : fallback;
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
  const transitionTimeoutMs = valueOr(given, 'transitionTimeoutMs', 60_000);
  return {
    ...normaliseTransportSelection(given, { owner: 'Engine' }).selection,
    exchange,
    topics: [...(topics as string[])],
    transitionTimeoutMs:
      transitionTimeoutMs === null ? null : positiveNumber('transitionTimeoutMs (milliseconds, or null)', transitionTimeoutMs),
    workerExpiryMs: positiveNumber('workerExpiryMs (milliseconds)', valueOr(given, 'workerExpiryMs', 60_000)),
    notifyIntervalMs: positiveNumber('notifyIntervalMs (milliseconds)', valueOr(given, 'notifyIntervalMs', 5_000)),
  };
}
