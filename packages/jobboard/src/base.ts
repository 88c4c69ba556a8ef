import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type Logger } from '@tf/core';
import { JobboardErrorCode, JobboardUnavailableError, JobTimeoutError } from './errors';
import type { ResolvedJobboardOptions } from './options';
import { newRecord, type JobRecord, toJob } from './record';
import { ClaimRenewals } from './renewals';
import type {
  Claim,
  ClaimNext,
  ClaimNextOptions,
  IterateOptions,
  Job,
  Jobboard,
  JobboardEvent,
  JobDetails,
  JobNote,
  JobOutcome,
  PostOptions,
} from './types';
import { checkDetails, checkName, checkOutcome, checkPostOptions, checkReason, checkUuid } from './validate';

export const JOBBOARD_BRAND = Symbol.for('tf.jobboard');

/** How often `waitForOutcome` looks again without an event (events may be lost while a connection is re-made). */
export const OUTCOME_RECHECK_MS = 5_000;

/**
 * What every board shares: argument checks, claim renewal, events to listeners, waiting for
 * outcomes, close. A board implements the `store*` primitives on its store; each must be
 * atomic on the store (a claim is exclusive across processes).
 */
export abstract class BaseJobboard implements Jobboard, ClaimNext {
  readonly name: string;
  protected readonly options: ResolvedJobboardOptions;
  protected readonly logger: Logger;
  readonly #listeners = new Set<(event: JobboardEvent) => void>();
  readonly #renewals: ClaimRenewals;
  #closed = false;

  protected constructor(options: ResolvedJobboardOptions) {
    this.options = options;
    this.name = options.board;
    this.logger = options.logger;
    this.#renewals = new ClaimRenewals(options.claimTtlMs, (uuid, owner, ttl) => this.storeRenew(uuid, owner, ttl), options.logger);
  }

  protected abstract storePost(record: JobRecord): Promise<void>;
  protected abstract storeGet(uuid: string): Promise<Job | undefined>;
  /** Jobs by priority then age; a corrupt one is given to `reportCorrupt` and skipped. */
  protected abstract storeList(onlyUnclaimed: boolean): AsyncIterable<Job>;
  protected abstract storeClaim(uuid: string, owner: string, ttlMs: number): Promise<Job>;
  protected abstract storeRenew(uuid: string, owner: string, ttlMs: number): Promise<boolean>;
  protected abstract storeOwner(uuid: string): Promise<string | undefined>;
  protected abstract storeConsume(uuid: string, owner: string, outcome: JobOutcome): Promise<void>;
  protected abstract storeAbandon(uuid: string, owner: string, reason: string | undefined): Promise<void>;
  protected abstract storeTrash(uuid: string, owner: string, outcome: JobOutcome): Promise<void>;
  protected abstract storeNote(uuid: string, note: JobNote): Promise<void>;
  protected abstract storeOutcome(uuid: string): Promise<JobOutcome | undefined>;
  protected abstract storeClose(): Promise<void>;

  protected get closed(): boolean {
    return this.#closed;
  }

