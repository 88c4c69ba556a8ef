/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `level` as a log level; anything else is `fail`'s error. */
export function logLevel(level: unknown, fail: (message: string) => Error): LogLevel {
  if (typeof level !== 'string' || !(LOG_LEVELS as readonly string[]).includes(level)) {
    throw fail(`log level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(level)}.`);
  }
  return level as LogLevel;
}
