import { JobClaimedError, JobExistsError, JobNotFoundError, NotOwnerError } from './errors';
import type { ResolvedJobboardOptions } from './options';
import { BaseJobboard } from './base';
import { decodeJobRecord, decodeNotes, decodeOutcome, encodeJobRecord, encodeOutcome, type JobRecord, toJob, withNote } from './record';
import type { Job, JobboardEvent, JobNote, JobOutcome } from './types';
import { priorityRank } from './validate';

interface MemoryEntry {
  /** The record as JSON text, decoded and checked on every read like a shared store's. */
  text: string;
  rank: number;
  seq: number;
  claims: number;
  updatedAt: string;
  notes: string;
  owner?: string | undefined;
  expiry?: ReturnType<typeof setTimeout> | undefined;
}

interface Kept {
  text: string;
  expiresAt: number;
}

/** One board's jobs, shared by every board object of that name in the process. */
interface MemoryBoardState {
  jobs: Map<string, MemoryEntry>;
  outcomes: Map<string, Kept>;
  trash: Map<string, Kept>;
  seq: number;
  listeners: Set<(event: JobboardEvent) => void>;
}

const STATES_KEY = Symbol.for('tf.jobboard.memory');
function boardState(board: string): MemoryBoardState {
  const holder = globalThis as unknown as Record<symbol, Map<string, MemoryBoardState> | undefined>;
  holder[STATES_KEY] ??= new Map();
  const states = holder[STATES_KEY];
  let state = states.get(board);
  if (!state) {
    state = { jobs: new Map(), outcomes: new Map(), trash: new Map(), seq: 0, listeners: new Set() };
    states.set(board, state);
  }
  return state;
}

/**
 * Replaces the stored record of a job on a `memory://` board with `text`, as a damaged shared
 * store would hold it. For conformance tests of what a board does with hostile stored data.
 */
export function corruptMemoryJob(board: string, uuid: string, text: string): void {
  const entry = boardState(board).jobs.get(uuid);
  if (!entry) throw new JobNotFoundError(uuid, board);
  entry.text = text;
}

const now = (): string => new Date().toISOString();

/**
 * `memory://<board>`: a board in this process, shared by every board object of the same
 * name (so one process can post and conduct). Claims expire by timer, events are delivered
 * asynchronously, outcomes kept for `outcomeTtlMs`. Nothing survives the process.
 */
export class MemoryJobboard extends BaseJobboard {
  readonly #state: MemoryBoardState;
  readonly #listener = (event: JobboardEvent) => this.emit(event);

  constructor(options: ResolvedJobboardOptions) {
    super(options);
    this.#state = boardState(options.board);
    this.#state.listeners.add(this.#listener);
  }

  #publish(event: JobboardEvent): void {
    for (const listener of this.#state.listeners) queueMicrotask(() => listener(event));
  }

