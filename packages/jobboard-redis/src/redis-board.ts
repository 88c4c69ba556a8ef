import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
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
  JobboardUnavailableError,
  type JobboardEvent,
  JobExistsError,
  type JobNote,
  JobNotFoundError,
  type JobOutcome,
  type JobRecord,
  MAX_NOTES,
  NotOwnerError,
  parseEvent,
  positiveIntegerOption,
  priorityRank,
  redactUrl,
  resolveJobboardOptions,
  toJob,
} from '@tf/jobboard';
import { type BoardCommands, defineScripts } from './scripts';
import { type BoardLayout, boardLayout } from './layout';

export interface RedisJobboardOptions {
  /** How long opening waits for Redis before `TF_JOBBOARD_UNAVAILABLE` (default 10 000). */
  connectTimeoutMs?: number;
}

const OWN_OPTIONS = ['connectTimeoutMs'];
/** Board entries the claimNext script looks at, at most, before falling back to listing. */
const CLAIM_NEXT_LIMIT = 10_000;
/** Jobs read per round trip by iterate. */
const PAGE = 100;
const HOST = hostname().replace(/[^A-Za-z0-9_.-]/g, '_');

const now = (): string => new Date().toISOString();

async function connectWithin(client: Redis, ms: number, where: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      client.connect(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no connection within ${ms} ms`)), ms);
      }),
    ]);
  } catch (error) {
    client.disconnect();
    throw new JobboardUnavailableError(`Cannot reach the Redis jobboard at ${where}: ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `redis://host:port/db?board=name` (or `rediss://`): a job is a hash, the board a sorted set
 * (priority, then post order), a claim a key set with SET NX PX that its holder renews and
 * that Redis expires when the holder stops; state changes run as Lua scripts (atomic, one
 * round trip) that also publish the board's events on its pub/sub channel. A timer at half the
 * claim TTL finds lapsed claims and publishes `expired`.
 */
export class RedisJobboard extends BaseJobboard {
  readonly location: string;
  readonly #commands: BoardCommands;
  readonly #subscriber: Redis;
  readonly #keys: BoardLayout;
  #reaper: ReturnType<typeof setInterval> | undefined;

  private constructor(url: URL, options: Readonly<Record<string, unknown>>) {
    super(resolveJobboardOptions(options, url, OWN_OPTIONS));
    this.location = redactUrl(url.href);
    this.#keys = boardLayout(this.name);
    const name = `tf-jobboard:${HOST}:${process.pid}:${randomBytes(3).toString('hex')}`;
    const clean = new URL(url.href);
    clean.searchParams.delete('board');
    const config = {
      lazyConnect: true,
      connectionName: name,
      connectTimeout: positiveIntegerOption(options, 'connectTimeoutMs', 10_000),
      maxRetriesPerRequest: 3,
    };
    this.#commands = defineScripts(new Redis(clean.href, config));
    this.#subscriber = new Redis(clean.href, config);
    for (const client of [this.#commands, this.#subscriber]) {
      // Without a listener a broken connection would crash the process; ioredis reconnects by itself.
      client.on('error', (error) => this.logger.warn({ err: error, jobboard: this.location }, 'redis jobboard: connection error'));
    }
    this.#subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.#keys.channel) return;
      const event = parseEvent(message);
      if (event) this.emit(event);
      else this.logger.warn({ jobboard: this.location, board: this.name }, 'redis jobboard: ignoring a malformed event');
    });
  }

  /** Connects both connections and subscribes to the board's events; an unreachable Redis is `TF_JOBBOARD_UNAVAILABLE`. */
  static async open(url: URL, options: Readonly<Record<string, unknown>> = {}): Promise<RedisJobboard> {
    const board = new RedisJobboard(url, options);
    const ms = positiveIntegerOption(options, 'connectTimeoutMs', 10_000);
    try {
      await connectWithin(board.#commands, ms, board.location);
      await connectWithin(board.#subscriber, ms, board.location);
      await board.#subscriber.subscribe(board.#keys.channel);
    } catch (error) {
      board.#commands.disconnect();
      board.#subscriber.disconnect();
      throw error;
    }
    board.#reaper = setInterval(() => void board.#reap(), Math.max(15, Math.floor(board.options.claimTtlMs / 2)));
    board.#reaper.unref?.();
    return board;
  }

  async #reap(): Promise<void> {
    if (this.closed) return;
    try {
      await this.#commands.tfjbReap(this.#keys.claimed, this.#keys.prefix, this.#keys.channel, now());
    } catch (error) {
      this.logger.warn({ err: error, jobboard: this.location }, 'redis jobboard: expiry check failed');
    }
  }

  #job(uuid: string, hash: Record<string, string>, owner: string | null): Job {
    const record = decodeJobRecord(hash['record'], uuid, this.name, this.options.maxDetailsBytes);
    const claims = Number(hash['claims']);
    if (!Number.isSafeInteger(claims) || claims < 0) throw new JobCorruptError(uuid, this.name, 'its claim count is not a count');
    const updatedAt = hash['updatedAt'];
    if (typeof updatedAt !== 'string' || updatedAt.length > 64) throw new JobCorruptError(uuid, this.name, 'its updatedAt is not a time');
    return toJob(record, {
      state: owner === null ? 'UNCLAIMED' : 'CLAIMED',
      owner: owner ?? undefined,
      claims,
      updatedAt,
      notes: decodeNotes(hash['notes'], uuid, this.name),
    });
  }

  /** The hash and claim owner of each job, in one round trip. */
  async #read(uuids: readonly string[]): Promise<[Record<string, string>, string | null][]> {
    const pipeline = this.#commands.pipeline();
    for (const uuid of uuids) pipeline.hgetall(this.#keys.job(uuid)).get(this.#keys.claim(uuid));
    const replies = (await pipeline.exec()) ?? [];
    const out: [Record<string, string>, string | null][] = [];
    for (let i = 0; i < uuids.length; i++) {
      const [hashError, hash] = replies[2 * i] ?? [new Error('no reply'), null];
      const [ownerError, owner] = replies[2 * i + 1] ?? [new Error('no reply'), null];
      if (hashError) throw hashError;
      if (ownerError) throw ownerError;
      out.push([(hash ?? {}) as Record<string, string>, (owner as string | null) ?? null]);
    }
    return out;
  }

  #event(event: JobboardEvent): string {
    return encodeEvent(event);
  }

  protected async storePost(record: JobRecord): Promise<void> {
    const k = this.#keys;
    const { uuid } = record;
    const added = await this.#commands.tfjbPost(
      k.job(uuid),
      k.jobs,
      k.seq,
      k.outcome(uuid),
      uuid,
      encodeJobRecord(record),
      record.createdAt,
      String(priorityRank(record.priority)),
      k.channel,
      this.#event({ type: 'posted', uuid }),
      record.details.flow,
    );
    if (added !== 1) throw new JobExistsError(uuid, this.name);
  }

  protected async storeGet(uuid: string): Promise<Job | undefined> {
    const [[hash, owner]] = (await this.#read([uuid])) as [[Record<string, string>, string | null]];
    if (Object.keys(hash).length === 0) return undefined;
    return this.#job(uuid, hash, owner);
  }

  protected async *storeList(onlyUnclaimed: boolean): AsyncIterable<Job> {
    // Keyset pages by score (priority rank, then post sequence: unique), so jobs leaving the
    // board meanwhile shift nothing.
    let after = '-inf';
    for (;;) {
      this.assertOpen();
      const page = await this.#commands.zrangebyscore(this.#keys.jobs, after, '+inf', 'WITHSCORES', 'LIMIT', 0, PAGE);
      if (page.length === 0) return;
      const uuids: string[] = [];
      for (let i = 0; i < page.length; i += 2) uuids.push(page[i] as string);
      after = `(${page[page.length - 1]}`;
      const rows = await this.#read(uuids);
      for (let i = 0; i < uuids.length; i++) {
        const uuid = uuids[i] as string;
        const [hash, owner] = rows[i] as [Record<string, string>, string | null];
        if (Object.keys(hash).length === 0) continue;
        if (onlyUnclaimed && owner !== null) continue;
        let job: Job;
        try {
          job = this.#job(uuid, hash, owner);
        } catch (error) {
          this.reportCorrupt(error);
          continue;
        }
        yield job;
      }
      if (page.length < PAGE * 2) return;
    }
  }

  protected async storeClaim(uuid: string, owner: string, ttlMs: number): Promise<Job> {
    const k = this.#keys;
    const at = now();
    const reply = await this.#commands.tfjbClaim(
      k.job(uuid),
      k.claim(uuid),
      k.claimed,
      uuid,
      owner,
      String(ttlMs),
      at,
      k.channel,
      this.#event({ type: 'claimed', uuid, owner }),
    );
    if (reply[0] === 0) throw new JobNotFoundError(uuid, this.name);
    if (reply[0] === -1) throw new JobClaimedError(uuid, reply[1] || undefined);
    const [, , record, claims, updatedAt, notes] = reply;
    return this.#job(uuid, { record: record ?? '', claims: claims ?? '', updatedAt: updatedAt ?? '', notes: notes ?? '' }, owner);
  }

  /**
   * One script walks the board in order and claims the first free job of an allowed flow
   * (bounded: CLAIM_NEXT_LIMIT entries; past that, the listing way of BaseJobboard).
   */
  protected override async storeClaimNext(owner: string, ttlMs: number, flows: ReadonlySet<string> | undefined): Promise<Job | undefined> {
    const k = this.#keys;
    const reply = await this.#commands.tfjbClaimNext(
      k.jobs,
      k.claimed,
      k.prefix,
      owner,
      String(ttlMs),
      now(),
      k.channel,
      flows === undefined ? '' : JSON.stringify([...flows]),
      String(CLAIM_NEXT_LIMIT),
    );
    if (reply.length === 0) return undefined;
    const [uuid, record, claims, updatedAt, notes] = reply;
    if (!uuid) return super.storeClaimNext(owner, ttlMs, flows);
    try {
      return this.#job(uuid, { record: record ?? '', claims: claims ?? '', updatedAt: updatedAt ?? '', notes: notes ?? '' }, owner);
    } catch (error) {
      // Left claimed until the lease lapses, so it is not handed out again at once.
      this.reportCorrupt(error);
      throw error;
    }
  }

  protected async storeRenew(uuid: string, owner: string, ttlMs: number): Promise<boolean> {
    return (await this.#commands.tfjbRenew(this.#keys.claim(uuid), owner, String(ttlMs))) === 1;
  }

  protected async storeOwner(uuid: string): Promise<string | undefined> {
    return (await this.#commands.get(this.#keys.claim(uuid))) ?? undefined;
  }

  #check(reply: [number, string, ...string[]], uuid: string, owner: string): void {
    if (reply[0] === 0) throw new JobNotFoundError(uuid, this.name);
    if (reply[0] === -1) throw new NotOwnerError(uuid, owner, reply[1] || undefined);
  }

  async #end(uuid: string, owner: string, outcome: JobOutcome, event: JobboardEvent, trash: boolean): Promise<void> {
    const k = this.#keys;
    const reply = await this.#commands.tfjbEnd(
      k.job(uuid),
      k.claim(uuid),
      k.claimed,
      k.jobs,
      k.outcome(uuid),
      k.trash(uuid),
      uuid,
      owner,
      encodeOutcome(outcome),
      String(this.options.outcomeTtlMs),
      k.channel,
      this.#event(event),
      trash ? '1' : '0',
    );
    this.#check(reply, uuid, owner);
  }

  protected storeConsume(uuid: string, owner: string, outcome: JobOutcome): Promise<void> {
    return this.#end(uuid, owner, outcome, { type: 'consumed', uuid, state: outcome.state }, false);
  }

  protected storeTrash(uuid: string, owner: string, outcome: JobOutcome): Promise<void> {
    return this.#end(uuid, owner, outcome, { type: 'trashed', uuid }, true);
  }

  protected async storeAbandon(uuid: string, owner: string): Promise<void> {
    const k = this.#keys;
    const reply = await this.#commands.tfjbAbandon(
      k.job(uuid),
      k.claim(uuid),
      k.claimed,
      uuid,
      owner,
      now(),
      k.channel,
      this.#event({ type: 'abandoned', uuid, owner }),
    );
    this.#check(reply, uuid, owner);
  }

  protected async storeNote(uuid: string, note: JobNote): Promise<void> {
    const done = await this.#commands.tfjbNote(this.#keys.job(uuid), note.by, note.reason, note.at, String(MAX_NOTES));
    if (done !== 1) throw new JobNotFoundError(uuid, this.name);
  }

  protected async storeOutcome(uuid: string): Promise<JobOutcome | undefined> {
    const text = await this.#commands.get(this.#keys.outcome(uuid));
    return text === null ? undefined : decodeOutcome(text, uuid, this.name, this.options.maxDetailsBytes);
  }

  protected async storeClose(): Promise<void> {
    clearInterval(this.#reaper);
    await Promise.allSettled([this.#subscriber.quit(), this.#commands.quit()]);
    this.#subscriber.disconnect();
    this.#commands.disconnect();
  }
}
