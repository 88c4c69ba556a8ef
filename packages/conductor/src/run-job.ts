import type { Job, JobOutcome, JobPriority, Jobboard } from '@tf/jobboard';

export interface RunJobOptions {
  /** Given to the flow factory. JSON. */
  args?: Record<string, unknown>;
  /** The flow's initial store. JSON. */
  store?: Record<string, unknown>;
  /** The logbook the flow detail goes in (default: the conductor's). */
  book?: string;
  name?: string;
  priority?: JobPriority;
  /** A known uuid: posting it twice is refused (`TF_JOB_EXISTS`). */
  uuid?: string;
  /** How long to wait for the outcome (ms); then `JobTimeoutError` (`TF_JOB_TIMEOUT`). The job stays on the board. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Called with the job once posted (its uuid, to look it up later). */
  onPosted?: (job: Job) => void;
}

/**
 * Posts a job naming `flowName` and waits for its outcome (a conductor serving that flow runs
 * it): `{ state: 'SUCCESS' | 'REVERTED' | 'FAILURE' | 'TRASHED', failure?, flowDetailId }`.
 * A timeout does not take the job off the board: it still runs; `board.outcome(uuid)` tells later.
 */
export async function runJob(board: Jobboard, flowName: string, options: RunJobOptions): Promise<JobOutcome> {
  const job = await board.post(
    { flow: flowName, args: options.args ?? {}, store: options.store ?? {}, ...(options.book !== undefined ? { book: options.book } : {}) },
    {
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
      ...(options.uuid !== undefined ? { uuid: options.uuid } : {}),
    },
  );
  options.onPosted?.(job);
  return board.waitForOutcome(job.uuid, { timeoutMs: options.timeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
}
