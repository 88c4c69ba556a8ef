import { hostname } from 'node:os';
import pg from 'pg';
import { InvalidArgumentError } from '@tf/core';
import {
  BaseJobboard,
  decodeJobRecord,
  decodeNotes,
  decodeOutcome,
  encodeEvent,
  encodeJobRecord,
  encodeOutcome,
  type Job,
  JobClaimedError,
  JobCorruptError,
  JobExistsError,
  type JobboardEvent,
  JobboardUnavailableError,
  type JobNote,
  JobNotFoundError,
  type JobOutcome,
  type JobRecord,
  NotOwnerError,
  parseEvent,
  positiveIntegerOption,
  priorityRank,
  RECORD_OVERHEAD_BYTES,
  resolveJobboardOptions,
  toJob,
  withNote,
} from '@tf/jobboard';
import { isConnectionError, locationOf, unavailable } from './connection-error';
import { ChannelListener } from './listener';
import { channelOf, createTables, quoteIdent } from './schema';

export interface PostgresJobboardOptions {
  /** The schema holding the tables (default `tf_jobboard`); created when absent. */
  schema?: string;
  /** Connections in the pool (default 4), plus one that listens for events. */
  poolSize?: number;
  /** How long to wait for a connection before `TF_JOBBOARD_UNAVAILABLE` (default 10 000). */
  connectTimeoutMs?: number;
}

const OWN_OPTIONS = ['schema', 'poolSize', 'connectTimeoutMs'];
/** Jobs read per query by iterate. */
const PAGE = 100;
/** Lapsed claims released per expiry check. */
const REAP_BATCH = 100;

interface JobRow {
  uuid: string;
  record: string | null;
  bytes: number;
  claims: number;
  updated_at: string;
  notes: string;
  owner: string | null;
  priority: number;
  seq: string;
}

const now = (): string => new Date().toISOString();
const ttl = "* interval '1 millisecond'";

/**
 * `postgresql://user@host/db?board=name`: jobs as rows of `<schema>.jobs` (one table for every
 * board of the schema), a claim as a lease on the row (`owner`, `claim_expires_at`, database
 * time) taken by one conditional UPDATE, so exactly one of many claimers wins; events by
 * LISTEN/NOTIFY on a channel per board, sent in the statement that makes the change. A timer
 * at half the claim TTL releases lapsed leases (`FOR UPDATE SKIP LOCKED`) and sends `expired`.
 */
export class PostgresJobboard extends BaseJobboard {
  readonly schema: string;
  readonly location: string;
  readonly channel: string;
  readonly #pool: pg.Pool;
  readonly #listener: ChannelListener;
  readonly #connectTimeoutMs: number;
  readonly #s: string;
  #reaper: ReturnType<typeof setInterval> | undefined;
  #reaps = 0;

