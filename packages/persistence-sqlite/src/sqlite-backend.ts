import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import Database, { type Database as Db, type Statement } from 'better-sqlite3';
import {
  type AtomRecord,
  type FlowLock,
  FlowLockedError,
  type FlowRecord,
  InvalidArgumentError,
  InvalidStateError,
  type StorageBatch,
} from '@tf/core';
import {
  type BackendDetails,
  BackendSchemaError,
  BackendTooLargeError,
  BackendUnavailableError,
  DEFAULT_MAX_RECORD_BYTES,
  decodeAtomRecord,
  decodeFlowRecord,
  encodeAtomRecord,
  encodeBounded,
  encodeFlowRecord,
  type LogbookInput,
  type LogbookRecord,
  lastPerAtom,
  nowIso,
  type PersistenceBackend,
  parseJson,
  parseStoredAtom,
  parseStoredFlow,
  parseStoredLogbook,
  positiveIntegerOption,
} from '@tf/persistence';
import { openSqliteSchema } from './open-schema';

const OPTION_KEYS = ['maxRecordBytes', 'busyTimeoutMs', 'staleLockMs', 'synchronous'];
const SYNCHRONOUS = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

export interface SqliteBackendOptions {
  maxRecordBytes?: number;
  /** How long a write waits for another connection's lock before failing (default 5 000). */
  busyTimeoutMs?: number;
  /** A flow lock whose holder has not refreshed it for this long is stale (default 30 000); a dead pid on this host at once. */
  staleLockMs?: number;
  /** SQLite's `synchronous` pragma (default NORMAL: with WAL, nothing committed is lost when the process dies). */
  synchronous?: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';
}

interface LockRow {
  owner: string;
  pid: number;
  host: string;
  since: string;
  heartbeat_at: number;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `sqlite:///abs/path.db`: tables logbooks, flowdetails and atomdetails (records as JSON
 * text), versioned migrations on open, WAL mode; `saveBatch` is one transaction. Flow locks
 * are rows with an owner and a heartbeat.
 */
export class SqliteBackend implements PersistenceBackend {
  readonly path: string;
  readonly #db: Db;
  readonly #maxRecordBytes: number;
  readonly #staleLockMs: number;
  readonly #owner = randomUUID();
  readonly #host = hostname();
  readonly #held = new Map<string, FlowLock>();
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;
  readonly #sql: {
    flowTimes: Statement<[string], { created_at: string; updated_at: string }>;
    upsertFlow: Statement<[string, string | null, string, string, string, string, string]>;
    upsertAtom: Statement<[string, string, string, string, string, string, string]>;
    flow: Statement<[string], { data: string }>;
    atoms: Statement<[string], { data: string }>;
  };

