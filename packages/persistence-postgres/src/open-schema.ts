import type { PoolClient } from 'pg';
import { InvalidArgumentError } from '@tf/core';
import { BackendSchemaError } from '@tf/persistence';
import { POSTGRES_MIGRATIONS, POSTGRES_TABLES, type PostgresMigration, schemaVersionTable } from './migrations';

/**
 * Creates the schema and its tables, or migrates ours, in one transaction under a
 * transaction-level advisory lock (engines opening at once migrate once). Tables that are
 * not ours, ours without schema_version, or a newer version: `BackendSchemaError`, nothing changed.
 */
export async function openPostgresSchema(
  client: PoolClient,
  schema: string,
  location: string,
  migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS,
): Promise<number> {
  const s = quoteIdent(schema);
  const latest = migrations.length;
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tf-persistence-migrate:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    const { rows } = await client.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    const tables = rows.map((r) => r.table_name);
    const foreign = tables.filter((t) => !POSTGRES_TABLES.includes(t));
    if (foreign.length > 0) {
      throw new BackendSchemaError(
        location,
        `schema '${schema}' is not a tf persistence schema: it has tables ${foreign.slice(0, 5).join(', ')}. Refusing to use it; choose another with the 'schema' option.`,
      );
    }
    let version = 0;
    if (tables.length > 0) {
      if (!tables.includes('schema_version')) {
        throw new BackendSchemaError(
          location,
          `schema '${schema}' has tf tables but no schema_version table: refusing to guess its version.`,
        );
      }
      const result = await client.query<{ v: number | null }>(`SELECT MAX(version) AS v FROM ${s}.schema_version`);
      version = result.rows[0]?.v ?? 0;
      if (version > latest) {
        throw new BackendSchemaError(
          location,
          `schema '${schema}' is at version ${version}, newer than this @tf/persistence-postgres knows (${latest}); upgrade it.`,
        );
      }
    } else {
      await client.query(schemaVersionTable(s));
    }
    for (const migration of migrations.slice(version)) {
      await client.query(migration.sql(s));
      await client.query(`INSERT INTO ${s}.schema_version (version, description, applied_at) VALUES ($1, $2, $3)`, [
        migration.version,
        migration.description,
        new Date().toISOString(),
      ]);
    }
    await client.query('COMMIT');
    return latest;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name as SQL: lowercase letters, digits and '_' only, so quoting is all it needs. */
export function quoteIdent(name: string): string {
  if (!IDENT.test(name))
    throw new InvalidArgumentError(`Invalid PostgreSQL schema name ${JSON.stringify(name)}: use lowercase letters, digits and '_'.`);
  return `"${name}"`;
}

export const isValidSchemaName = (name: string): boolean => IDENT.test(name);