  private constructor(url: URL, options: Readonly<Record<string, unknown>>) {
    super(resolveJobboardOptions(options, url, OWN_OPTIONS));
    const schema = options['schema'] ?? url.searchParams.get('schema') ?? 'tf_jobboard';
    if (typeof schema !== 'string') throw new InvalidArgumentError("Postgres jobboard option 'schema' must be a string.");
    this.#s = quoteIdent(schema);
    this.schema = schema;
    this.location = locationOf(url, schema);
    this.channel = channelOf(schema, this.name);
    this.#connectTimeoutMs = positiveIntegerOption(options, 'connectTimeoutMs', 10_000);
    const connection = new URL(url.href);
    connection.protocol = 'postgresql:';
    connection.searchParams.delete('board');
    connection.searchParams.delete('schema');
    const config: pg.ClientConfig = {
      connectionString: connection.href,
      connectionTimeoutMillis: this.#connectTimeoutMs,
      application_name: `tf jobboard pid ${process.pid} on ${hostname()}`.slice(0, 63),
    };
    this.#pool = new pg.Pool({ ...config, max: positiveIntegerOption(options, 'poolSize', 4) });
    // An idle connection that breaks is replaced on next use; without a listener it would crash the process.
    this.#pool.on('error', (error) =>
      this.logger.warn({ err: error, jobboard: this.location }, 'postgres jobboard: idle connection failed'),
    );
    this.#listener = new ChannelListener(config, this.channel, (payload) => this.#onPayload(payload), this.logger);
  }

  /** Connects, creates the tables when absent, listens for events; an unreachable database is `TF_JOBBOARD_UNAVAILABLE`. */
  static async open(url: URL, options: Readonly<Record<string, unknown>> = {}): Promise<PostgresJobboard> {
    const board = new PostgresJobboard(url, options);
    try {
      const client = await board.#connect();
      try {
        await createTables(client, board.schema);
      } finally {
        client.release();
      }
      await board.#listener.start().catch((error: unknown) => {
        throw isConnectionError(error) ? unavailable(board.location, error, board.#connectTimeoutMs) : error;
      });
    } catch (error) {
      await board.#listener.close();
      await board.#pool.end().catch(() => undefined);
      throw error;
    }
    board.#reaper = setInterval(() => void board.#reap(), Math.max(15, Math.floor(board.options.claimTtlMs / 2)));
    board.#reaper.unref?.();
    return board;
  }

  #onPayload(payload: string | undefined): void {
    const event = parseEvent(payload);
    if (event) this.emit(event);
    else this.logger.warn({ jobboard: this.location, board: this.name }, 'postgres jobboard: ignoring a malformed event');
  }

  async #connect(): Promise<pg.PoolClient> {
    try {
      return await this.#pool.connect();
    } catch (error) {
      throw isConnectionError(error) ? unavailable(this.location, error, this.#connectTimeoutMs) : error;
    }
  }

  async #query<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
    if (this.closed) throw new JobboardUnavailableError(`The jobboard '${this.name}' is closed.`);
    try {
      return await this.#pool.query<R>(text, values);
    } catch (error) {
      throw isConnectionError(error) ? unavailable(this.location, error, this.#connectTimeoutMs) : error;
    }
  }

  get #max(): number {
    return this.options.maxDetailsBytes + RECORD_OVERHEAD_BYTES;
  }

  /** The columns of a job, the record left out (NULL) when over the bound, so a huge row is never fetched. */
  get #columns(): string {
    return `uuid, CASE WHEN octet_length(record) > ${this.#max} THEN NULL ELSE record END AS record, octet_length(record) AS bytes,
      claims, updated_at, notes, CASE WHEN claim_expires_at > now() THEN owner END AS owner, priority, seq`;
  }

  #job(row: JobRow): Job {
    if (row.record === null) {
      throw new JobCorruptError(row.uuid, this.name, `its record is ${row.bytes} bytes, over the bound of ${this.#max}`);
    }
    const record = decodeJobRecord(row.record, row.uuid, this.name, this.options.maxDetailsBytes);
    return toJob(record, {
      state: row.owner === null ? 'UNCLAIMED' : 'CLAIMED',
      owner: row.owner ?? undefined,
      claims: row.claims,
      updatedAt: row.updated_at,
      notes: decodeNotes(row.notes, row.uuid, this.name),
    });
  }

  async #reap(): Promise<void> {
    if (this.closed) return;
    const s = this.#s;
    try {
      await this.#query(
        `WITH e AS (
           SELECT uuid, owner FROM ${s}.jobs
           WHERE board = $1 AND owner IS NOT NULL AND claim_expires_at <= now()
           ORDER BY claim_expires_at LIMIT ${REAP_BATCH} FOR UPDATE SKIP LOCKED),
         u AS (
           UPDATE ${s}.jobs j SET owner = NULL, claim_expires_at = NULL, updated_at = $2
           FROM e WHERE j.board = $1 AND j.uuid = e.uuid RETURNING e.uuid, e.owner)
         SELECT pg_notify($3, json_build_object('type', 'expired', 'uuid', uuid, 'owner', owner)::text) FROM u`,
        [this.name, now(), this.channel],
      );
      if (++this.#reaps % 20 === 1) {
        for (const table of ['outcomes', 'trash']) {
          await this.#query(
            `DELETE FROM ${s}.${table} WHERE (board, uuid) IN (
               SELECT board, uuid FROM ${s}.${table} WHERE board = $1 AND expires_at <= now() LIMIT ${REAP_BATCH})`,
            [this.name],
          );
        }
      }
    } catch (error) {
      if (!this.closed) this.logger.warn({ err: error, jobboard: this.location }, 'postgres jobboard: expiry check failed');
    }
  }

  protected async storePost(record: JobRecord): Promise<void> {
    const s = this.#s;
    const event: JobboardEvent = { type: 'posted', uuid: record.uuid };
    const result = await this.#query(
      `WITH ins AS (
         INSERT INTO ${s}.jobs (board, uuid, priority, record, updated_at, flow)
         SELECT $1::text, $2::text, $3::smallint, $4::text, $5::text, $8::text
         WHERE NOT EXISTS (SELECT 1 FROM ${s}.outcomes WHERE board = $1 AND uuid = $2 AND expires_at > now())
         ON CONFLICT (board, uuid) DO NOTHING RETURNING uuid)
       SELECT pg_notify($6, $7) FROM ins`,
      [
        this.name,
        record.uuid,
        priorityRank(record.priority),
        encodeJobRecord(record),
        record.createdAt,
        this.channel,
        encodeEvent(event),
        record.details.flow,
      ],
    );
    if (result.rowCount !== 1) throw new JobExistsError(record.uuid, this.name);
  }

  protected async storeGet(uuid: string): Promise<Job | undefined> {
    const { rows } = await this.#query<JobRow>(`SELECT ${this.#columns} FROM ${this.#s}.jobs WHERE board = $1 AND uuid = $2`, [
      this.name,
      uuid,
    ]);
    return rows[0] ? this.#job(rows[0]) : undefined;
  }

  protected async *storeList(onlyUnclaimed: boolean): AsyncIterable<Job> {
    let after: [number, string] = [-1, '0'];
    const unclaimed = onlyUnclaimed ? 'AND (owner IS NULL OR claim_expires_at <= now())' : '';
    for (;;) {
      const { rows } = await this.#query<JobRow>(
        `SELECT ${this.#columns} FROM ${this.#s}.jobs
         WHERE board = $1 AND (priority, seq) > ($2::smallint, $3::bigint) ${unclaimed}
         ORDER BY priority, seq LIMIT ${PAGE}`,
        [this.name, after[0], after[1]],
      );
      for (const row of rows) {
        let job: Job;
        try {
          job = this.#job(row);
        } catch (error) {
          this.reportCorrupt(error);
          continue;
        }
        yield job;
      }
      const last = rows[rows.length - 1];
      if (!last || rows.length < PAGE) return;
      after = [last.priority, String(last.seq)];
    }
  }

  /** Why an owner-only change found no row: the job is gone, or someone else (or no one) holds it. */
  async #refusal(uuid: string, owner: string): Promise<never> {
    const { rows } = await this.#query<{ holder: string | null }>(
      `SELECT CASE WHEN claim_expires_at > now() THEN owner END AS holder FROM ${this.#s}.jobs WHERE board = $1 AND uuid = $2`,
      [this.name, uuid],
    );
    if (!rows[0]) throw new JobNotFoundError(uuid, this.name);
    throw new NotOwnerError(uuid, owner, rows[0].holder ?? undefined);
  }

  protected async storeClaim(uuid: string, owner: string, ttlMs: number): Promise<Job> {
    const s = this.#s;
    // One conditional UPDATE: concurrent claimers queue on the row lock and re-check the
    // condition on the row the winner wrote, so exactly one succeeds.
    const { rows } = await this.#query<JobRow>(
      `UPDATE ${s}.jobs SET owner = $3, claim_expires_at = now() + $4::bigint ${ttl}, claims = claims + 1, updated_at = $5
       WHERE board = $1 AND uuid = $2 AND (owner IS NULL OR claim_expires_at <= now())
       RETURNING ${this.#columns.replace('CASE WHEN claim_expires_at > now() THEN owner END AS owner', 'owner')}, pg_notify($6, $7)`,
      [this.name, uuid, owner, ttlMs, now(), this.channel, encodeEvent({ type: 'claimed', uuid, owner })],
    );
    if (rows[0]) return this.#job(rows[0]);
    const { rows: current } = await this.#query<{ holder: string | null }>(
      `SELECT CASE WHEN claim_expires_at > now() THEN owner END AS holder FROM ${s}.jobs WHERE board = $1 AND uuid = $2`,
      [this.name, uuid],
    );
    if (!current[0]) throw new JobNotFoundError(uuid, this.name);
    throw new JobClaimedError(uuid, current[0].holder ?? undefined);
  }

  /**
   * The first free job by priority then age, locked with `FOR UPDATE SKIP LOCKED` (rows other
   * claimers are taking at that moment are skipped, not waited for) and claimed in the same
   * statement. A job whose record turns out corrupt stays claimed until its lease lapses (so
   * it is not handed out again at once) and is reported.
   */
  protected override async storeClaimNext(owner: string, ttlMs: number, flows: ReadonlySet<string> | undefined): Promise<Job | undefined> {
    const s = this.#s;
    const { rows } = await this.#query<JobRow>(
      `UPDATE ${s}.jobs j SET owner = $2, claim_expires_at = now() + $3::bigint ${ttl}, claims = j.claims + 1, updated_at = $4
       WHERE (j.board, j.uuid) = (
         SELECT board, uuid FROM ${s}.jobs
         WHERE board = $1 AND (owner IS NULL OR claim_expires_at <= now()) AND ($5::text[] IS NULL OR flow = ANY($5::text[]))
         ORDER BY priority, seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       AND (j.owner IS NULL OR j.claim_expires_at <= now())
       RETURNING ${this.#columns.replace('CASE WHEN claim_expires_at > now() THEN owner END AS owner', 'owner')},
         pg_notify($6, json_build_object('type', 'claimed', 'uuid', j.uuid, 'owner', $2::text)::text)`,
      [this.name, owner, ttlMs, now(), flows === undefined ? null : [...flows], this.channel],
    );
    const row = rows[0];
    if (!row) return undefined;
    try {
      return this.#job(row);
    } catch (error) {
      this.reportCorrupt(error);
      throw error;
    }
  }

  protected async storeRenew(uuid: string, owner: string, ttlMs: number): Promise<boolean> {
    const result = await this.#query(
      `UPDATE ${this.#s}.jobs SET claim_expires_at = now() + $4::bigint ${ttl}
       WHERE board = $1 AND uuid = $2 AND owner = $3 AND claim_expires_at > now()`,
      [this.name, uuid, owner, ttlMs],
    );
    return result.rowCount === 1;
  }

  protected async storeOwner(uuid: string): Promise<string | undefined> {
    const { rows } = await this.#query<{ owner: string | null }>(
      `SELECT owner FROM ${this.#s}.jobs WHERE board = $1 AND uuid = $2 AND claim_expires_at > now()`,
      [this.name, uuid],
    );
    return rows[0]?.owner ?? undefined;
  }

  async #end(uuid: string, owner: string, outcome: JobOutcome, event: JobboardEvent, trash: boolean): Promise<void> {
    const s = this.#s;
    const result = await this.#query(
      `WITH d AS (
         DELETE FROM ${s}.jobs WHERE board = $1 AND uuid = $2 AND owner = $3 AND claim_expires_at > now() RETURNING uuid, record),
       o AS (
         INSERT INTO ${s}.outcomes (board, uuid, outcome, expires_at) SELECT $1::text, uuid, $4::text, now() + $5::bigint ${ttl} FROM d
         ON CONFLICT (board, uuid) DO UPDATE SET outcome = EXCLUDED.outcome, expires_at = EXCLUDED.expires_at RETURNING uuid),
       t AS (
         INSERT INTO ${s}.trash (board, uuid, record, outcome, expires_at)
         SELECT $1::text, uuid, record, $4::text, now() + $5::bigint ${ttl} FROM d WHERE $8::boolean
         ON CONFLICT (board, uuid) DO UPDATE SET record = EXCLUDED.record, outcome = EXCLUDED.outcome, expires_at = EXCLUDED.expires_at
         RETURNING uuid)
       SELECT pg_notify($6, $7), (SELECT count(*) FROM t) AS trashed FROM o`,
      [this.name, uuid, owner, encodeOutcome(outcome), this.options.outcomeTtlMs, this.channel, encodeEvent(event), trash],
    );
    if (result.rowCount !== 1) await this.#refusal(uuid, owner);
  }

  protected storeConsume(uuid: string, owner: string, outcome: JobOutcome): Promise<void> {
    return this.#end(uuid, owner, outcome, { type: 'consumed', uuid, state: outcome.state }, false);
  }

  protected storeTrash(uuid: string, owner: string, outcome: JobOutcome): Promise<void> {
    return this.#end(uuid, owner, outcome, { type: 'trashed', uuid }, true);
  }

  protected async storeAbandon(uuid: string, owner: string): Promise<void> {
    const result = await this.#query(
      `UPDATE ${this.#s}.jobs SET owner = NULL, claim_expires_at = NULL, updated_at = $4
       WHERE board = $1 AND uuid = $2 AND owner = $3 AND claim_expires_at > now()
       RETURNING pg_notify($5, $6)`,
      [this.name, uuid, owner, now(), this.channel, encodeEvent({ type: 'abandoned', uuid, owner })],
    );
    if (result.rowCount !== 1) await this.#refusal(uuid, owner);
  }

  protected async storeNote(uuid: string, note: JobNote): Promise<void> {
    const client = await this.#connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<{ notes: string }>(
        `SELECT notes FROM ${this.#s}.jobs WHERE board = $1 AND uuid = $2 FOR UPDATE`,
        [this.name, uuid],
      );
      if (!rows[0]) throw new JobNotFoundError(uuid, this.name);
      let notes: JobNote[];
      try {
        notes = decodeNotes(rows[0].notes, uuid, this.name);
      } catch (error) {
        this.reportCorrupt(error);
        notes = [];
      }
      const next = withNote(notes, note);
      if (next) {
        await client.query(`UPDATE ${this.#s}.jobs SET notes = $3, updated_at = $4 WHERE board = $1 AND uuid = $2`, [
          this.name,
          uuid,
          JSON.stringify(next),
          note.at,
        ]);
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw isConnectionError(error) ? unavailable(this.location, error, this.#connectTimeoutMs) : error;
    } finally {
      client.release();
    }
  }

  protected async storeOutcome(uuid: string): Promise<JobOutcome | undefined> {
    const { rows } = await this.#query<{ outcome: string | null; bytes: number }>(
      `SELECT CASE WHEN octet_length(outcome) > ${this.#max} THEN NULL ELSE outcome END AS outcome, octet_length(outcome) AS bytes
       FROM ${this.#s}.outcomes WHERE board = $1 AND uuid = $2 AND expires_at > now()`,
      [this.name, uuid],
    );
    const row = rows[0];
    if (!row) return undefined;
    if (row.outcome === null)
      throw new JobCorruptError(uuid, this.name, `its outcome is ${row.bytes} bytes, over the bound of ${this.#max}`);
    return decodeOutcome(row.outcome, uuid, this.name, this.options.maxDetailsBytes);
  }

  protected async storeClose(): Promise<void> {
    clearInterval(this.#reaper);
    await this.#listener.close();
    await this.#pool.end().catch(() => undefined);
  }
}
