import { InvalidArgumentError, silentLogger, type Logger, type StorageBackend, type TaskExecutor } from '@tf/core';

/** The engines `load` knows. */
export type EngineKind = 'serial' | 'parallel' | 'worker-based';

/**
 * Options of `load` and `run`. camelCase; the seed's snake_case keys are accepted too
 * (`max_workers`, `transport_options`, `transition_timeout` in seconds...).
 */
export interface LoadOptions {
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
}

const ALIASES: Record<string, keyof LoadOptions> = {
  max_workers: 'maxWorkers',
  flow_uuid: 'flowUuid',
};

const KNOWN = new Set<string>(['engine', 'store', 'maxWorkers', 'backend', 'executor', 'flowUuid', 'logger']);

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
    const name = ALIASES[key] ?? key;
    if (!KNOWN.has(name)) {
      throw new InvalidArgumentError(`Unknown engine option '${key}' (known: ${[...KNOWN].sort().join(', ')})`);
    }
    if (value !== undefined) given[name] = value;
  }
  const engineName = (given.engine as string | undefined) ?? 'serial';
  const engine = ENGINES[engineName];
  if (!engine) {
    throw new InvalidArgumentError(`Unknown engine '${engineName}' (known: serial, parallel, worker-based)`);
  }
  const maxWorkers = given.maxWorkers ?? 8;
  if (typeof maxWorkers !== 'number' || !Number.isInteger(maxWorkers) || maxWorkers < 1) {
    throw new InvalidArgumentError(`maxWorkers must be a positive integer, got ${JSON.stringify(maxWorkers)}`);
  }
  const store = given.store ?? {};
  if (typeof store !== 'object' || store === null || Array.isArray(store)) {
    throw new InvalidArgumentError('store must be a plain object of symbol -> value');
  }
  return {
    engine,
    store: store as Record<string, unknown>,
    maxWorkers,
    backend: given.backend as StorageBackend | undefined,
    executor: given.executor as TaskExecutor | undefined,
    flowUuid: given.flowUuid as string | undefined,
    logger: (given.logger as Logger | undefined) ?? silentLogger,
  };
}
