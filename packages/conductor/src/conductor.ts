import { hostname } from 'node:os';
import { InvalidStateError, type Logger, Notifier, TfError, type Transport } from '@tf/core';
import type { Claim, Job, Jobboard, JobboardEvent } from '@tf/jobboard';
import { BoundedSet } from './bounded-set';
import { ConductorEvent, type ConductorEventDetails } from './events';
import { checkJob } from './job-check';
import { JobRun, type JobRunEnd } from './job-run';
import { normaliseConductorOptions, type ConductorOptions, type NormalisedConductorOptions } from './options';
import { ConductorResources } from './resources';
import { VERSION } from './version';

export type ConductorState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface ConductorStopOptions {
  /** The longest `stop()` takes (ms); default the conductor's `stopTimeoutMs` (10 000). */
  timeoutMs?: number;
}

/** How many refused and noted job uuids a conductor remembers (the oldest are forgotten). */
const REMEMBERED_JOBS = 10_000;
/** How many jobs per flow slot a look at the board remembers for later. */
const CANDIDATES_PER_SLOT = 4;
/** A job that failed for a passing reason (a locked flow detail, a backend down) is left alone this long, then doubling, up to the rescan interval. */
const FIRST_BACKOFF_MS = 250;

/**
 * A conductor (TaskFlow's `taskflow.conductors`): watches a jobboard, claims the jobs whose
 * flow it serves (its allow-list of flow factories), runs each flow on an engine with a
 * persistence backend, and consumes the job with the flow's outcome. At most `maxFlows` flows
 * run at once. A job whose previous owner died is claimed again once its claim expires, and
 * its flow detail (the job's uuid) is resumed from the backend: what finished does not run
 * again. See docs/conductors.md.
 */
export class Conductor {
  /** The owner id jobs are claimed as. */
  readonly name: string;
  /** Job events: `job_claimed`, `job_started`, `job_consumed`, `job_abandoned`, `job_refused`, `job_skipped`, `job_lost`. */
  readonly notifier = new Notifier<ConductorEventDetails>();
  readonly #options: NormalisedConductorOptions;
  readonly #logger: Logger;
  readonly #resources: ConductorResources;
  readonly #runs = new Map<string, JobRun>();
  /** Board calls that end a run (consume, abandon, note): awaited before the board closes. */
  readonly #finishing = new Set<Promise<void>>();
  /** Jobs naming a flow this conductor does not serve, already noted. */
  readonly #noted = new BoundedSet(REMEMBERED_JOBS);
  /** Jobs that cannot run here (refused): never claimed again by this conductor. */
  readonly #refused = new BoundedSet(REMEMBERED_JOBS);
  /** Jobs left alone until a time (ms) after a passing failure, and how long the last wait was. */
  readonly #backoff = new Map<string, { until: number; ms: number }>();
  #state: ConductorState = 'idle';
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #scanning: Promise<void> | undefined;
  #rescan = false;
  /** Unclaimed jobs it serves, seen by the last look at the board when it had no room, in board order. */
  #candidates: string[] = [];
  #timer: NodeJS.Timeout | undefined;
  #unwatch: (() => void) | undefined;

  constructor(options: ConductorOptions) {
    this.#options = normaliseConductorOptions(options);
    this.name = this.#options.name;
    this.#logger = this.#options.logger.child?.({ conductor: this.name }) ?? this.#options.logger;
    this.notifier.onListenerError = (error, event) => this.#logger.warn({ err: error, event }, 'conductor listener threw');
    this.#resources = new ConductorResources(this.#options, this.#logger);
  }

  get state(): ConductorState {
    return this.#state;
  }

