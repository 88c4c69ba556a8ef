/**
 * The jobboard contract (TaskFlow's `taskflow.jobs.base.JobBoard`, ported in behaviour).
 * This file is the agreed contract between the board packages and the conductor: copy it
 * verbatim into packages/jobboard/src/types.ts; additions are fine, changes to what is here
 * need the lead's agreement.
 *
 * A job names a registered flow factory plus its JSON arguments and initial store, never code.
 * States (TaskFlow's): UNCLAIMED -> CLAIMED (one owner, a lease renewed by the board object that
 * claimed it; expires when the owner stops renewing, and the job is UNCLAIMED again)
 * -> consumed (COMPLETE: off the board, its outcome kept for `outcomeTtlMs`) or abandoned
 * (UNCLAIMED again, at once) or trashed (off the board, kept in the trash with a reason).
 */
import type { FailureDict } from '@tf/core'; // the wire failure dict type the core already exports (use its real name)

export type JobState = 'UNCLAIMED' | 'CLAIMED' | 'COMPLETE' | 'TRASHED';
export type JobPriority = 'VERY_HIGH' | 'HIGH' | 'NORMAL' | 'LOW' | 'VERY_LOW';

/** What a job asks for: JSON only, validated and size-bounded by every board. */
export interface JobDetails {
  /** The name of a flow factory a conductor was given (`flows: { [name]: factory }`). */
  flow: string;
  /** Given to the factory. JSON. */
  args: Record<string, unknown>;
  /** The flow's initial store. JSON. */
  store: Record<string, unknown>;
  /** The logbook the run's flow detail goes in (a conductor default applies when absent). */
  book?: string;
}

/** A note left on a job by a conductor that would not or could not run it. Bounded list (last 10). */
export interface JobNote {
  by: string;
  reason: string;
  /** ISO 8601 */
  at: string;
}

export interface Job {
  readonly uuid: string;
  /** A human name (defaults to the flow name). */
  readonly name: string;
  readonly board: string;
  readonly details: JobDetails;
  readonly priority: JobPriority;
  readonly state: JobState;
  /** The claim's owner when CLAIMED. */
  readonly owner?: string;
  /** ISO 8601 */
  readonly createdAt: string;
  readonly updatedAt: string;
  /** How many times the job was claimed (a second claim means a resumption). */
  readonly claims: number;
  readonly notes: readonly JobNote[];
}

export type JobOutcomeState = 'SUCCESS' | 'REVERTED' | 'FAILURE' | 'TRASHED';

/** What `consume` (or `trash`) records and `outcome()` returns. */
export interface JobOutcome {
  uuid: string;
  state: JobOutcomeState;
  by: string;
  /** ISO 8601 */
  at: string;
  /** The flow detail the run was kept in. */
  flowDetailId?: string;
  /** The failure that ended a REVERTED/FAILURE run, as TaskFlow's failure dict. */
  failure?: FailureDict;
  /** Why it was trashed. */
  reason?: string;
}

export interface PostOptions {
  name?: string;
  priority?: JobPriority;
  /** Give the job a known uuid (idempotent post: a second post of the same uuid is refused with TF_JOB_EXISTS). */
  uuid?: string;
}

export interface IterateOptions {
  /** Only UNCLAIMED jobs (what a conductor looks at). */
  onlyUnclaimed?: boolean;
}

/** Events a board emits without busy polling (Redis pub/sub, PostgreSQL LISTEN/NOTIFY, plus a timer at the claim-expiry granularity for expired claims). */
export type JobboardEvent =
  | { type: 'posted'; uuid: string }
  | { type: 'claimed'; uuid: string; owner: string }
  | { type: 'abandoned'; uuid: string; owner: string }
  | { type: 'expired'; uuid: string; owner: string }
  | { type: 'consumed'; uuid: string; state: JobOutcomeState }
  | { type: 'trashed'; uuid: string };

/**
 * A held claim. The board object that made it renews it every `claimTtlMs / 3`; `lost` aborts
 * when a renewal finds the claim gone or owned by someone else (the owner must stop working on
 * the job: another may have taken it over).
 */
export interface Claim {
  readonly job: Job;
  readonly owner: string;
  readonly lost: AbortSignal;
}

