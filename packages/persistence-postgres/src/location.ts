/** `user@host:port/db` from a connection URL: what logs and `details()` show (never the password). */
export function locationOf(url: URL, schema: string): string {
  const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
  const host = url.hostname || decodeURIComponent(url.searchParams.get('host') ?? '') || 'localhost';
  const port = url.port ? `:${url.port}` : '';
  const db = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
  return `${user}${host}${port}/${db} (schema ${schema})`;
}