  /** The flow names this conductor serves. */
  get flowNames(): string[] {
    return Object.keys(this.#options.flows);
  }

  get maxFlows(): number {
    return this.#options.maxFlows;
  }

  /** The uuids of the jobs running now. */
  get activeJobs(): string[] {
    return [...this.#runs.keys()];
  }

  /** The board, once started. */
  get board(): Jobboard | undefined {
    return this.#resources.board;
  }

  /** The transport shared by the worker-based engines, once started. */
  get transport(): Transport | undefined {
    return this.#resources.transportOrUndefined();
  }

  /** What the conductor serves and where, as TaskFlow's worker banner has it. */
  get banner(): string {
    const r = this.#resources.describe();
    return [
      `tf conductor v${VERSION}`,
      'Jobboard:',
      `  Board = ${r.board}`,
      `  Owner = ${this.name}`,
      'Persistence:',
      `  Backend = ${r.backend}`,
      'Engine:',
      `  Engine = ${this.#options.engine}`,
      ...r.engine.map((line) => `  ${line}`),
      'Powered by:',
      `  Max flows = ${this.maxFlows}`,
      'Supported flows:',
      ...this.flowNames.map((name) => `  - ${name}`),
      'System details:',
      `  Hostname = ${hostname()}`,
      `  Pid = ${process.pid}`,
      `  Platform = ${process.platform}-${process.arch}`,
      `  Node = ${process.version}`,
    ].join('\n');
  }

  /**
   * Opens the board (and the backend and transport it was given as URLs), watches the board
   * and looks at the jobs already on it. Resolves once it is running. Calling it again while
   * starting or running returns the same promise; a stopped conductor cannot start again.
   */
  start(): Promise<void> {
    if (this.#starting) return this.#starting;
    if (this.#state !== 'idle') return Promise.reject(new InvalidStateError(`This conductor is ${this.#state}; make a new one.`));
    this.#state = 'starting';
    this.#starting = this.#start();
    return this.#starting;
  }

  async #start(): Promise<void> {
    try {
      await this.#resources.open();
    } catch (error) {
      await this.#resources.close().catch(() => undefined);
      this.#state = 'stopped';
      throw error;
    }
    if (this.#state !== 'starting') return; // stop() came meanwhile
    this.#state = 'running';
    this.#unwatch = this.#resources.board!.watch((event) => this.#onEvent(event));
    this.#timer = setInterval(() => {
      this.#candidates = [];
      this.#requestScan();
    }, this.#options.rescanIntervalMs);
    this.#timer.unref?.();
    this.#logger.info({ flows: this.flowNames, maxFlows: this.maxFlows }, 'conductor started');
    this.#requestScan();
  }

  #onEvent(event: JobboardEvent): void {
    if (event.type === 'posted' || event.type === 'abandoned' || event.type === 'expired') {
      // A job that may come before the ones remembered: look at the board from its start.
      this.#candidates = [];
      this.#requestScan();
    }
  }

  /** Looks at the board now, or once more after the look in progress. */
  #requestScan(): void {
    if (this.#state !== 'running') return;
    if (this.#scanning) {
      this.#rescan = true;
      return;
    }
    this.#rescan = false;
    this.#scanning = this.#scan()
      .catch((error: unknown) => this.#logger.warn({ err: error }, 'looking at the board failed; trying again at the next event or rescan'))
      .finally(() => {
        this.#scanning = undefined;
        if (this.#rescan) this.#requestScan();
      });
  }

  /**
   * Claims unclaimed jobs it serves, by priority then age, while it has room. The jobs it saw
   * but had no room for are remembered (a few, in board order) and tried first when a slot
   * frees, so a long board is not read again from its start for every job; an event that
   * may put a job before them (posted, abandoned, expired) forgets them.
   */
  async #scan(): Promise<void> {
    const board = this.#resources.board!;
    while (this.#candidates.length > 0) {
      if (this.#state !== 'running' || this.#runs.size >= this.maxFlows) return;
      const uuid = this.#candidates.shift()!;
      if (this.#runs.has(uuid) || this.#refused.has(uuid) || this.#waiting(uuid)) continue;
      await this.#claim(board, uuid);
    }
    const remember = this.maxFlows * CANDIDATES_PER_SLOT;
    for await (const job of board.iterate({ onlyUnclaimed: true })) {
      if (this.#state !== 'running') return;
      const full = this.#runs.size >= this.maxFlows;
      if (full && this.#candidates.length >= remember) return;
      if (job.state !== 'UNCLAIMED' || this.#runs.has(job.uuid) || this.#refused.has(job.uuid) || this.#waiting(job.uuid)) continue;
      const problem = checkJob(job);
      if (problem !== undefined) {
        await this.#skip(job, problem);
        continue;
      }
      if (!Object.hasOwn(this.#options.flows, job.details.flow)) {
        const served = this.flowNames.join(', ');
        await this.#skip(job, `no flow factory named '${job.details.flow}' in this conductor (serves: ${served})`);
        continue;
      }
      if (full) this.#candidates.push(job.uuid);
      else await this.#claim(board, job.uuid);
    }
  }

  #waiting(uuid: string): boolean {
    const backoff = this.#backoff.get(uuid);
    return backoff !== undefined && backoff.until > Date.now();
  }

  /** Leaves a note on a job it will not run (once), never claiming it. */
  async #skip(job: Job, reason: string): Promise<void> {
    if (this.#noted.has(job.uuid)) return;
    this.#noted.add(job.uuid);
    this.#logger.warn({ job: job.uuid, flow: job.details?.flow, reason }, 'not running a job');
    this.#emit(ConductorEvent.Skipped, job, { reason });
    try {
      await this.#resources.board!.note(job.uuid, { by: this.name, reason: clip(reason) });
    } catch (error) {
      this.#logger.warn({ err: error, job: job.uuid }, 'leaving a note on the job failed');
    }
  }

  async #claim(board: Jobboard, uuid: string): Promise<void> {
    let claim: Claim;
    try {
      claim = await board.claim(uuid, this.name);
    } catch (error) {
      if (TfError.is(error, 'TF_JOB_CLAIMED') || TfError.is(error, 'TF_JOB_NOT_FOUND')) return;
      this.#logger.warn({ err: error, job: uuid }, 'claiming a job failed');
      this.#wait(uuid);
      return;
    }
    const claimed = claim.job;
    this.#emit(ConductorEvent.Claimed, claimed, { claims: claimed.claims });
    if (this.#state !== 'running') {
      // stop() came while claiming: give it back at once.
      this.#track(this.#finish(claimed, { kind: 'abandon', reason: 'the conductor is stopping' }));
      return;
    }
    const problem =
      checkJob(claimed) ?? (Object.hasOwn(this.#options.flows, claimed.details.flow) ? undefined : 'the job names another flow now');
    if (problem !== undefined) {
      this.#track(this.#finish(claimed, { kind: 'abandon', reason: problem }));
      return;
    }
    const factory = this.#options.flows[claimed.details.flow]!;
    const run = new JobRun({
      claim,
      factory,
      loadOptions: this.#resources.loadOptions(),
      book: claimed.details.book ?? this.#options.book ?? board.name,
      logger: this.#logger.child?.({ job: claimed.uuid }) ?? this.#logger,
      onStart: () => this.#emit(ConductorEvent.Started, claimed, { claims: claimed.claims }),
      onLost: () => this.#emit(ConductorEvent.Lost, claimed, {}),
    });
    this.#runs.set(claimed.uuid, run);
    void run.done.then((end) => {
      this.#track(
        this.#finish(claimed, end).finally(() => {
          this.#runs.delete(claimed.uuid);
          this.#requestScan();
        }),
      );
    });
  }

  #track(promise: Promise<void>): void {
    this.#finishing.add(promise);
    void promise.finally(() => this.#finishing.delete(promise));
  }

  /** Leaves a job alone for a while, then looks again (doubling, up to the rescan interval). */
  #wait(uuid: string): void {
    const previous = this.#backoff.get(uuid)?.ms ?? FIRST_BACKOFF_MS / 2;
    const ms = Math.min(previous * 2, this.#options.rescanIntervalMs);
    this.#backoff.set(uuid, { until: Date.now() + ms, ms });
    if (this.#backoff.size > REMEMBERED_JOBS) {
      const now = Date.now();
      for (const [key, value] of this.#backoff) if (value.until <= now) this.#backoff.delete(key);
    }
    setTimeout(() => this.#requestScan(), ms + 10).unref?.();
  }

  /** What the end of a run does with the claim: consume, abandon (and maybe note), or nothing when lost. */
  async #finish(job: Job, end: JobRunEnd): Promise<void> {
    const board = this.#resources.board!;
    try {
      if (end.kind === 'finished') {
        await board.consume(job.uuid, this.name, {
          state: end.state,
          flowDetailId: job.uuid,
          ...(end.failure ? { failure: end.failure } : {}),
        });
        this.#backoff.delete(job.uuid);
        this.#logger.info({ job: job.uuid, flow: job.details.flow, state: end.state }, 'job consumed');
        this.#emit(ConductorEvent.Consumed, job, { state: end.state, ...(end.failure ? { failure: end.failure } : {}) });
      } else if (end.kind === 'abandon') {
        await board.abandon(job.uuid, this.name, clip(end.reason));
        if (this.#state === 'running') this.#wait(job.uuid);
        this.#logger.info({ job: job.uuid, reason: end.reason }, 'job abandoned');
        this.#emit(ConductorEvent.Abandoned, job, { reason: end.reason });
      } else if (end.kind === 'refuse') {
        this.#refused.add(job.uuid);
        await board.abandon(job.uuid, this.name, clip(end.reason));
        await board.note(job.uuid, { by: this.name, reason: clip(end.reason) });
        this.#logger.warn({ job: job.uuid, reason: end.reason }, 'job refused: abandoned with a note, not claimed again here');
        this.#emit(ConductorEvent.Refused, job, { reason: end.reason });
      }
      // lost: told when it happened (onLost); the claim is not this conductor's to end.
    } catch (error) {
      // Not the owner any more (the claim expired meanwhile), or the board is unreachable: the
      // claim expires, and whoever claims the job next resumes its flow detail.
      this.#logger.warn({ err: error, job: job.uuid, end: end.kind }, 'ending the claim failed; it will expire');
    }
  }

  #emit(event: string, job: Job, details: Partial<ConductorEventDetails>): void {
    this.notifier.notify(event, {
      uuid: job.uuid,
      flow: String(job.details?.flow),
      conductor: this.name,
      at: Date.now(),
      ...details,
    });
  }

  /**
   * Stops gracefully: claims nothing more; each running flow stops scheduling tasks, the tasks
   * running finish (for up to half the timeout; then they are cancelled and will run again
   * where the flow resumes), and its claim is abandoned (consumed when the flow finished
   * meanwhile), so another conductor resumes the flow detail at once. Then closes the engines,
   * the transport, backend and board it opened. Bounded by `timeoutMs`. Idempotent.
   */
  stop(options: ConductorStopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options.timeoutMs ?? this.#options.stopTimeoutMs);
    return this.#stopping;
  }

  async #stop(timeoutMs: number): Promise<void> {
    const before = this.#state;
    this.#state = 'stopping';
    const deadline = Date.now() + timeoutMs;
    const left = (): number => Math.max(0, deadline - Date.now());
    try {
      await this.#starting?.catch(() => undefined);
      clearInterval(this.#timer);
      this.#unwatch?.();
      if (before === 'idle' || before === 'stopped') return;
      await bounded(this.#scanning, left());
      const runs = [...this.#runs.values()];
      for (const run of runs) run.stop(Math.floor(timeoutMs / 2));
      this.#logger.info({ running: runs.length }, 'stopping: abandoning unfinished jobs');
      await bounded(Promise.all(runs.map((run) => run.done)), left());
      await bounded(Promise.all([...this.#finishing]), left());
      if (this.#runs.size > 0) this.#logger.warn({ jobs: [...this.#runs.keys()] }, 'stop timed out; those claims will expire');
    } finally {
      await bounded(
        this.#resources.close().catch((error: unknown) => this.#logger.warn({ err: error }, 'closing failed')),
        Math.max(left(), 1_000),
      );
      this.#state = 'stopped';
      this.#logger.info({}, 'conductor stopped');
    }
  }
}

/** A reason as a board keeps it: at most 2,000 characters (boards refuse more than 2,048). */
function clip(reason: string): string {
  return reason.length <= 2_000 ? reason : `${reason.slice(0, 1_997)}...`;
}

/** Waits for `promise` at most `ms`. */
async function bounded(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  if (!promise) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}
