import { hostname } from 'node:os';
import pg from 'pg';
import {
  type AtomRecord,
  type FlowLock,
  FlowLockedError,
  type FlowLockHolder,
  type FlowRecord,
  InvalidArgumentError,
  InvalidStateError,
  type Logger,
  silentLogger,
  type StorageBatch,
} from '@tf/core';
import {
  type BackendDetails,
  BackendTooLargeError,
  DEFAULT_MAX_RECORD_BYTES,
  decodeAtomRecord,
  decodeFlowRecord,
  type EncodedBatch,
  encodeBatch,
  encodeBounded,
  GroupCommit,
  type LogbookInput,
  type LogbookRecord,
  nowIso,
  type PersistenceBackend,
  parseJson,
  parseStoredAtom,
  parseStoredFlow,
  parseStoredLogbook,
  positiveInteger,
} from '@tf/persistence';
import { isConnectionError, unavailable } from './connection-error';
import { locationOf } from './location';
import { isValidSchemaName, openPostgresSchema, quoteIdent } from './open-schema';

export interface PostgresBackendOptions {
  /** The schema holding the tables (default `tf_persistence`); created when absent. */
  schema?: string;
  /** Connections in the pool (default 4); each held flow lock uses one more of its own. */
  poolSize?: number;
  /** How long to wait for a connection before `TF_BACKEND_UNAVAILABLE` (default 10 000). */
  connectTimeoutMs?: number;
  maxRecordBytes?: number;
  logger?: Logger;
}

const OPTION_KEYS = ['schema', 'poolSize', 'connectTimeoutMs', 'maxRecordBytes', 'logger'];
const APP_NAME = /^tf pid (\d+) on (.+)$/;

/**
 * `postgresql://user@host/db`: the sqlite backend's tables in a schema of their own, with
 * JSON columns; `saveBatch` is one statement (so one transaction and one round trip) upserting
 * the flow and all its atoms from arrays. Flow locks are session advisory locks, freed by
 * PostgreSQL when the holding engine's connection dies.
 */
export class PostgresBackend implements PersistenceBackend {
  readonly schema: string;
  readonly location: string;
  readonly #pool: pg.Pool;
  readonly #config: pg.ClientConfig;
  readonly #connectTimeoutMs: number;
  readonly #maxRecordBytes: number;
  readonly #logger: Logger;
  readonly #s: string;
  readonly #writes = new GroupCommit<EncodedBatch>((flowUuid, batches) => this.#writeBatches(flowUuid, batches));
  readonly #held = new Set<FlowLock>();
  #closed = false;

