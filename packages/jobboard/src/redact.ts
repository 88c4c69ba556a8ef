/** A connection URL without its password, for logs and errors. */
export function redactUrl(connection: string): string {
  try {
    const url = new URL(connection);
    if (url.password) url.password = '***';
    for (const key of [...url.searchParams.keys()]) if (/pass|secret|token/i.test(key)) url.searchParams.set(key, '***');
    return url.toString();
  } catch {
    return connection.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
  }
}
