import { InvalidArgumentError } from '@tf/core';

/** The largest JSON text of one record (an atom detail, a flow detail, a logbook) a backend writes, by default. */
export const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024;

/** The largest file the dir backend reads back, by default (one flow detail with all its atoms). */
export const DEFAULT_MAX_FILE_BYTES = 512 * 1024 * 1024;

/** Reads a positive integer option, or the default. */
export function positiveInteger(options: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`Backend option '${key}' must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return value;
}
