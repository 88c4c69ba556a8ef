import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { persistenceConformance } from '@tf/persistence-testkit';
import { afterAll } from 'vitest';
import { SqliteBackend } from '@tf/persistence-sqlite';

const root = mkdtempSync(join(tmpdir(), 'tf-sqlite-backend-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${++n}.db`);

persistenceConformance({
  name: 'sqlite',
  connection: () => `sqlite://${join(root, 'store.db')}`,
  reopen: true,
  locks: true,
  schemaCases: {
    foreign: async () => {
      const path = fresh();
      const db = new Database(path);
      db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)');
      db.close();
      return `sqlite://${path}`;
    },
    newer: async () => {
      const path = fresh();
      await new SqliteBackend(path).close();
      const db = new Database(path);
      db.prepare("INSERT INTO schema_version (version, description, applied_at) VALUES (99, 'future', 'x')").run();
      db.close();
      return `sqlite://${path}`;
    },
    corrupt: async () => {
      const path = fresh();
      const backend = new SqliteBackend(path);
      await backend.saveFlow({ uuid: 'broken', name: 'f', state: 'RUNNING', store: {} });
      await backend.close();
      const db = new Database(path);
      db.prepare(
        "INSERT INTO atomdetails (flow_uuid, name, uuid, kind, state, intention, data) VALUES ('broken', 'a', 'u', 'task', 'x', 'y', '{not json')",
      ).run();
      db.close();
      return { connection: `sqlite://${path}`, flowUuid: 'broken' };
    },
  },
});