  private constructor(url: URL, options: Readonly<Record<string, unknown>>) {
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key))
        throw new InvalidArgumentError(`Unknown postgres backend option '${key}'. Allowed: ${OPTION_KEYS.join(', ')}.`);
    }
    const schema = options['schema'] ?? 'tf_persistence';
    if (typeof schema !== 'string' || !isValidSchemaName(schema)) {
      throw new InvalidArgumentError(
        `Postgres backend option 'schema' must be lowercase letters, digits and '_', got ${JSON.stringify(schema)}.`,
      );
    }
    this.schema = schema;
    this.#s = quoteIdent(schema);
    this.location = locationOf(url, schema);
    this.#connectTimeoutMs = positiveInteger(options, 'connectTimeoutMs', 10_000);
    this.#maxRecordBytes = positiveInteger(options, 'maxRecordBytes', DEFAULT_MAX_RECORD_BYTES);
    this.#logger = (options['logger'] as Logger | undefined) ?? silentLogger;
    const connectionString = new URL(url.href);
    connectionString.protocol = 'postgresql:';
    this.#config = {
      connectionString: connectionString.href,
      connectionTimeoutMillis: this.#connectTimeoutMs,
      application_name: `tf pid ${process.pid} on ${hostname()}`.slice(0, 63),
    };
    this.#pool = new pg.Pool({ ...this.#config, max: positiveInteger(options, 'poolSize', 4) });
    // An idle connection that breaks is replaced on next use; without a listener it would crash the process.
    this.#pool.on('error', (error) =>
      this.#logger.warn({ err: error, backend: this.location }, 'postgres backend: idle connection failed'),
    );
  }

  /** Connects, then creates or migrates the schema; an unreachable database is `TF_BACKEND_UNAVAILABLE`. */
  static async open(url: URL, options: Readonly<Record<string, unknown>> = {}): Promise<PostgresBackend> {
    const backend = new PostgresBackend(url, options);
    try {
      const client = await backend.#connect();
      try {
        await openPostgresSchema(client, backend.schema, backend.location);
      } finally {
        client.release();
      }
    } catch (error) {
      await backend.#pool.end().catch(() => undefined);
      throw error;
    }
    backend.#logger.debug({ backend: backend.location }, 'postgres backend opened');
    return backend;
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw isConnectionError(error) ? unavailable(this.location, error, this.#connectTimeoutMs) : error;
    }
  }

  async #query<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<pg.QueryResult<R>> {
    if (this.#closed) throw new InvalidStateError(`The postgres backend at ${this.location} is closed.`);
    const client = await this.#connect();
    try {
      return await client.query<R>(text, values);
    } catch (error) {
      throw isConnectionError(error) ? unavailable(this.location, error, this.#connectTimeoutMs) : error;
    } finally {
      client.release();
    }
  }

  details(): BackendDetails {
    return { scheme: 'postgresql', location: this.location };
  }

  saveFlow(record: Readonly<FlowRecord>): Promise<void> {
    return this.saveBatch(record.uuid, { flow: record, atoms: [] });
  }

  saveAtom(flowUuid: string, record: Readonly<AtomRecord>): Promise<void> {
    return this.saveBatch(flowUuid, { atoms: [record] });
  }

  /**
   * Encoded now (a bad value rejects this batch alone); written as one statement (so one
   * transaction and one round trip), together with the batches given while the previous
   * write was in flight, in the order they were given.
   */
  saveBatch(flowUuid: string, batch: Readonly<StorageBatch>): Promise<void> {
    if (this.#closed) return Promise.reject(new InvalidStateError(`The postgres backend at ${this.location} is closed.`));
    let encoded: EncodedBatch;
    try {
      encoded = encodeBatch(flowUuid, batch, this.#maxRecordBytes, nowIso());
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#writes.push(flowUuid, encoded);
  }

  async #writeBatches(flowUuid: string, batches: EncodedBatch[]): Promise<void> {
    // createdAt and updatedAt live in their columns: the first save's createdAt is kept there.
    let flow: EncodedBatch['flow'];
    const atoms = new Map<string, EncodedBatch['atoms'][number]>();
    for (const batch of batches) {
      flow = batch.flow ?? flow;
      for (const atom of batch.atoms) atoms.set(atom.stored.name, atom);
    }
    const cols: string[][] = [[], [], [], [], [], []];
    for (const { stored, text } of atoms.values()) {
      const row = [stored.name, stored.uuid, stored.kind, stored.state, stored.intention, text];
      for (let i = 0; i < row.length; i++) cols[i]?.push(row[i] as string);
    }
    const s = this.#s;
    await this.#query(
      `WITH f AS (
         INSERT INTO ${s}.flowdetails AS d (uuid, logbook_uuid, name, state, data, created_at, updated_at)
         SELECT $1, $2, $3, $4, $5::json, $6, $6 WHERE $7::boolean
         ON CONFLICT (uuid) DO UPDATE SET logbook_uuid = excluded.logbook_uuid, name = excluded.name, state = excluded.state,
           data = excluded.data, updated_at = GREATEST(d.updated_at, excluded.updated_at)
         RETURNING 1
       ), a AS (
         INSERT INTO ${s}.atomdetails AS d (flow_uuid, name, uuid, kind, state, intention, data)
         SELECT $1, n, u, k, st, i, dt::json FROM unnest($8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[]) AS t(n, u, k, st, i, dt)
         ON CONFLICT (flow_uuid, name) DO UPDATE SET uuid = excluded.uuid, kind = excluded.kind, state = excluded.state,
           intention = excluded.intention, data = excluded.data
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM f) AS flows, (SELECT count(*) FROM a) AS atoms`,
      [
        flowUuid,
        flow?.stored.logbookUuid ?? null,
        flow?.stored.name ?? '',
        flow?.stored.state ?? '',
        flow?.text ?? '{}',
        flow?.stored.updatedAt ?? nowIso(),
        flow !== undefined,
        ...cols,
      ],
    );
  }

  #read(text: string, what: string): unknown {
    if (text.length > this.#maxRecordBytes)
      throw new BackendTooLargeError(`${what} in ${this.location}`, text.length, this.#maxRecordBytes);
    return parseJson(text, `${this.location} (${what})`);
  }

  #flowOf(row: { uuid: string; data: string; created_at: string; updated_at: string }): FlowRecord {
    const what = `flow detail ${row.uuid}`;
    const stored = parseStoredFlow(this.#read(row.data, what), `${this.location} (${what})`);
    return decodeFlowRecord({ ...stored, createdAt: row.created_at, updatedAt: row.updated_at });
  }

  async loadFlow(flowUuid: string): Promise<FlowRecord | undefined> {
    await this.#writes.idle(flowUuid);
    const { rows } = await this.#query<{ uuid: string; data: string; created_at: string; updated_at: string }>(
      `SELECT uuid, data::text AS data, created_at, updated_at FROM ${this.#s}.flowdetails WHERE uuid = $1`,
      [flowUuid],
    );
    return rows[0] && this.#flowOf(rows[0]);
  }

  async loadAtoms(flowUuid: string): Promise<AtomRecord[]> {
    await this.#writes.idle(flowUuid);
    const { rows } = await this.#query<{ data: string }>(
      `SELECT data::text AS data FROM ${this.#s}.atomdetails WHERE flow_uuid = $1 ORDER BY name`,
      [flowUuid],
    );
    const location = `${this.location} (atom details of ${flowUuid})`;
    return rows.map((row) => decodeAtomRecord(parseStoredAtom(this.#read(row.data, 'atom detail'), location), location));
  }

  async saveLogbook(book: Readonly<LogbookInput>): Promise<LogbookRecord> {
    const meta = book.meta === undefined ? null : encodeBounded(book.meta, this.#maxRecordBytes, `Logbook ${book.uuid}`);
    const now = nowIso();
    const { rows } = await this.#query<LogbookRow>(
      `INSERT INTO ${this.#s}.logbooks AS l (uuid, name, meta, created_at, updated_at)
       VALUES ($1, $2, COALESCE($3::json, '{}'::json), COALESCE($4, $5), $5)
       ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, meta = COALESCE($3::json, l.meta),
         updated_at = GREATEST(l.updated_at, excluded.updated_at)
       RETURNING uuid, name, meta::text AS meta, created_at, updated_at`,
      [book.uuid, book.name, meta, book.createdAt ?? null, now],
    );
    return this.#logbookOf(rows[0] as LogbookRow);
  }

  #logbookOf(r: LogbookRow): LogbookRecord {
    return parseStoredLogbook(
      { uuid: r.uuid, name: r.name, meta: this.#read(r.meta, `logbook ${r.uuid}`), createdAt: r.created_at, updatedAt: r.updated_at },
      `${this.location} (logbook ${r.uuid})`,
    );
  }

  async #logbooks(where: string, values: unknown[]): Promise<LogbookRecord[]> {
    const { rows } = await this.#query<LogbookRow>(
      `SELECT uuid, name, meta::text AS meta, created_at, updated_at FROM ${this.#s}.logbooks ${where} ORDER BY updated_at DESC, name ASC`,
      values,
    );
    return rows.map((r) => this.#logbookOf(r));
  }

  async loadLogbook(uuid: string): Promise<LogbookRecord | undefined> {
    return (await this.#logbooks('WHERE uuid = $1', [uuid]))[0];
  }

  async findLogbook(name: string): Promise<LogbookRecord | undefined> {
    return (await this.#logbooks('WHERE name = $1', [name]))[0];
  }

  listLogbooks(): Promise<LogbookRecord[]> {
    return this.#logbooks('', []);
  }

  async listFlows(logbookUuid?: string): Promise<FlowRecord[]> {
    const where = logbookUuid === undefined ? '' : 'WHERE logbook_uuid = $1';
    const { rows } = await this.#query<{ uuid: string; data: string; created_at: string; updated_at: string }>(
      `SELECT uuid, data::text AS data, created_at, updated_at FROM ${this.#s}.flowdetails ${where} ORDER BY updated_at DESC, name ASC`,
      logbookUuid === undefined ? [] : [logbookUuid],
    );
    return rows.map((r) => this.#flowOf(r));
  }

  /**
   * A session advisory lock on a connection of its own, held until `release()` or until that
   * connection dies (an engine killed with -9 frees its flow details at once).
   */
  async lockFlow(flowUuid: string): Promise<FlowLock> {
    if (this.#closed) throw new InvalidStateError(`The postgres backend at ${this.location} is closed.`);
    const client = new pg.Client(this.#config);
    client.on('error', (error) => this.#logger.warn({ err: error, flowUuid }, 'postgres backend: a flow lock connection failed'));
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => undefined);
      throw isConnectionError(error) ? unavailable(this.location, error, this.#connectTimeoutMs) : error;
    }
    const keys = [`tf-flow:${this.schema}`, flowUuid];
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1), hashtext($2)) AS ok', keys);
      if (!rows[0]?.ok) throw new FlowLockedError(flowUuid, await this.#holder(client, keys));
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    let released = false;
    const lock: FlowLock = {
      release: async () => {
        if (released) return;
        released = true;
        this.#held.delete(lock);
        await client.query('SELECT pg_advisory_unlock(hashtext($1), hashtext($2))', keys).catch(() => undefined);
        await client.end().catch(() => undefined);
      },
    };
    this.#held.add(lock);
    return lock;
  }

  async #holder(client: pg.Client, keys: string[]): Promise<FlowLockHolder> {
    const { rows } = await client.query<{ pid: number; application_name: string; backend_start: Date | null }>(
      `SELECT a.pid, a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
         AND l.classid::bigint = (hashtext($1)::bigint & 4294967295) AND l.objid::bigint = (hashtext($2)::bigint & 4294967295)`,
      keys,
    );
    const row = rows[0];
    if (!row) return { detail: 'a PostgreSQL session (no longer visible)' };
    const match = APP_NAME.exec(row.application_name);
    const holder: FlowLockHolder = { detail: `PostgreSQL session pid ${row.pid}` };
    if (match) {
      holder.pid = Number(match[1]);
      holder.host = match[2] ?? '';
    }
    if (row.backend_start) holder.since = row.backend_start.toISOString();
    return holder;
  }

  /** Waits for pending writes, releases this backend's flow locks, closes the pool. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#writes.idle();
    await Promise.allSettled([...this.#held].map((lock) => lock.release()));
    this.#closed = true;
    await this.#pool.end();
  }
}

interface LogbookRow {
  uuid: string;
  name: string;
  meta: string;
  created_at: string;
  updated_at: string;
}
