import { Failure, type FailureDict, type Flow, isFlow, isTask, type Logger, type Task, TfError } from '@tf/core';
import { type Engine, load, type LoadOptions } from '@tf/engine';
import type { Claim } from '@tf/jobboard';
import { FlowFactoryError } from './errors';
import type { FlowFactory } from './options';

/**
 * How a job's run ended, which says what the conductor does with its claim:
 * - `finished`: the flow reached SUCCESS, REVERTED or FAILURE; consume the job with it.
 * - `abandon`: the flow did not finish (the conductor is stopping, the backend or broker
 *   failed, the flow detail is locked by an engine still closing); give the claim back.
 * - `refuse`: the job cannot run here (its factory threw, its flow does not compile, does not
 *   match its flow detail or lacks a required value); give the claim back, leave a note, and
 *   do not claim it again from this conductor.
 * - `lost`: the claim was lost (another conductor may hold it now); nothing to give back.
 */
export type JobRunEnd =
  | { kind: 'finished'; state: 'SUCCESS' | 'REVERTED' | 'FAILURE'; failure?: FailureDict }
  | { kind: 'abandon'; reason: string }
  | { kind: 'refuse'; reason: string }
  | { kind: 'lost' };

/** The error codes that say a job cannot run as posted, whichever conductor tries. */
const JOB_FAULTS = new Set([
  'TF_FLOW_FACTORY',
  'TF_FLOW_MISMATCH',
  'TF_MISSING_REQUIREMENTS',
  'TF_DUPLICATE_NAME',
  'TF_CYCLE',
  'TF_AMBIGUOUS_PROVIDER',
  'TF_INVALID_FLOW',
  'TF_INVALID_ATOM',
  'TF_INVALID_ARGUMENT',
]);

/** A flow's final states, as `consume` records them. */
const FINAL = new Set(['SUCCESS', 'REVERTED', 'FAILURE']);

export interface JobRunOptions {
  readonly claim: Claim;
  readonly factory: FlowFactory;
  /** `load()` options for every job: the engine, its transport, backend... */
  readonly loadOptions: Record<string, unknown>;
  /** The logbook the job's flow detail goes in. */
  readonly book: string;
  readonly logger: Logger;
  /** Called once the engine starts running the flow (after the factory, opening and locking the flow detail). */
  readonly onStart?: () => void;
  /** Called once, when the claim is lost (the run is being cancelled). */
  readonly onLost?: () => void;
}

function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  return `${typeof code === 'string' && code.startsWith('TF_') ? `${code}: ` : ''}${text}`.replace(/\s*\n\s*/g, ' ').slice(0, 1000);
}

/**
 * One claimed job, run once: builds the flow from the factory, loads it on the engine with the
 * job's uuid as the flow detail id (so a job whose previous owner died resumes its flow detail),
 * runs it and reports how it ended (`done`). `stop()` ends it early (the flow detail stays
 * resumable); a lost claim (`claim.lost`) ends it at once without consuming or abandoning.
 */
export class JobRun {
  readonly claim: Claim;
  /** Resolves (never rejects) once the run is over and its engine closed. */
  readonly done: Promise<JobRunEnd>;
  readonly #options: JobRunOptions;
  #engine: Engine | undefined;
  #stopping = false;
  #graceTimer: NodeJS.Timeout | undefined;
  /** When the engine started the flow (ms since the epoch); undefined before. */
  startedAt: number | undefined;

