/** One schema step; `sql` gets the quoted schema name. Appended to, never edited once released. */
export interface PostgresMigration {
  version: number;
  description: string;
  sql: (schema: string) => string;
}

export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [
  {
    version: 1,
    description: 'logbooks, flowdetails, atomdetails',
    sql: (s) => `
      CREATE TABLE ${s}.logbooks (
        uuid TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        meta JSON NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX logbooks_by_name ON ${s}.logbooks (name, updated_at);
      CREATE TABLE ${s}.flowdetails (
        uuid TEXT PRIMARY KEY,
        logbook_uuid TEXT,
        name TEXT NOT NULL,
        state TEXT NOT NULL,
        data JSON NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX flowdetails_by_logbook ON ${s}.flowdetails (logbook_uuid, updated_at);
      CREATE TABLE ${s}.atomdetails (
        flow_uuid TEXT NOT NULL,
        name TEXT NOT NULL,
        uuid TEXT NOT NULL,
        kind TEXT NOT NULL,
        state TEXT NOT NULL,
        intention TEXT NOT NULL,
        data JSON NOT NULL,
        PRIMARY KEY (flow_uuid, name)
      );
    `,
  },
];

/** Every table any version has: a schema with others is not ours. */
export const POSTGRES_TABLES: readonly string[] = ['schema_version', 'logbooks', 'flowdetails', 'atomdetails'];

export const schemaVersionTable = (s: string): string => `
  CREATE TABLE ${s}.schema_version (
    version INTEGER PRIMARY KEY,
    description TEXT NOT NULL,
    applied_at TEXT NOT NULL
  );
`;