  constructor(path: string, options: Readonly<Record<string, unknown>> = {}) {
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key))
        throw new InvalidArgumentError(`Unknown sqlite backend option '${key}'. Allowed: ${OPTION_KEYS.join(', ')}.`);
    }
    const synchronous = options['synchronous'] ?? 'NORMAL';
    if (typeof synchronous !== 'string' || !SYNCHRONOUS.includes(synchronous)) {
      throw new InvalidArgumentError(`Sqlite backend option 'synchronous' must be one of ${SYNCHRONOUS.join(', ')}.`);
    }
    this.path = path;
    this.#maxRecordBytes = positiveIntegerOption(options, 'maxRecordBytes', DEFAULT_MAX_RECORD_BYTES);
    this.#staleLockMs = positiveIntegerOption(options, 'staleLockMs', 30_000);
    const busyTimeoutMs = positiveIntegerOption(options, 'busyTimeoutMs', 5_000);
    try {
      mkdirSync(dirname(path), { recursive: true });
      this.#db = new Database(path, { timeout: busyTimeoutMs });
    } catch (error) {
      throw new BackendUnavailableError(`Cannot open the sqlite database ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma(`synchronous = ${synchronous}`);
      openSqliteSchema(this.#db, path);
    } catch (error) {
      this.#db.close();
      if (error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'SQLITE_NOTADB') {
        throw new BackendSchemaError(path, 'not an SQLite database (file is not a database). Refusing to use it.', { cause: error });
      }
      throw error;
    }
    this.#sql = {
      flowTimes: this.#db.prepare('SELECT created_at, updated_at FROM flowdetails WHERE uuid = ?'),
      upsertFlow: this.#db.prepare(
        `INSERT INTO flowdetails (uuid, logbook_uuid, name, state, data, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (uuid) DO UPDATE SET logbook_uuid = excluded.logbook_uuid, name = excluded.name, state = excluded.state,
           data = excluded.data, updated_at = excluded.updated_at`,
      ),
      upsertAtom: this.#db.prepare(
        `INSERT INTO atomdetails (flow_uuid, name, uuid, kind, state, intention, data) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (flow_uuid, name) DO UPDATE SET uuid = excluded.uuid, kind = excluded.kind, state = excluded.state,
           intention = excluded.intention, data = excluded.data`,
      ),
      flow: this.#db.prepare('SELECT data FROM flowdetails WHERE uuid = ?'),
      atoms: this.#db.prepare('SELECT data FROM atomdetails WHERE flow_uuid = ? ORDER BY rowid'),
    };
  }

  details(): BackendDetails {
    return { scheme: 'sqlite', location: this.path };
  }

  #use(): void {
    if (this.#closed) throw new InvalidStateError(`The sqlite backend at ${this.path} is closed.`);
  }

  async saveFlow(record: Readonly<FlowRecord>): Promise<void> {
    return this.saveBatch(record.uuid, { flow: record, atoms: [] });
  }

  async saveAtom(flowUuid: string, record: Readonly<AtomRecord>): Promise<void> {
    return this.saveBatch(flowUuid, { atoms: [record] });
  }

  /**
   * One transaction: the flow record and every atom record, or nothing. IMMEDIATE, as every
   * transaction here that reads before it writes: a deferred one that read first cannot take
   * the write lock once another process committed (SQLITE_BUSY_SNAPSHOT, which no busy
   * timeout waits out).
   */
  async saveBatch(flowUuid: string, batch: Readonly<StorageBatch>): Promise<void> {
    this.#use();
    this.#db
      .transaction(() => {
        if (batch.flow) {
          const previous = this.#sql.flowTimes.get(flowUuid);
          const stored = encodeFlowRecord(
            { ...batch.flow, uuid: flowUuid },
            nowIso(previous?.updated_at),
            previous && { createdAt: previous.created_at },
          );
          const text = encodeBounded(stored, this.#maxRecordBytes, `Flow detail ${flowUuid}`);
          this.#sql.upsertFlow.run(
            flowUuid,
            stored.logbookUuid ?? null,
            stored.name,
            stored.state,
            text,
            stored.createdAt,
            stored.updatedAt,
          );
        }
        for (const record of lastPerAtom(batch.atoms)) {
          const stored = encodeAtomRecord(flowUuid, record);
          const text = encodeBounded(stored, this.#maxRecordBytes, `Atom '${record.name}' of flow detail ${flowUuid}`);
          this.#sql.upsertAtom.run(flowUuid, stored.name, stored.uuid, stored.kind, stored.state, stored.intention, text);
        }
      })
      .immediate();
  }

  #read(text: string, what: string): unknown {
    if (text.length > this.#maxRecordBytes) throw new BackendTooLargeError(`${what} in ${this.path}`, text.length, this.#maxRecordBytes);
    return parseJson(text, `${this.path} (${what})`);
  }

  async loadFlow(flowUuid: string): Promise<FlowRecord | undefined> {
    this.#use();
    const row = this.#sql.flow.get(flowUuid);
    if (!row) return undefined;
    const what = `flow detail ${flowUuid}`;
    return decodeFlowRecord(parseStoredFlow(this.#read(row.data, what), `${this.path} (${what})`));
  }

  async loadAtoms(flowUuid: string): Promise<AtomRecord[]> {
    this.#use();
    const location = `${this.path} (atom details of ${flowUuid})`;
    return this.#sql.atoms
      .all(flowUuid)
      .map((row) => decodeAtomRecord(parseStoredAtom(this.#read(row.data, 'atom detail'), location), location));
  }

  async saveLogbook(book: Readonly<LogbookInput>): Promise<LogbookRecord> {
    this.#use();
    return this.#db
      .transaction(() => {
        const previous = this.#db.prepare('SELECT meta, created_at, updated_at FROM logbooks WHERE uuid = ?').get(book.uuid) as
          | { meta: string; created_at: string; updated_at: string }
          | undefined;
        const meta = book.meta ?? (previous ? (this.#read(previous.meta, `logbook ${book.uuid}`) as Record<string, unknown>) : {});
        const metaText = encodeBounded(meta, this.#maxRecordBytes, `Logbook ${book.uuid}`);
        const record: LogbookRecord = {
          uuid: book.uuid,
          name: book.name,
          meta: JSON.parse(metaText) as Record<string, unknown>,
          createdAt: previous?.created_at ?? book.createdAt ?? nowIso(),
          updatedAt: nowIso(previous?.updated_at),
        };
        this.#db
          .prepare(
            `INSERT INTO logbooks (uuid, name, meta, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT (uuid) DO UPDATE SET name = excluded.name, meta = excluded.meta, updated_at = excluded.updated_at`,
          )
          .run(record.uuid, record.name, metaText, record.createdAt, record.updatedAt);
        return record;
      })
      .immediate();
  }

  #logbooks(where: string, ...params: string[]): LogbookRecord[] {
    const rows = this.#db
      .prepare(`SELECT uuid, name, meta, created_at, updated_at FROM logbooks ${where} ORDER BY updated_at DESC, name ASC`)
      .all(...params) as { uuid: string; name: string; meta: string; created_at: string; updated_at: string }[];
    return rows.map((r) =>
      parseStoredLogbook(
        { uuid: r.uuid, name: r.name, meta: this.#read(r.meta, `logbook ${r.uuid}`), createdAt: r.created_at, updatedAt: r.updated_at },
        `${this.path} (logbook ${r.uuid})`,
      ),
    );
  }

  async loadLogbook(uuid: string): Promise<LogbookRecord | undefined> {
    this.#use();
    return this.#logbooks('WHERE uuid = ?', uuid)[0];
  }

  async findLogbook(name: string): Promise<LogbookRecord | undefined> {
    this.#use();
    return this.#logbooks('WHERE name = ?', name)[0];
  }

  async listLogbooks(): Promise<LogbookRecord[]> {
    this.#use();
    return this.#logbooks('');
  }

  async listFlows(logbookUuid?: string): Promise<FlowRecord[]> {
    this.#use();
    const where = logbookUuid === undefined ? '' : 'WHERE logbook_uuid = ?';
    const rows = this.#db
      .prepare(`SELECT uuid, data FROM flowdetails ${where} ORDER BY updated_at DESC, name ASC`)
      .all(...(logbookUuid === undefined ? [] : [logbookUuid])) as { uuid: string; data: string }[];
    return rows.map((r) => {
      const what = `flow detail ${r.uuid}`;
      return decodeFlowRecord(parseStoredFlow(this.#read(r.data, what), `${this.path} (${what})`));
    });
  }

  /** A lock row owned by this backend; refreshed while held, taken over when its holder is dead or silent for `staleLockMs`. */
  async lockFlow(flowUuid: string): Promise<FlowLock> {
    this.#use();
    const now = Date.now();
    this.#db
      .transaction(() => {
        const row = this.#db.prepare('SELECT owner, pid, host, since, heartbeat_at FROM flow_locks WHERE flow_uuid = ?').get(flowUuid) as
          | LockRow
          | undefined;
        if (row) {
          const dead = row.host === this.#host && !pidAlive(row.pid);
          const silent = now - row.heartbeat_at > this.#staleLockMs;
          if (row.owner === this.#owner || !(dead || silent)) {
            throw new FlowLockedError(flowUuid, { pid: row.pid, host: row.host, since: row.since });
          }
        }
        this.#db
          .prepare(
            `INSERT INTO flow_locks (flow_uuid, owner, pid, host, since, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (flow_uuid) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, host = excluded.host,
             since = excluded.since, heartbeat_at = excluded.heartbeat_at`,
          )
          .run(flowUuid, this.#owner, process.pid, this.#host, new Date(now).toISOString(), now);
      })
      .immediate();
    let released = false;
    const lock: FlowLock = {
      release: async () => {
        if (released) return;
        released = true;
        this.#held.delete(flowUuid);
        if (this.#held.size === 0) this.#stopHeartbeat();
        if (!this.#closed) this.#db.prepare('DELETE FROM flow_locks WHERE flow_uuid = ? AND owner = ?').run(flowUuid, this.#owner);
      },
    };
    this.#held.set(flowUuid, lock);
    this.#startHeartbeat();
    return lock;
  }

  #startHeartbeat(): void {
    if (this.#heartbeat) return;
    this.#heartbeat = setInterval(
      () => {
        if (!this.#closed) this.#db.prepare('UPDATE flow_locks SET heartbeat_at = ? WHERE owner = ?').run(Date.now(), this.#owner);
      },
      Math.max(100, Math.floor(this.#staleLockMs / 3)),
    );
    this.#heartbeat.unref();
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  /** Releases this backend's flow locks and closes the database. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const lock of [...this.#held.values()]) await lock.release();
    this.#stopHeartbeat();
    this.#closed = true;
    this.#db.close();
  }
}
