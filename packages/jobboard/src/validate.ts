import { assertFailureDict } from '@tf/core';
import { InvalidJobError } from './errors';
import { findNonJson, isPlainObject } from './json-check';
import { MAX_NAME_CHARS, MAX_REASON_CHARS } from './limits';
import type { JobDetails, JobOutcome, JobOutcomeState, JobPriority, PostOptions } from './types';

export const JOB_PRIORITIES: readonly JobPriority[] = ['VERY_HIGH', 'HIGH', 'NORMAL', 'LOW', 'VERY_LOW'];
export const OUTCOME_STATES: readonly JobOutcomeState[] = ['SUCCESS', 'REVERTED', 'FAILURE', 'TRASHED'];

/** 0 for VERY_HIGH ... 4 for VERY_LOW: the order jobs are listed and claimed in. */
export const priorityRank = (priority: JobPriority): number => JOB_PRIORITIES.indexOf(priority);

const UUID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A job uuid: letters, digits, '.', '_', ':' and '-', at most 128. */
export function checkUuid(uuid: unknown, path = 'uuid'): string {
  if (typeof uuid !== 'string' || !UUID.test(uuid)) {
    throw new InvalidJobError(
      path,
      `must be letters, digits, '.', '_', ':' or '-' (at most 128), got ${JSON.stringify(String(uuid)).slice(0, 80)}`,
    );
  }
  return uuid;
}

/** A name, owner, flow or book: a non-empty string of at most 256 characters without control characters. */
export function checkName(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidJobError(path, 'must be a non-empty string');
  if (value.length > MAX_NAME_CHARS) throw new InvalidJobError(path, `is ${value.length} characters, over ${MAX_NAME_CHARS}`);
  if (CONTROL.test(value)) throw new InvalidJobError(path, 'has control characters');
  return value;
}

/** A note's or trash's reason: a non-empty string of at most 2048 characters. */
export function checkReason(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new InvalidJobError(path, 'must be a non-empty string');
  if (value.length > MAX_REASON_CHARS) throw new InvalidJobError(path, `is ${value.length} characters, over ${MAX_REASON_CHARS}`);
  return value;
}

export function checkPriority(value: unknown): JobPriority {
  if (value === undefined) return 'NORMAL';
  if (typeof value !== 'string' || !JOB_PRIORITIES.includes(value as JobPriority)) {
    throw new InvalidJobError('priority', `must be one of ${JOB_PRIORITIES.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as JobPriority;
}

function encodeJson(value: unknown, path: string, maxBytes: number, what: string): string {
  const bad = findNonJson(value, path);
  if (bad) throw new InvalidJobError(bad.path, `${bad.problem}: a job holds JSON only`);
  const text = JSON.stringify(value);
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes)
    throw new InvalidJobError(path, `is ${bytes} bytes encoded, over the ${what} limit of ${maxBytes} bytes (option maxDetailsBytes)`);
  return text;
}

/** Checks details given to `post`: a copy as JSON (what the board stores), or InvalidJobError. */
export function checkDetails(details: unknown, maxBytes: number): JobDetails {
  if (!isPlainObject(details)) throw new InvalidJobError('details', 'must be an object { flow, args, store, book? }');
  const flow = checkName(details['flow'], 'details.flow');
  if (!isPlainObject(details['args'])) throw new InvalidJobError('details.args', 'must be a plain object');
  if (!isPlainObject(details['store'])) throw new InvalidJobError('details.store', 'must be a plain object');
  const book = details['book'] === undefined ? undefined : checkName(details['book'], 'details.book');
  const copy = { ...details, flow, ...(book === undefined ? {} : { book }) };
  return JSON.parse(encodeJson(copy, 'details', maxBytes, 'details')) as JobDetails;
}

/** Checks post options: the job's uuid (or a fresh one), name (or the flow's) and priority. */
export function checkPostOptions(options: PostOptions | undefined, flow: string, fresh: () => string): Required<PostOptions> {
  return {
    uuid: options?.uuid === undefined ? fresh() : checkUuid(options.uuid),
    name: options?.name === undefined ? flow : checkName(options.name, 'name'),
    priority: checkPriority(options?.priority),
  };
}

/** Checks what `consume` records: a state, an optional flow detail id, failure dict and reason. */
export function checkOutcome(outcome: Omit<JobOutcome, 'uuid' | 'by' | 'at'>, maxBytes: number): Omit<JobOutcome, 'uuid' | 'by' | 'at'> {
  if (!isPlainObject(outcome)) throw new InvalidJobError('outcome', 'must be an object { state, flowDetailId?, failure?, reason? }');
  if (!OUTCOME_STATES.includes(outcome.state)) {
    throw new InvalidJobError('outcome.state', `must be one of ${OUTCOME_STATES.join(', ')}, got ${JSON.stringify(outcome.state)}`);
  }
  const out: Omit<JobOutcome, 'uuid' | 'by' | 'at'> = { state: outcome.state };
  if (outcome.flowDetailId !== undefined) out.flowDetailId = checkName(outcome.flowDetailId, 'outcome.flowDetailId');
  if (outcome.reason !== undefined) out.reason = checkReason(outcome.reason, 'outcome.reason');
  if (outcome.failure !== undefined) {
    const text = encodeJson(outcome.failure, 'outcome.failure', maxBytes, 'outcome');
    const failure = JSON.parse(text) as unknown;
    try {
      assertFailureDict(failure);
    } catch (error) {
      throw new InvalidJobError('outcome.failure', `is not a failure dict (${(error as Error).message})`);
    }
    out.failure = failure;
  }
  return out;
}
