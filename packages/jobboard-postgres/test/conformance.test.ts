import { fileURLToPath } from 'node:url';
import { resolveJobboard } from '@tf/jobboard';
import { jobboardConformance } from '@tf/jobboard-testkit';
import pg from 'pg';
import { afterAll } from 'vitest';
import { dropSchemas, freshSchema, PG_URL } from '../../persistence-postgres/test/pg-test-db';

// One schema for this run (dropped after it); the suites use a fresh board per test.
const schema = freshSchema('tf_jb');
const admin = new pg.Pool({ connectionString: PG_URL, connectionTimeoutMillis: 10_000, max: 1 });
afterAll(async () => {
  await admin.end();
  await dropSchemas([schema]);
});

jobboardConformance({
  name: 'postgres',
  open: (options) => resolveJobboard({ connection: PG_URL, schema, ...options }),
  corrupt: async (board, uuid, text) => {
    await admin.query(`UPDATE "${schema}".jobs SET record = $3 WHERE board = $1 AND uuid = $2`, [board, uuid, text]);
  },
  claimer: {
    script: fileURLToPath(new URL('./fixtures/claimer.ts', import.meta.url)),
    input: (options) => ({ connection: PG_URL, schema, ...options }),
  },
});