  constructor(options: JobRunOptions) {
    this.#options = options;
    this.claim = options.claim;
    const onLost = (): void => this.#cancel('lost');
    options.claim.lost.addEventListener('abort', onLost, { once: true });
    this.done = this.#run().finally(() => {
      options.claim.lost.removeEventListener('abort', onLost);
      clearTimeout(this.#graceTimer);
    });
  }

  get uuid(): string {
    return this.claim.job.uuid;
  }

  /**
   * Ends the run early: no new task starts (running ones finish and are recorded, so they do
   * not run again), and after `graceMs` the tasks still running are cancelled (they run again
   * wherever the flow resumes). The run then ends `abandon` (or `finished`, when the flow
   * finished meanwhile).
   */
  stop(graceMs: number): void {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#engine?.suspend();
    this.#graceTimer = setTimeout(() => this.#cancel('stop'), graceMs);
    this.#graceTimer.unref?.();
  }

  #cancel(why: 'lost' | 'stop'): void {
    this.#stopping = true;
    if (why === 'lost') {
      this.#options.logger.warn({ job: this.uuid }, 'claim lost: cancelling the run (another conductor may hold the job)');
      this.#options.onLost?.();
    }
    this.#engine?.cancel();
  }

  async #run(): Promise<JobRunEnd> {
    const { claim, logger } = this.#options;
    const { job } = claim;
    let flow: Flow | Task;
    try {
      flow = await this.#build();
    } catch (error) {
      return this.#ended(error, 'building the flow');
    }
    if (claim.lost.aborted) return { kind: 'lost' };
    if (this.#stopping) return { kind: 'abandon', reason: 'the conductor is stopping' };
    let engine: Engine;
    try {
      engine = this.#engine = load(flow, {
        ...this.#options.loadOptions,
        store: job.details.store,
        book: this.#options.book,
        flowDetailId: job.uuid,
        logger,
      } as LoadOptions);
    } catch (error) {
      return this.#ended(error, 'loading the flow');
    }
    try {
      return await this.#runEngine(engine);
    } finally {
      await engine.close().catch((error: unknown) => logger.warn({ err: error, job: job.uuid }, 'closing the engine failed'));
    }
  }

  async #build(): Promise<Flow | Task> {
    const { job } = this.#options.claim;
    let built: unknown;
    try {
      built = await this.#options.factory(job.details.args, job);
    } catch (error) {
      throw new FlowFactoryError(job.details.flow, `the flow factory '${job.details.flow}' threw: ${oneLine(error)}`, { cause: error });
    }
    if (!isFlow(built) && !isTask(built)) {
      throw new FlowFactoryError(job.details.flow, `the flow factory '${job.details.flow}' returned no Flow or Task (got ${typeof built})`);
    }
    return built;
  }

  async #runEngine(engine: Engine): Promise<JobRunEnd> {
    const { claim } = this.#options;
    try {
      // Open (backend, logbook, the flow detail's lock) and check before running: a job at
      // fault is told apart from a run that failed.
      await engine.open();
      engine.compile();
      if (!FINAL.has(engine.storage.flowState)) engine.validate();
    } catch (error) {
      return this.#ended(error, 'preparing the flow');
    }
    if (claim.lost.aborted) return { kind: 'lost' };
    if (this.#stopping) return this.#afterRun(engine);
    this.startedAt = Date.now();
    this.#options.onStart?.();
    let runError: unknown;
    try {
      await engine.run();
    } catch (error) {
      runError = error;
    }
    return this.#afterRun(engine, runError);
  }

  #afterRun(engine: Engine, runError?: unknown): JobRunEnd {
    if (this.#options.claim.lost.aborted) return { kind: 'lost' };
    const state = engine.storage.flowState;
    if (state === 'SUCCESS') return { kind: 'finished', state };
    // A flow that reverted (or failed to) because of its tasks has their failures in storage.
    // A run that failed with none is the engine's failure (a backend write, the broker): as in
    // TaskFlow (StorageFailure, ExecutionFailure), not an outcome; the job is abandoned and runs
    // again from what the backend holds.
    const atomFailed = Object.keys(engine.storage.getFailures()).length > 0 || Object.keys(engine.storage.getRevertFailures()).length > 0;
    if ((state === 'REVERTED' || state === 'FAILURE') && (atomFailed || runError === undefined)) {
      return runError === undefined
        ? { kind: 'finished', state }
        : { kind: 'finished', state, failure: Failure.fromError(runError).toDict() };
    }
    if (runError !== undefined) return this.#ended(runError, `running the flow (left ${state})`);
    return { kind: 'abandon', reason: this.#stopping ? 'the conductor is stopping' : `the run ended ${state}` };
  }

  #ended(error: unknown, stage: string): JobRunEnd {
    const { claim, logger } = this.#options;
    if (claim.lost.aborted) return { kind: 'lost' };
    const code = TfError.is(error) ? error.code : undefined;
    const reason = `${stage}: ${oneLine(error)}`;
    logger.warn({ err: error, job: claim.job.uuid, flow: claim.job.details.flow }, `job failed ${stage}`);
    if (code !== undefined && JOB_FAULTS.has(code)) return { kind: 'refuse', reason };
    return { kind: 'abandon', reason };
  }
}
