import { JobboardUnavailableError } from '@tf/jobboard';

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
export function unavailable(location: string, error: unknown, connectTimeoutMs: number): JobboardUnavailableError {
  const message = error instanceof Error ? error.message : String(error);
  return new JobboardUnavailableError(
    `Cannot reach the PostgreSQL jobboard at ${location} (connect timeout ${connectTimeoutMs} ms): ${message}`,
    { cause: error },
  );
}

/** `user@host:port/db` from a connection URL: what logs and errors show (never the password). */
export function locationOf(url: URL, schema: string): string {
  const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
  const host = url.hostname || decodeURIComponent(url.searchParams.get('host') ?? '') || 'localhost';
  const port = url.port ? `:${url.port}` : '';
  const db = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
  return `${user}${host}${port}/${db} (schema ${schema})`;
}
