import type { Database } from 'better-sqlite3';
import { BackendSchemaError } from '@tf/persistence';
import { SCHEMA_VERSION_TABLE, SQLITE_MIGRATIONS, SQLITE_TABLES, type SqliteMigration } from './migrations';

/**
 * Creates the schema in an empty database or migrates one of ours, in one IMMEDIATE
 * transaction (so two engines opening one file migrate it once). A database with tables that
 * are not ours, or ours without a schema_version, or a newer version, is a
 * `BackendSchemaError`, and nothing is changed.
 */
export function openSqliteSchema(db: Database, location: string, migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS): number {
  const latest = migrations.length;
  const run = db.transaction(() => {
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]
    ).map((t) => t.name);
    const foreign = tables.filter((t) => !SQLITE_TABLES.includes(t));
    if (foreign.length > 0) {
      throw new BackendSchemaError(
        location,
        `not a tf persistence database: it has tables ${foreign.slice(0, 5).join(', ')}. Refusing to use it.`,
      );
    }
    let version = 0;
    if (tables.length > 0) {
      if (!tables.includes('schema_version')) {
        throw new BackendSchemaError(location, 'has tf tables but no schema_version table: refusing to guess its version.');
      }
      version = (db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null }).v ?? 0;
      if (version > latest) {
        throw new BackendSchemaError(
          location,
          `schema version ${version} is newer than this @tf/persistence-sqlite knows (${latest}); upgrade it.`,
        );
      }
    } else {
      db.exec(SCHEMA_VERSION_TABLE);
    }
    const record = db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
    for (const migration of migrations.slice(version)) {
      db.exec(migration.sql);
      record.run(migration.version, migration.description, new Date().toISOString());
    }
    return latest;
  });
  return run.immediate();
}
