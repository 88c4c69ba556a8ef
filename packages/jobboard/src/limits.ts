import { InvalidArgumentError } from '@tf/core';

/** The largest encoded details of a job, by default (option `maxDetailsBytes`). */
export const DEFAULT_MAX_DETAILS_BYTES = 1024 * 1024;
/** Claim lease, by default (option `claimTtlMs`); renewed every third of it. */
export const DEFAULT_CLAIM_TTL_MS = 30_000;
/** How long an outcome is kept, by default (option `outcomeTtlMs`). */
export const DEFAULT_OUTCOME_TTL_MS = 24 * 60 * 60 * 1000;
/** The board's name, by default (option `board`). */
export const DEFAULT_BOARD = 'tf';
/** Names, owners, flow names, books and uuids: at most this many characters. */
export const MAX_NAME_CHARS = 256;
/** A note's or a trash reason's text: at most this many characters. */
export const MAX_REASON_CHARS = 2048;
/** Notes kept on a job (the last ones). */
export const MAX_NOTES = 10;
/** What a stored record may take beyond its details before it is refused as corrupt on read. */
export const RECORD_OVERHEAD_BYTES = 64 * 1024;

/** Reads a positive integer option, or the default. */
export function positiveIntegerOption(options: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new InvalidArgumentError(`Jobboard option '${key}' must be a positive integer, got ${JSON.stringify(value)}.`);
  }
  return value;
}
