import { pathOfUrl } from '@tf/persistence';
import { SqliteBackend } from './sqlite-backend';

export { SqliteBackend, type SqliteBackendOptions } from './sqlite-backend';
export { SQLITE_MIGRATIONS, SQLITE_TABLES, type SqliteMigration } from './migrations';
export { openSqliteSchema } from './open-schema';

/** `sqlite:///abs/path.db`, as `resolveBackend` calls it. */
export function createBackend(url: URL, options: Readonly<Record<string, unknown>> = {}): SqliteBackend {
  return new SqliteBackend(pathOfUrl(url), options);
}

export default createBackend;