export interface Jobboard {
  /** The board's name (a namespace on the store: several boards share one Redis or database). */
  readonly name: string;
  post(details: JobDetails, options?: PostOptions): Promise<Job>;
  get(uuid: string): Promise<Job | undefined>;
  /** Jobs on the board, by priority then age (oldest first). Consumed and trashed jobs are not listed. */
  iterate(options?: IterateOptions): AsyncIterable<Job>;
  count(options?: IterateOptions): Promise<number>;
  /** Atomically claim an UNCLAIMED job. Throws JobClaimedError (TF_JOB_CLAIMED) when someone holds it, JobNotFoundError (TF_JOB_NOT_FOUND) when it is gone. */
  claim(uuid: string, owner: string): Promise<Claim>;
  /** The current owner, if claimed and not expired. */
  owner(uuid: string): Promise<string | undefined>;
  /** Ends the job: off the board, the outcome kept. Throws NotOwnerError (TF_JOB_NOT_OWNER) unless `owner` holds the claim. */
  consume(uuid: string, owner: string, outcome: Omit<JobOutcome, 'uuid' | 'by' | 'at'>): Promise<void>;
  /** Gives the claim up at once: the job is UNCLAIMED again and others are told. Throws NotOwnerError. */
  abandon(uuid: string, owner: string, reason?: string): Promise<void>;
  /** Removes the job from the board into the trash with a reason (its outcome: TRASHED). Throws NotOwnerError. */
  trash(uuid: string, owner: string, reason: string): Promise<void>;
  /** Leaves a note on an unclaimed job without claiming it (why a conductor will not run it). Idempotent per (by, reason). */
  note(uuid: string, note: Omit<JobNote, 'at'>): Promise<void>;
  /** The recorded outcome of a consumed or trashed job, if still kept. */
  outcome(uuid: string): Promise<JobOutcome | undefined>;
  /** Waits for the job's outcome; rejects with JobTimeoutError (TF_JOB_TIMEOUT) after timeoutMs. */
  waitForOutcome(uuid: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<JobOutcome>;
  /** Subscribes to events; returns an unsubscribe. */
  watch(listener: (event: JobboardEvent) => void): () => void;
  /** Stops renewing, closes connections (held claims then expire unless abandoned first). */
  close(): Promise<void>;
}

/** Options every board takes (plus its own): */
export interface JobboardOptions {
  /** The board's name; default 'tf'. */
  board?: string;
  /** Claim lease; default 30_000 ms; renewed every third. */
  claimTtlMs?: number;
  /** How long an outcome is kept after consume/trash; default 24 h. */
  outcomeTtlMs?: number;
  /** Max encoded size of a job's details; default 1 MiB. */
  maxDetailsBytes?: number;
  logger?: import('@tf/core').Logger;
}

/**
 * Resolution, like transports and persistence backends:
 *   resolveJobboard('redis://127.0.0.1:6379/0?board=orders')      -> @tf/jobboard-redis
 *   resolveJobboard('postgresql://127.0.0.1/test?board=orders')  -> @tf/jobboard-postgres
 *   resolveJobboard('memory://orders')                            -> built in (one process)
 *   resolveJobboard({ connection, board, claimTtlMs, ... }) or a Jobboard object as is.
 * A package exports `createJobboard(url: URL, options): Jobboard | Promise<Jobboard>`;
 * `registerJobboard(scheme, create)` serves a scheme without a package lookup.
 * Errors: JobboardNotInstalledError TF_JOBBOARD_NOT_INSTALLED, JobboardUnavailableError TF_JOBBOARD_UNAVAILABLE,
 * JobClaimedError TF_JOB_CLAIMED, JobNotFoundError TF_JOB_NOT_FOUND, NotOwnerError TF_JOB_NOT_OWNER,
 * JobExistsError TF_JOB_EXISTS, JobTimeoutError TF_JOB_TIMEOUT, InvalidJobError TF_JOB_INVALID (validation/size).
 *
 * And the caller's helper (in @tf/jobboard):
 *   post(board, flowName, { args, store, book, name, priority, uuid }) -> Job
 */

// ---- Additions to the contract (by the board packages) ----

/** What a board package exports as `createJobboard` (named or default). */
export type CreateJobboard = (url: URL, options: Readonly<Record<string, unknown>>) => Jobboard | Promise<Jobboard>;

/** Which jobs `claimNext` may take. */
export interface ClaimNextOptions {
  /** Only jobs naming one of these flows (a conductor's allow-list); default any. */
  flows?: readonly string[];
}

/**
 * An addition every first-party board implements (optional in the contract, so check for it):
 * claim the first UNCLAIMED job by priority then age that `options` allows, skipping jobs
 * others are claiming at that moment; `undefined` when there is none.
 */
export interface ClaimNext {
  claimNext(owner: string, options?: ClaimNextOptions): Promise<Claim | undefined>;
}

/** A URL plus options, as `resolveJobboard` takes them. */
export interface JobboardConnection extends JobboardOptions {
  connection: string;
  [option: string]: unknown;
}

/** What `resolveJobboard` accepts: a URL, a URL with options, or a board object as is. */
export type JobboardInput = string | JobboardConnection | Jobboard;