  protected assertOpen(): void {
    if (this.#closed) throw new JobboardUnavailableError(`The jobboard '${this.name}' is closed.`);
  }

  /** Gives an event from the store to this object's listeners (and its claim renewals). */
  protected emit(event: JobboardEvent): void {
    this.#renewals.observe(event);
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.logger.warn({ err: error, event }, 'jobboard: a watch listener threw');
      }
    }
  }

  /** A job the store holds but that is not one a board wrote: logged, skipped by iterate. */
  protected reportCorrupt(error: unknown): void {
    this.logger.warn({ err: error, board: this.name }, 'jobboard: skipping a corrupt job');
  }

  async post(details: JobDetails, options?: PostOptions): Promise<Job> {
    this.assertOpen();
    const checked = checkDetails(details, this.options.maxDetailsBytes);
    const { uuid, name, priority } = checkPostOptions(options, checked.flow, randomUUID);
    const record = newRecord(this.name, uuid, name, priority, checked, new Date().toISOString());
    await this.storePost(record);
    return toJob(record, { state: 'UNCLAIMED', claims: 0, updatedAt: record.createdAt, notes: [] });
  }

  async get(uuid: string): Promise<Job | undefined> {
    this.assertOpen();
    return this.storeGet(checkUuid(uuid));
  }

  async *iterate(options?: IterateOptions): AsyncIterable<Job> {
    this.assertOpen();
    yield* this.storeList(options?.onlyUnclaimed === true);
  }

  async count(options?: IterateOptions): Promise<number> {
    let n = 0;
    for await (const _ of this.iterate(options)) n++;
    return n;
  }

  async claim(uuid: string, owner: string): Promise<Claim> {
    this.assertOpen();
    checkUuid(uuid);
    checkName(owner, 'owner');
    const job = await this.storeClaim(uuid, owner, this.options.claimTtlMs);
    const lost = this.#renewals.hold(uuid, owner);
    return Object.freeze({ job, owner, lost });
  }

  /**
   * Claims the first UNCLAIMED job by priority then age whose flow `options.flows` allows;
   * `undefined` when there is none. A job someone else claims meanwhile is skipped.
   */
  async claimNext(owner: string, options: ClaimNextOptions = {}): Promise<Claim | undefined> {
    this.assertOpen();
    checkName(owner, 'owner');
    const given = options?.flows;
    if (given !== undefined && (!Array.isArray(given) || given.some((f) => typeof f !== 'string'))) {
      throw new InvalidArgumentError('claimNext: flows must be an array of flow names.');
    }
    const flows = given === undefined ? undefined : new Set(given);
    const job = await this.storeClaimNext(owner, this.options.claimTtlMs, flows);
    if (!job) return undefined;
    const lost = this.#renewals.hold(job.uuid, owner);
    return Object.freeze({ job, owner, lost });
  }

  /** What `claimNext` does on the store: by default, list unclaimed jobs and claim the first that is still free. */
  protected async storeClaimNext(owner: string, ttlMs: number, flows: ReadonlySet<string> | undefined): Promise<Job | undefined> {
    for await (const candidate of this.storeList(true)) {
      if (flows && !flows.has(candidate.details.flow)) continue;
      try {
        return await this.storeClaim(candidate.uuid, owner, ttlMs);
      } catch (error) {
        const code = (error as { code?: unknown } | undefined)?.code;
        if (code === JobboardErrorCode.Claimed || code === JobboardErrorCode.NotFound) continue;
        throw error;
      }
    }
    return undefined;
  }

  async owner(uuid: string): Promise<string | undefined> {
    this.assertOpen();
    return this.storeOwner(checkUuid(uuid));
  }

  async consume(uuid: string, owner: string, outcome: Omit<JobOutcome, 'uuid' | 'by' | 'at'>): Promise<void> {
    this.assertOpen();
    checkUuid(uuid);
    checkName(owner, 'owner');
    const checked = checkOutcome(outcome, this.options.maxDetailsBytes);
    await this.storeConsume(uuid, owner, { ...checked, uuid, by: owner, at: new Date().toISOString() });
    this.#renewals.release(uuid, owner);
  }

  async abandon(uuid: string, owner: string, reason?: string): Promise<void> {
    this.assertOpen();
    checkUuid(uuid);
    checkName(owner, 'owner');
    await this.storeAbandon(uuid, owner, reason === undefined ? undefined : checkReason(reason, 'reason'));
    this.#renewals.release(uuid, owner);
  }

  async trash(uuid: string, owner: string, reason: string): Promise<void> {
    this.assertOpen();
    checkUuid(uuid);
    checkName(owner, 'owner');
    const why = checkReason(reason, 'reason');
    await this.storeTrash(uuid, owner, { uuid, state: 'TRASHED', by: owner, at: new Date().toISOString(), reason: why });
    this.#renewals.release(uuid, owner);
  }

  async note(uuid: string, note: Omit<JobNote, 'at'>): Promise<void> {
    this.assertOpen();
    checkUuid(uuid);
    const by = checkName(note?.by, 'note.by');
    const reason = checkReason(note?.reason, 'note.reason');
    return this.storeNote(uuid, { by, reason, at: new Date().toISOString() });
  }

  async outcome(uuid: string): Promise<JobOutcome | undefined> {
    this.assertOpen();
    return this.storeOutcome(checkUuid(uuid));
  }

  async waitForOutcome(uuid: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<JobOutcome> {
    this.assertOpen();
    checkUuid(uuid);
    const { timeoutMs, signal } = options ?? {};
    if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new InvalidArgumentError(`waitForOutcome needs a positive timeoutMs, got ${String(timeoutMs)}.`);
    }
    return new Promise<JobOutcome>((resolve, reject) => {
      let done = false;
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        clearInterval(recheck);
        unwatch();
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const look = () => {
        if (done) return;
        this.outcome(uuid).then(
          (outcome) => {
            if (outcome) finish(() => resolve(outcome));
          },
          (error: unknown) => finish(() => reject(error)),
        );
      };
      const onAbort = () => finish(() => reject(signal?.reason));
      const unwatch = this.watch((event) => {
        if ((event.type === 'consumed' || event.type === 'trashed') && event.uuid === uuid) look();
      });
      const timer = setTimeout(() => finish(() => reject(new JobTimeoutError(uuid, timeoutMs))), timeoutMs);
      const recheck = setInterval(look, OUTCOME_RECHECK_MS);
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      look();
    });
  }

  watch(listener: (event: JobboardEvent) => void): () => void {
    if (typeof listener !== 'function') throw new InvalidArgumentError('watch() needs a listener function.');
    const wrapped = (event: JobboardEvent) => listener(event);
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#renewals.close();
    this.#listeners.clear();
    await this.storeClose();
  }
}
Object.defineProperty(BaseJobboard.prototype, JOBBOARD_BRAND, { value: true });
