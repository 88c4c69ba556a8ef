import type { Logger, SigningOptions, StorageBackend, TaskExecutor, TransportSelectionInput } from '@tf/core';
import type { BackendConnection } from '@tf/persistence';
import type { BookSelection } from './persistence-session';

/** The engines `load` knows, by their canonical names. */
export type EngineKind = 'serial' | 'parallel' | 'worker-based';

/** The names `engine` accepts: the canonical ones, and the seed's `'worker_based'`. */
export type EngineName = EngineKind | 'worker_based';

/** Options every engine takes. */
export interface CommonLoadOptions {
  /** Values the flow's atoms can read. */
  store?: Record<string, unknown>;
  /** Most tasks in progress at once (parallel: default 8; worker-based: unlimited; serial: always 1). */
  maxWorkers?: number;
  /**
   * Where storage writes through to (in memory by default): a connection URL (`memory://`,
   * `dir:///abs/path`, `sqlite:///abs/path.db`, `postgresql://user@host/db`...), `{ connection,
   * ...options }`, or a backend object (the caller's to close). With a backend, the flow detail
   * `flowDetailId` names is resumed when the backend holds it. See docs/resuming.md.
   */
  backend?: string | BackendConnection | StorageBackend;
  /** The logbook a new flow detail is filed in (found by name, or by uuid; created when absent). */
  book?: string | BookSelection;
  /** The flow detail's id (= `flowUuid`): with a backend that holds it, the run resumes it. */
  flowDetailId?: string;
  /** The flow run's uuid (random by default); the worker-based engine's reply topic. */
  flowUuid?: string;
  /** A pino-compatible logger; silent by default. */
  logger?: Logger;
  /** = `maxWorkers` (the seed's spelling). */
  max_workers?: number;
}

/** The options only the worker-based engine takes (camelCase, and the seed's spellings). */
export interface WorkerBasedOnlyOptions extends TransportSelectionInput {
  /** The exchange engine and workers share. */
  exchange: string;
  /** The topics workers listen on; the engine asks each which tasks it runs. */
  topics: readonly string[];
  // The transport: `transport`, `url`, `transportOptions`, `retryOptions`, from TransportSelectionInput.
  /** A request no worker took (WAITING) or started (PENDING) after this long fails with RequestTimeoutError (default 60 000; null: never). */
  transitionTimeoutMs?: number | null;
  /** A worker not heard from for this long is forgotten (default 60 000). */
  workerExpiryMs?: number;
  /** How often the engine asks the topics for workers (default 5 000). */
  notifyIntervalMs?: number;
  /**
   * A task waiting this long for a worker that serves it is reported: a warn log line and a
   * `no_capable_worker` event on `engine.workerNotifier` (default 5 000, and at the latest at
   * `transitionTimeoutMs`; null: never).
   */
  noWorkerWarningMs?: number | null;
  /**
   * A request held by a worker that sends heartbeats (a tf worker), not heard of for this
   * long (and at least three of its heartbeat intervals), is sent again to another worker
   * (default 5 000). Python TaskFlow workers send none: their requests are sent again when
   * the worker expires (`workerExpiryMs`).
   */
  heartbeatTimeoutMs?: number;
  /** How many times a request is sent in all when its worker is lost, before it fails with `TF_WORKER_LOST` (default 3). */
  maxAttempts?: number;
  /**
   * Flow control: the most requests published and not yet finished at once (default 1 000;
   * null: no bound). Ready tasks beyond it wait in the engine (WAITING) and are published as
   * others finish; the transition timeout of a request counts from its publication, not from
   * the time it was held back. See docs/design.md, "Flow control".
   */
  maxInFlight?: number | null;
  /**
   * The longest one run of a task may take on its worker (ms): then its `context.signal`
   * aborts and it fails with `TF_EXECUTION_TIMEOUT`. A Task class's `executionTimeoutMs` wins.
   * Default null: no limit.
   */
  executionTimeoutMs?: number | null;
  /**
   * A shared key: every message the engine sends is signed (HMAC-SHA256), and a response,
   * NOTIFY answer or heartbeat not correctly signed (with a listed key, recently) is dropped
   * (`engine.signingStats` counts them). One secret (32 bytes or more, or `'base64:...'`), or
   * `{ keys: { id: secret }, current: id }` to rotate keys. Every worker on the exchange must
   * sign with a listed key; Python TaskFlow workers cannot. A bad key is a `SigningConfigError`
   * (`TF_SIGNING_CONFIG`). See docs/protocol.md, "Signing".
   */
  signingKey?: SigningOptions;
  /** = `heartbeatTimeoutMs`, in seconds. */
  heartbeat_timeout?: number;
  /** = `executionTimeoutMs`, in seconds. */
  execution_timeout?: number | null;
  /** = `transitionTimeoutMs`, in SECONDS as in TaskFlow; null waits forever. */
  transition_timeout?: number | null;
  /** = `workerExpiryMs`, in SECONDS as in TaskFlow. */
  worker_expiry?: number;
  /** = `maxInFlight`. */
  max_in_flight?: number | null;
}

/** Options of the serial and parallel engines: tasks run in this process. */
export interface LocalLoadOptions extends CommonLoadOptions, Partial<Record<keyof WorkerBasedOnlyOptions, never>> {
  /** `'serial'` (the default) or `'parallel'`. */
  engine?: 'serial' | 'parallel';
  /** Runs the tasks instead of the engine's own in-process executor. */
  executor?: TaskExecutor;
}

/**
 * Options of the worker-based engine: tasks run on workers reached through a transport.
 * `load(flow, options)` with these returns a `WorkerBasedEngine` (with `waitForWorkers`).
 */
export interface WorkerBasedLoadOptions extends CommonLoadOptions, WorkerBasedOnlyOptions {
  engine: 'worker-based' | 'worker_based';
  /** Not for this engine: its executor sends every task to a worker. */
  executor?: never;
}

/**
 * Options of `load` and `run`, one engine's or the other's: `engine` tells which. camelCase;
 * the seed's snake_case keys are accepted too (`max_workers`, `transport_options`,
 * `transition_timeout` in seconds...).
 */
export type LoadOptions = LocalLoadOptions | WorkerBasedLoadOptions;
