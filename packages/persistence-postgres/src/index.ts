import { PostgresBackend } from './postgres-backend';

export { PostgresBackend, type PostgresBackendOptions } from './postgres-backend';
export { POSTGRES_MIGRATIONS, POSTGRES_TABLES, type PostgresMigration } from './migrations';
export { openPostgresSchema } from './open-schema';

/** `postgresql://` and `postgres://` URLs, as `resolveBackend` calls it. */
export function createBackend(url: URL, options: Readonly<Record<string, unknown>> = {}): Promise<PostgresBackend> {
  return PostgresBackend.open(url, options);
}

export default createBackend;
