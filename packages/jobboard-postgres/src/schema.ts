import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { InvalidArgumentError } from '@tf/core';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** A schema name as SQL: lowercase letters, digits and '_' only, so quoting is all it needs. */
export function quoteIdent(name: string): string {
  if (!IDENT.test(name)) {
    throw new InvalidArgumentError(`Invalid PostgreSQL schema name ${JSON.stringify(name)}: use lowercase letters, digits and '_'.`);
  }
  return `"${name}"`;
}

/** The LISTEN/NOTIFY channel of a board: an identifier under PostgreSQL's 63 bytes, one per (schema, board). */
export function channelOf(schema: string, board: string): string {
  return `tfjb_${createHash('sha1').update(`${schema}\0${board}`).digest('hex')}`;
}

/** The tables, created if absent. Every board of a schema shares them (rows carry the board). */
export const tablesSql = (s: string): string => `
CREATE TABLE IF NOT EXISTS ${s}.jobs (
  board text NOT NULL,
  uuid text NOT NULL,
  priority smallint NOT NULL,
  flow text NOT NULL,
  seq bigserial NOT NULL,
  record text NOT NULL,
  claims integer NOT NULL DEFAULT 0,
  updated_at text NOT NULL,
  notes text NOT NULL DEFAULT '[]',
  owner text,
  claim_expires_at timestamptz,
  PRIMARY KEY (board, uuid)
);
CREATE INDEX IF NOT EXISTS jobs_order ON ${s}.jobs (board, priority, seq);
CREATE INDEX IF NOT EXISTS jobs_claims ON ${s}.jobs (board, claim_expires_at) WHERE owner IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.outcomes (
  board text NOT NULL,
  uuid text NOT NULL,
  outcome text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (board, uuid)
);
CREATE TABLE IF NOT EXISTS ${s}.trash (
  board text NOT NULL,
  uuid text NOT NULL,
  record text NOT NULL,
  outcome text NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (board, uuid)
);
`;

/**
 * Creates the schema and tables when absent, in one transaction under a transaction-level
 * advisory lock: boards opening at once on an empty database create them once.
 */
export async function createTables(client: PoolClient, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`tf-jobboard-ddl:${schema}`]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(tablesSql(s));
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
