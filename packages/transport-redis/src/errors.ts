/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** True for an error that means the connection to Redis is gone (closed, reset, refused). */
export function isConnectionError(err: unknown): boolean {
  return err instanceof Error && /Connection is closed|ECONNRESET|EPIPE|ECONNREFUSED|Stream isn't writeable/i.test(err.message);
}
