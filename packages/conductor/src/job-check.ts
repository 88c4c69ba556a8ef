import type { Job } from '@tf/jobboard';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * What is wrong with a job read from a board (untrusted: the boards validate what they store,
 * and the conductor checks again what it relies on), or undefined when it can run:
 * `details.flow` a name of 1-256 characters, `args` and `store` plain objects, `book` absent or
 * a name of 1-256 characters.
 */
export function checkJob(job: Job): string | undefined {
  const details = (job as { details?: unknown }).details;
  if (!isPlainObject(details)) return 'the job has no details object';
  const { flow, args, store, book } = details;
  if (typeof flow !== 'string' || flow.length === 0 || flow.length > 256)
    return "the job's details.flow is not a flow name (1-256 characters)";
  if (!isPlainObject(args)) return "the job's details.args is not an object";
  if (!isPlainObject(store)) return "the job's details.store is not an object";
  if (book !== undefined && (typeof book !== 'string' || book.length === 0 || book.length > 256)) {
    return "the job's details.book is not a logbook name (1-256 characters)";
  }
  return undefined;
}