  #job(uuid: string, entry: MemoryEntry): Job {
    const record = decodeJobRecord(entry.text, uuid, this.name, this.options.maxDetailsBytes);
    return toJob(record, {
      state: entry.owner === undefined ? 'UNCLAIMED' : 'CLAIMED',
      owner: entry.owner,
      claims: entry.claims,
      updatedAt: entry.updatedAt,
      notes: decodeNotes(entry.notes, uuid, this.name),
    });
  }

  #kept(map: Map<string, Kept>, uuid: string): Kept | undefined {
    const kept = map.get(uuid);
    if (kept && kept.expiresAt <= Date.now()) {
      map.delete(uuid);
      return undefined;
    }
    return kept;
  }

  #entry(uuid: string): MemoryEntry {
    const entry = this.#state.jobs.get(uuid);
    if (!entry) throw new JobNotFoundError(uuid, this.name);
    return entry;
  }

  #owned(uuid: string, owner: string): MemoryEntry {
    const entry = this.#entry(uuid);
    if (entry.owner !== owner) throw new NotOwnerError(uuid, owner, entry.owner);
    return entry;
  }

  #unclaim(entry: MemoryEntry): void {
    clearTimeout(entry.expiry);
    entry.expiry = undefined;
    entry.owner = undefined;
    entry.updatedAt = now();
  }

  #expireIn(uuid: string, entry: MemoryEntry, ttlMs: number): void {
    clearTimeout(entry.expiry);
    entry.expiry = setTimeout(() => {
      if (this.#state.jobs.get(uuid) !== entry || entry.owner === undefined) return;
      const owner = entry.owner;
      this.#unclaim(entry);
      this.#publish({ type: 'expired', uuid, owner });
    }, ttlMs);
    entry.expiry.unref?.();
  }

  protected async storePost(record: JobRecord): Promise<void> {
    const { uuid } = record;
    if (this.#state.jobs.has(uuid) || this.#kept(this.#state.outcomes, uuid)) throw new JobExistsError(uuid, this.name);
    this.#state.jobs.set(uuid, {
      text: encodeJobRecord(record),
      rank: priorityRank(record.priority),
      seq: ++this.#state.seq,
      claims: 0,
      updatedAt: record.createdAt,
      notes: '[]',
    });
    this.#publish({ type: 'posted', uuid });
  }

  protected async storeGet(uuid: string): Promise<Job | undefined> {
    const entry = this.#state.jobs.get(uuid);
    return entry ? this.#job(uuid, entry) : undefined;
  }

  protected async *storeList(onlyUnclaimed: boolean): AsyncIterable<Job> {
    const entries = [...this.#state.jobs].sort(([, a], [, b]) => a.rank - b.rank || a.seq - b.seq);
    for (const [uuid, entry] of entries) {
      if (this.#state.jobs.get(uuid) !== entry) continue;
      if (onlyUnclaimed && entry.owner !== undefined) continue;
      let job: Job;
      try {
        job = this.#job(uuid, entry);
      } catch (error) {
        this.reportCorrupt(error);
        continue;
      }
      yield job;
    }
  }

  protected async storeClaim(uuid: string, owner: string, ttlMs: number): Promise<Job> {
    const entry = this.#entry(uuid);
    if (entry.owner !== undefined) throw new JobClaimedError(uuid, entry.owner);
    entry.owner = owner;
    entry.claims++;
    entry.updatedAt = now();
    this.#expireIn(uuid, entry, ttlMs);
    this.#publish({ type: 'claimed', uuid, owner });
    return this.#job(uuid, entry);
  }

  protected async storeRenew(uuid: string, owner: string, ttlMs: number): Promise<boolean> {
    const entry = this.#state.jobs.get(uuid);
    if (!entry || entry.owner !== owner) return false;
    this.#expireIn(uuid, entry, ttlMs);
    return true;
  }

  protected async storeOwner(uuid: string): Promise<string | undefined> {
    return this.#state.jobs.get(uuid)?.owner;
  }

  #remove(uuid: string, entry: MemoryEntry): void {
    clearTimeout(entry.expiry);
    this.#state.jobs.delete(uuid);
  }

  protected async storeConsume(uuid: string, owner: string, outcome: JobOutcome): Promise<void> {
    const entry = this.#owned(uuid, owner);
    this.#remove(uuid, entry);
    this.#state.outcomes.set(uuid, { text: encodeOutcome(outcome), expiresAt: Date.now() + this.options.outcomeTtlMs });
    this.#publish({ type: 'consumed', uuid, state: outcome.state });
  }

  protected async storeAbandon(uuid: string, owner: string): Promise<void> {
    const entry = this.#owned(uuid, owner);
    this.#unclaim(entry);
    this.#publish({ type: 'abandoned', uuid, owner });
  }

  protected async storeTrash(uuid: string, owner: string, outcome: JobOutcome): Promise<void> {
    const entry = this.#owned(uuid, owner);
    this.#remove(uuid, entry);
    const expiresAt = Date.now() + this.options.outcomeTtlMs;
    this.#state.outcomes.set(uuid, { text: encodeOutcome(outcome), expiresAt });
    this.#state.trash.set(uuid, { text: JSON.stringify({ record: entry.text, reason: outcome.reason, at: outcome.at }), expiresAt });
    this.#publish({ type: 'trashed', uuid });
  }

  protected async storeNote(uuid: string, note: JobNote): Promise<void> {
    const entry = this.#entry(uuid);
    const notes = withNote(decodeNotes(entry.notes, uuid, this.name), note);
    if (!notes) return;
    entry.notes = JSON.stringify(notes);
    entry.updatedAt = note.at;
  }

  protected async storeOutcome(uuid: string): Promise<JobOutcome | undefined> {
    const kept = this.#kept(this.#state.outcomes, uuid);
    return kept ? decodeOutcome(kept.text, uuid, this.name, this.options.maxDetailsBytes) : undefined;
  }

  protected async storeClose(): Promise<void> {
    this.#state.listeners.delete(this.#listener);
  }
}
