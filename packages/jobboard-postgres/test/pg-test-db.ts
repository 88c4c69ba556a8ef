import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The shared PostgreSQL of this machine and CI (trust auth); tests isolate themselves in fresh schemas. */
export const PG_URL = process.env['TF_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';

export const freshSchema = (label = 'tf_test'): string => `${label}_${randomBytes(6).toString('hex')}`;

/** Runs SQL on the test database with a bounded connect; an unreachable database fails the test (never a skip). */
export async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export async function dropSchemas(schemas: readonly string[]): Promise<void> {
  for (const schema of schemas) await sql(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
}
