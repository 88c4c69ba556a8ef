/** One schema step, run in the opening transaction; appended to, never edited once released. */
export interface SqliteMigration {
  version: number;
  description: string;
  sql: string;
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    description: 'logbooks, flowdetails, atomdetails, flow_locks',
    sql: `
      CREATE TABLE logbooks (
        uuid TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        meta TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX logbooks_by_name ON logbooks (name, updated_at);
      CREATE TABLE flowdetails (
        uuid TEXT PRIMARY KEY,
        logbook_uuid TEXT,
        name TEXT NOT NULL,
        state TEXT NOT NULL,
        data TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX flowdetails_by_logbook ON flowdetails (logbook_uuid, updated_at);
      CREATE TABLE atomdetails (
        flow_uuid TEXT NOT NULL,
        name TEXT NOT NULL,
        uuid TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        intention TEXT NOT NULL,
        data TEXT NOT NULL,
        PRIMARY KEY (flow_uuid, name)
      );
      CREATE TABLE flow_locks (
        flow_uuid TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        pid INTEGER NOT NULL,
        host TEXT NOT NULL,
        since TEXT NOT NULL,
        heartbeat_at INTEGER NOT NULL
      );
    `,
  },
];

/** Every table any version of the schema has: a database with others is not ours. */
export const SQLITE_TABLES: readonly string[] = ['schema_version', 'logbooks', 'flowdetails', 'atomdetails', 'flow_locks'];

export const SCHEMA_VERSION_TABLE = `
  CREATE TABLE schema_version (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
  );
`;
