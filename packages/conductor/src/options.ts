import { availableParallelism, hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import {
  type Flow,
  type Logger,
  MAX_TIMER_MS,
  normaliseOptionKeys,
  plainObject,
  positiveInteger,
  positiveNumber,
  silentLogger,
  type Task,
  type TransportSelectionInput,
} from '@tf/core';
import { normaliseOptions } from '@tf/engine';
import { isJobboard, type Job, type JobboardInput } from '@tf/jobboard';
import type { BackendInput } from '@tf/persistence';
import { ConductorConfigError } from './errors';

/**
 * Builds the flow a job names, from the job's JSON arguments. The allow-list of a conductor
 * is its `flows` record: a job naming anything else is refused (see docs/conductors.md).
 */
export type FlowFactory = (args: Record<string, unknown>, job: Job) => Flow | Task | Promise<Flow | Task>;

/** The flow factories a conductor serves, by the name jobs give in `details.flow`. */
export type FlowFactories = Readonly<Record<string, FlowFactory>>;

/** A board: an object (the caller's to close), a URL, or `{ connection, ...options }` (the conductor's). */
export type BoardInput = JobboardInput;

/** The engines a conductor runs flows on. */
export type ConductorEngine = 'serial' | 'parallel' | 'worker-based';

export interface ConductorOptions extends TransportSelectionInput {
  /** The jobboard to claim jobs from. */
  board: BoardInput;
  /** Where flow details are kept (required: a job resumed elsewhere needs them): a URL, `{ connection, ...options }` or a backend object. */
  backend: BackendInput;
  /** The allow-list: flow factories by name. */
  flows: FlowFactories;
  /** `'worker-based'` (the default when `exchange` is given), `'serial'` (else) or `'parallel'`. */
  engine?: ConductorEngine | 'worker_based';
  /** Worker-based: the exchange engine and workers share. */
  exchange?: string;
  /** Worker-based: the topics workers listen on. */
  topics?: readonly string[];
  /** Any other option of `load()` for every flow (`transitionTimeoutMs`, `maxWorkers`, `signingKey`...). */
  engineOptions?: Record<string, unknown>;
  /** Most flows run at once; default min(4, available CPUs). */
  maxFlows?: number;
  /** The owner id this conductor claims jobs as; default `<hostname>:<pid>:<random>`. */
  name?: string;
  /** The logbook a job without `details.book` is filed in; default the board's name. */
  book?: string;
  /** A full look at the board this often, besides its events (ms); default 10 000. */
  rescanIntervalMs?: number;
  /** How long `stop()` may take by default (ms); default 10 000. */
  stopTimeoutMs?: number;
  /** pino-compatible; silent by default. */
  logger?: Logger;
}

/** Every key `ConductorOptions` knows (camelCase; snake_case spellings are accepted too). */
export const CONDUCTOR_OPTION_NAMES = [
  'board',
  'backend',
  'flows',
  'engine',
  'exchange',
  'topics',
  'transport',
  'url',
  'transportOptions',
  'retryOptions',
  'engineOptions',
  'maxFlows',
  'name',
  'book',
  'rescanIntervalMs',
  'stopTimeoutMs',
  'logger',
] as const;

/** Options checked once, at the boundary. */
export interface NormalisedConductorOptions {
  board: BoardInput;
  backend: BackendInput;
  flows: FlowFactories;
  engine: ConductorEngine;
  /** What every job's `load()` gets besides its backend, book, flow detail id, store and logger. */
  loadOptions: Record<string, unknown>;
  maxFlows: number;
  name: string;
  book: string | undefined;
  rescanIntervalMs: number;
  stopTimeoutMs: number;
  logger: Logger;
}

/** The default `maxFlows`: min(4, available CPUs), at least 1. */
export function defaultMaxFlows(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/** The default owner id: unique per process and per conductor. */
export function defaultConductorName(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

const fail = (option: string) => (message: string) => new ConductorConfigError(message, { option });

/** A name (owner id, logbook) anyone reading the board can print: 1-200 printable characters. */
function printableName(option: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e][\x20-\x7e]{0,199}$/.test(value)) {
    throw new ConductorConfigError(`Conductor option '${option}' must be 1-200 printable ASCII characters, got ${JSON.stringify(value)}.`, {
      option,
    });
  }
  return value;
}

function timerMs(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const ms = positiveNumber(`Conductor option '${option}' (milliseconds)`, value, fail(option));
  if (ms > MAX_TIMER_MS) throw new ConductorConfigError(`Conductor option '${option}' must be at most ${MAX_TIMER_MS}.`, { option });
  return ms;
}

function flowFactories(value: unknown): FlowFactories {
  const flows = plainObject("Conductor option 'flows' (flow factories by name)", value, fail('flows'));
  const names = Object.keys(flows);
  if (names.length === 0)
    throw new ConductorConfigError("Conductor option 'flows' names no flow factory: it would run nothing.", { option: 'flows' });
  for (const name of names) {
    if (typeof flows[name] !== 'function') {
      throw new ConductorConfigError(`Conductor option 'flows': '${name}' is not a function (a flow factory: (args, job) => Flow).`, {
        option: 'flows',
      });
    }
  }
  // A copy without a prototype: a job's flow name is looked up in it, never in Object.prototype.
  return Object.freeze(Object.assign(Object.create(null) as Record<string, FlowFactory>, flows));
}

function boardInput(value: unknown): BoardInput {
  if (typeof value === 'string' && value !== '') return value;
  if (isJobboard(value)) return value;
  if (value !== null && typeof value === 'object' && typeof (value as Record<string, unknown>)['connection'] === 'string') {
    return value as BoardInput;
  }
  throw new ConductorConfigError("Conductor option 'board' must be a jobboard URL, { connection, ...options } or a Jobboard object.", {
    option: 'board',
  });
}

const ENGINES: Record<string, ConductorEngine> = {
  serial: 'serial',
  parallel: 'parallel',
  'worker-based': 'worker-based',
  worker_based: 'worker-based',
};

/** The load() options the conductor itself sets for every job: not allowed in `engineOptions`. */
const PER_JOB = ['backend', 'book', 'flowDetailId', 'flow_detail_id', 'flowUuid', 'flow_uuid', 'store', 'logger', 'engine'];

/** Checks options once: unknown keys, missing board/backend/flows, bad values throw ConductorConfigError. */
export function normaliseConductorOptions(input: ConductorOptions): NormalisedConductorOptions {
  const o = normaliseOptionKeys(plainObject('Conductor options', input, fail('options')));
  for (const key of Object.keys(o)) {
    if (!(CONDUCTOR_OPTION_NAMES as readonly string[]).includes(key)) {
      throw new ConductorConfigError(`Unknown conductor option '${key}'. Allowed: ${CONDUCTOR_OPTION_NAMES.join(', ')}.`, { option: key });
    }
  }
  if (o['backend'] === undefined) {
    throw new ConductorConfigError(
      "Conductor option 'backend' is required: a job's flow detail must outlive the conductor that runs it (e.g. 'sqlite:///var/lib/tf/flows.db').",
      { option: 'backend' },
    );
  }
  if (o['board'] === undefined)
    throw new ConductorConfigError("Conductor option 'board' is required (a jobboard URL or object).", { option: 'board' });
  const engineName = o['engine'] ?? (o['exchange'] !== undefined || o['topics'] !== undefined ? 'worker-based' : 'serial');
  const engine = typeof engineName === 'string' ? ENGINES[engineName] : undefined;
  if (engine === undefined) {
    throw new ConductorConfigError(
      `Conductor option 'engine' must be serial, parallel or worker-based, got ${JSON.stringify(engineName)}.`,
      {
        option: 'engine',
      },
    );
  }
  const extra =
    o['engineOptions'] === undefined ? {} : plainObject("Conductor option 'engineOptions'", o['engineOptions'], fail('engineOptions'));
  for (const key of Object.keys(extra)) {
    if (PER_JOB.includes(key)) {
      throw new ConductorConfigError(`Conductor option 'engineOptions' cannot set '${key}': the conductor sets it for each job.`, {
        option: 'engineOptions',
      });
    }
  }
  const loadOptions: Record<string, unknown> = { ...extra, engine };
  for (const key of ['exchange', 'topics', 'transport', 'url', 'transportOptions', 'retryOptions'] as const) {
    if (o[key] !== undefined) loadOptions[key] = o[key];
  }
  // The engine's own checks, once, now: a bad option fails the constructor, not every job.
  try {
    normaliseOptions({ ...loadOptions, backend: 'memory://', flowDetailId: 'check' });
  } catch (error) {
    throw new ConductorConfigError(`Conductor engine options: ${(error as Error).message}`, { option: 'engineOptions', cause: error });
  }
  return {
    board: boardInput(o['board']),
    backend: o['backend'] as BackendInput,
    flows: flowFactories(o['flows']),
    engine,
    loadOptions,
    maxFlows:
      o['maxFlows'] === undefined ? defaultMaxFlows() : positiveInteger("Conductor option 'maxFlows'", o['maxFlows'], fail('maxFlows')),
    name: o['name'] === undefined ? defaultConductorName() : printableName('name', o['name']),
    book: o['book'] === undefined ? undefined : printableName('book', o['book']),
    rescanIntervalMs: timerMs('rescanIntervalMs', o['rescanIntervalMs'], 10_000),
    stopTimeoutMs: timerMs('stopTimeoutMs', o['stopTimeoutMs'], 10_000),
    logger: (o['logger'] as Logger | undefined) ?? silentLogger,
  };
}
