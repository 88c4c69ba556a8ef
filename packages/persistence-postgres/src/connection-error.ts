import { BackendUnavailableError } from '@tf/persistence';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** True for an error that says the database could not be reached (not one a query raised). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    (CONNECTION_CODES.has(code) || code.startsWith('08') || code === '28P01' || code === '28000' || code === '3D000')
  ) {
    return true;
  }
  return /timeout exceeded when trying to connect|Connection terminated/i.test(error.message);
}

/** The typed error for an unreachable database, naming where without a password. */
export function unavailable(location: string, error: unknown, connectTimeoutMs: number): BackendUnavailableError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  return new BackendUnavailableError(
    `Cannot reach the PostgreSQL backend at ${location} (connect timeout ${connectTimeoutMs} ms): ${message}${typeof code === 'string' ? ` [${code}]` : ''}`,
    { cause: error },
  );
}
