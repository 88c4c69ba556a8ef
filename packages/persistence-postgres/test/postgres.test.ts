import { persistenceConformance } from '@tf/persistence-testkit';
import { PostgresBackend } from '@tf/persistence-postgres';
import { afterAll } from 'vitest';
import { dropSchemas, freshSchema, PG_URL, sql } from './pg-test-db';

const schemas: string[] = [];
const schema = (): string => {
  const name = freshSchema();
  schemas.push(name);
  return name;
};
const main = schema();
afterAll(() => dropSchemas(schemas));

persistenceConformance({
  name: 'postgres',
  connection: () => ({ connection: PG_URL, schema: main }),
  reopen: true,
  locks: true,
  schemaCases: {
    foreign: async () => {
      const s = schema();
      await sql(`CREATE SCHEMA "${s}"; CREATE TABLE "${s}".users (id serial PRIMARY KEY, email text)`);
      return { connection: PG_URL, schema: s };
    },
    newer: async () => {
      const s = schema();
      await (await PostgresBackend.open(new URL(PG_URL), { schema: s })).close();
      await sql(`INSERT INTO "${s}".schema_version (version, description, applied_at) VALUES (99, 'future', 'x')`);
      return { connection: PG_URL, schema: s };
    },
    corrupt: async () => {
      const s = schema();
      const backend = await PostgresBackend.open(new URL(PG_URL), { schema: s });
      await backend.saveFlow({ uuid: 'broken', name: 'f', state: 'RUNNING', store: {} });
      await backend.close();
      await sql(
        `INSERT INTO "${s}".atomdetails (flow_uuid, name, uuid, kind, state, intention, data) VALUES ('broken', 'a', 'u', 'task', 'x', 'y', '"just a string"')`,
      );
      return { connection: { connection: PG_URL, schema: s }, flowUuid: 'broken' };
    },
  },
});
