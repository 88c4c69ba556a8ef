import { InvalidArgumentError, type Logger, silentLogger } from '@tf/core';
import { DEFAULT_BOARD, DEFAULT_CLAIM_TTL_MS, DEFAULT_MAX_DETAILS_BYTES, DEFAULT_OUTCOME_TTL_MS, positiveIntegerOption } from './limits';

/** The options every board takes, checked, with their defaults. */
export interface ResolvedJobboardOptions {
  board: string;
  claimTtlMs: number;
  outcomeTtlMs: number;
  maxDetailsBytes: number;
  logger: Logger;
}

export const COMMON_OPTION_KEYS: readonly string[] = ['board', 'claimTtlMs', 'outcomeTtlMs', 'maxDetailsBytes', 'logger'];

const BOARD_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** True for a usable board name: letters, digits, '.', '_' and '-', at most 128, starting with a letter or digit. */
export const isBoardName = (name: string): boolean => BOARD_NAME.test(name);

/**
 * Checks the common options plus a board's own (`extraKeys`); an unknown option is an error.
 * The board comes from the `board` option, else the URL's `?board=`, else `tf`.
 */
export function resolveJobboardOptions(
  options: Readonly<Record<string, unknown>>,
  url?: URL,
  extraKeys: readonly string[] = [],
): ResolvedJobboardOptions {
  const allowed = [...COMMON_OPTION_KEYS, ...extraKeys];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new InvalidArgumentError(`Unknown jobboard option '${key}'. Allowed: ${allowed.join(', ')}.`);
  }
  const board = options['board'] ?? url?.searchParams.get('board') ?? DEFAULT_BOARD;
  if (typeof board !== 'string' || !isBoardName(board)) {
    throw new InvalidArgumentError(
      `Jobboard option 'board' must be letters, digits, '.', '_' or '-' (at most 128), got ${JSON.stringify(board)}.`,
    );
  }
  const claimTtlMs = positiveIntegerOption(options, 'claimTtlMs', DEFAULT_CLAIM_TTL_MS);
  if (claimTtlMs < 30) throw new InvalidArgumentError(`Jobboard option 'claimTtlMs' must be at least 30, got ${claimTtlMs}.`);
  const logger = (options['logger'] as Logger | undefined) ?? silentLogger;
  return {
    board,
    claimTtlMs,
    outcomeTtlMs: positiveIntegerOption(options, 'outcomeTtlMs', DEFAULT_OUTCOME_TTL_MS),
    maxDetailsBytes: positiveIntegerOption(options, 'maxDetailsBytes', DEFAULT_MAX_DETAILS_BYTES),
    logger,
  };
}
