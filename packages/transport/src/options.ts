import { InvalidArgumentError } from './tf-error';
import { UnknownTransportOptionError } from './errors';
import type { TransportRetryOptions, TransportRetryOptionsInput } from './types';

/** `data_folder_in` (or `data-folder-in`) -> `dataFolderIn`; camelCase keys are left alone. */
export function camelCaseKey(key: string): string {
  return key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/**
 * The one place snake_case configuration becomes camelCase: a shallow copy of `options`
 * with every key camelCased (`data_folder_in` -> `dataFolderIn`) and `undefined` values
 * dropped. Nested values are left untouched. Two keys that become the same name with
 * different values (`data_folder_in` and `dataFolderIn`) are an `InvalidArgumentError`.
 */
export function normaliseOptionKeys(options: object | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (options === null || options === undefined) return out;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidArgumentError(`Options must be an object, got ${Array.isArray(options) ? 'an array' : typeof options}.`);
  }
  const origin: Record<string, string> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const name = camelCaseKey(key);
    if (name in out && out[name] !== value) {
      throw new InvalidArgumentError(`Options '${origin[name]}' and '${key}' both set '${name}' to different values.`);
    }
    out[name] = value;
    origin[name] = key;
  }
  return out;
}

/**
 * Normalise `options` (see `normaliseOptionKeys`) and check every key is in `allowed`
 * (camelCase names); an unknown one is an `UnknownTransportOptionError` naming it and the
 * allowed ones.
 */
export function checkTransportOptions<O extends object = Record<string, unknown>>(
  transport: string,
  options: object | null | undefined,
  allowed: readonly string[],
): Partial<O> {
  const normalised = normaliseOptionKeys(options);
  for (const key of Object.keys(normalised)) {
    if (!allowed.includes(key)) throw new UnknownTransportOptionError(transport, key, allowed);
  }
  return normalised as Partial<O>;
}

/** TaskFlow's proxy defaults: retry 3 times, 1 s apart. */
export const DEFAULT_RETRY_OPTIONS: TransportRetryOptions = Object.freeze({
  intervalStartMs: 1000,
  intervalStepMs: 1000,
  intervalMaxMs: 1000,
  maxRetries: 3,
});

const RETRY_KEYS: Record<string, { to: keyof TransportRetryOptions; scale: number }> = {
  intervalStartMs: { to: 'intervalStartMs', scale: 1 },
  intervalStepMs: { to: 'intervalStepMs', scale: 1 },
  intervalMaxMs: { to: 'intervalMaxMs', scale: 1 },
  maxRetries: { to: 'maxRetries', scale: 1 },
  maxConnectRetries: { to: 'maxConnectRetries', scale: 1 },
  intervalStart: { to: 'intervalStartMs', scale: 1000 },
  intervalStep: { to: 'intervalStepMs', scale: 1000 },
  intervalMax: { to: 'intervalMaxMs', scale: 1000 },
};
const RETRY_INPUT_NAMES = [
  'intervalStartMs',
  'intervalStepMs',
  'intervalMaxMs',
  'maxRetries',
  'interval_start',
  'interval_step',
  'interval_max',
  'max_retries',
  'maxConnectRetries',
  'max_connect_retries',
  'intervalStart',
  'intervalStep',
  'intervalMax',
];

/**
 * Turn retry options as written (milliseconds under `*Ms` names; kombu's seconds under
 * `interval_start`/`intervalStart`...) into `TransportRetryOptions`, over TaskFlow's
 * defaults. `maxRetries: null` (or `Infinity`) retries forever. Unknown keys and bad
 * values are errors.
 */
export function parseRetryOptions(
  input?: TransportRetryOptionsInput | Readonly<Record<string, unknown>> | null,
  transport = 'transport',
): TransportRetryOptions {
  const out: { -readonly [K in keyof TransportRetryOptions]: TransportRetryOptions[K] } = { ...DEFAULT_RETRY_OPTIONS };
  const seen = new Map<string, string>();
  for (const [key, value] of Object.entries(normaliseOptionKeys(input))) {
    const spec = RETRY_KEYS[key];
    if (!spec) throw new UnknownTransportOptionError(transport, key, RETRY_INPUT_NAMES, 'retry option');
    const previous = seen.get(spec.to);
    if (previous) throw new InvalidArgumentError(`Retry options '${previous}' and '${key}' both set ${spec.to}.`);
    seen.set(spec.to, key);
    if (spec.to === 'maxRetries' || spec.to === 'maxConnectRetries') {
      if (value === null || value === Number.POSITIVE_INFINITY) {
        out[spec.to] = null;
        continue;
      }
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new InvalidArgumentError(`Retry option '${key}' must be a whole number >= 0 or null, got ${String(value)}.`);
      }
      out[spec.to] = value;
      continue;
    }
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new InvalidArgumentError(`Retry option '${key}' must be a number >= 0, got ${String(value)}.`);
    }
    out[spec.to] = value * spec.scale;
  }
  return Object.freeze(out);
}

/**
 * How long to wait before reconnect attempt `attempt` (1 for the first), or `undefined`
 * when the retries are used up: `min(start + (attempt - 1) * step, max)`.
 */
export function retryDelayMs(attempt: number, options: TransportRetryOptions): number | undefined {
  if (options.maxRetries !== null && attempt > options.maxRetries) return undefined;
  return Math.min(options.intervalStartMs + (attempt - 1) * options.intervalStepMs, options.intervalMaxMs);
}

const NAME = /^[A-Za-z0-9_.-]{1,200}$/;

/** True when `name` is a valid exchange or topic name (1-200 of `A-Z a-z 0-9 _ . -`, not `.` or `..`). */
export function isDestinationName(name: unknown): name is string {
  return typeof name === 'string' && NAME.test(name) && name !== '.' && name !== '..';
}

/** Throw an `InvalidArgumentError` unless `name` is a valid exchange or topic name (1-200 of `A-Z a-z 0-9 _ . -`). */
export function assertDestinationName(kind: 'exchange' | 'topic', name: unknown): asserts name is string {
  if (!isDestinationName(name)) {
    throw new InvalidArgumentError(`Invalid ${kind} name ${JSON.stringify(name)}: use 1 to 200 of A-Z a-z 0-9 _ . - (not '.' or '..').`);
  }
}
