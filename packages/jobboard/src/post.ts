import type { Job, Jobboard, JobPriority } from './types';

export interface PostJobOptions {
  /** Given to the flow factory (JSON); default `{}`. */
  args?: Record<string, unknown>;
  /** The flow's initial store (JSON); default `{}`. */
  store?: Record<string, unknown>;
  /** The logbook the run's flow detail goes in. */
  book?: string;
  /** A human name (default: the flow name). */
  name?: string;
  priority?: JobPriority;
  /** A known uuid: posting it twice is refused with TF_JOB_EXISTS. */
  uuid?: string;
}

/** Posts a job naming the flow factory `flowName` (a conductor must have been given it) with its arguments and store. */
export function post(board: Jobboard, flowName: string, options: PostJobOptions = {}): Promise<Job> {
  const { args = {}, store = {}, book, name, priority, uuid } = options;
  return board.post(
    { flow: flowName, args, store, ...(book === undefined ? {} : { book }) },
    { ...(name === undefined ? {} : { name }), ...(priority === undefined ? {} : { priority }), ...(uuid === undefined ? {} : { uuid }) },
  );
}
