import { Ajv, type ValidateFunction } from 'ajv';
import { failureDictSchema } from '@tf/core';
import { JobCorruptError } from './errors';
import { MAX_NAME_CHARS, MAX_NOTES, MAX_REASON_CHARS, RECORD_OVERHEAD_BYTES } from './limits';
import { JOB_PRIORITIES, OUTCOME_STATES } from './validate';
import type { Job, JobDetails, JobNote, JobOutcome, JobPriority, JobState } from './types';

/** What a board stores of a job that never changes after `post` (as JSON text). */
export interface JobRecord {
  v: 1;
  uuid: string;
  name: string;
  board: string;
  details: JobDetails;
  priority: JobPriority;
  createdAt: string;
}

/** What changes while the job is on the board, kept by each store its own way. */
export interface JobLive {
  state: JobState;
  owner?: string | undefined;
  claims: number;
  updatedAt: string;
  notes: readonly JobNote[];
}

const name = { type: 'string', minLength: 1, maxLength: MAX_NAME_CHARS } as const;
const iso = { type: 'string', minLength: 1, maxLength: 64 } as const;

const recordSchema = {
  type: 'object',
  properties: {
    v: { const: 1 },
    uuid: name,
    name,
    board: name,
    priority: { enum: JOB_PRIORITIES },
    createdAt: iso,
    details: {
      type: 'object',
      properties: { flow: name, args: { type: 'object' }, store: { type: 'object' }, book: name },
      required: ['flow', 'args', 'store'],
    },
  },
  required: ['v', 'uuid', 'name', 'board', 'details', 'priority', 'createdAt'],
} as const;

const noteSchema = {
  type: 'object',
  properties: { by: name, reason: { type: 'string', maxLength: MAX_REASON_CHARS }, at: iso },
  required: ['by', 'reason', 'at'],
} as const;
const notesSchema = { type: 'array', maxItems: MAX_NOTES, items: noteSchema } as const;

const outcomeSchema = {
  type: 'object',
  properties: {
    uuid: name,
    state: { enum: OUTCOME_STATES },
    by: name,
    at: iso,
    flowDetailId: name,
    failure: { $ref: 'https://tf.dev/schemas/failure.json' },
    reason: { type: 'string', maxLength: MAX_REASON_CHARS },
  },
  required: ['uuid', 'state', 'by', 'at'],
} as const;

let validators: { record: ValidateFunction; notes: ValidateFunction; outcome: ValidateFunction } | undefined;
function schemas() {
  if (!validators) {
    const ajv = new Ajv({ allErrors: false, strict: false });
    ajv.addSchema(failureDictSchema);
    validators = { record: ajv.compile(recordSchema), notes: ajv.compile(notesSchema), outcome: ajv.compile(outcomeSchema) };
  }
  return validators;
}

function parse(text: unknown, uuid: string, board: string, maxBytes: number, what: string): unknown {
  if (typeof text !== 'string') throw new JobCorruptError(uuid, board, `its ${what} is missing or not text`);
  if (text.length > maxBytes) throw new JobCorruptError(uuid, board, `its ${what} is ${text.length} characters, over ${maxBytes}`);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new JobCorruptError(uuid, board, `its ${what} is not JSON (${(error as Error).message})`, { cause: error });
  }
}

function check<T>(validate: ValidateFunction, value: unknown, uuid: string, board: string, what: string): T {
  if (validate(value)) return value as T;
  const problem = (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`).join('; ');
  throw new JobCorruptError(uuid, board, `its ${what} is not valid: ${problem || 'invalid'}`);
}

export const encodeJobRecord = (record: JobRecord): string => JSON.stringify(record);

/** A stored job record, checked (untrusted: the store is shared): JobCorruptError when it is not one a board wrote. */
export function decodeJobRecord(text: unknown, uuid: string, board: string, maxDetailsBytes: number): JobRecord {
  const value = parse(text, uuid, board, maxDetailsBytes + RECORD_OVERHEAD_BYTES, 'record');
  const record = check<JobRecord>(schemas().record, value, uuid, board, 'record');
  if (record.uuid !== uuid) throw new JobCorruptError(uuid, board, `its record names another job (${record.uuid})`);
  return record;
}

export function decodeNotes(text: unknown, uuid: string, board: string): JobNote[] {
  if (text === undefined || text === null || text === '') return [];
  const value = parse(text, uuid, board, RECORD_OVERHEAD_BYTES, 'notes');
  return check<JobNote[]>(schemas().notes, value, uuid, board, 'notes');
}

export const encodeOutcome = (outcome: JobOutcome): string => JSON.stringify(outcome);

export function decodeOutcome(text: unknown, uuid: string, board: string, maxDetailsBytes: number): JobOutcome {
  const value = parse(text, uuid, board, maxDetailsBytes + RECORD_OVERHEAD_BYTES, 'outcome');
  return check<JobOutcome>(schemas().outcome, value, uuid, board, 'outcome');
}

/** The notes after adding `note`, the last MAX_NOTES kept; undefined when the same (by, reason) is there already. */
export function withNote(notes: readonly JobNote[], note: JobNote): JobNote[] | undefined {
  if (notes.some((n) => n.by === note.by && n.reason === note.reason)) return undefined;
  return [...notes, note].slice(-MAX_NOTES);
}

/** A job as callers see it: the stored record plus its live state. */
export function toJob(record: JobRecord, live: JobLive): Job {
  return Object.freeze({
    uuid: record.uuid,
    name: record.name,
    board: record.board,
    details: record.details,
    priority: record.priority,
    state: live.state,
    ...(live.state === 'CLAIMED' && live.owner !== undefined ? { owner: live.owner } : {}),
    createdAt: record.createdAt,
    updatedAt: live.updatedAt,
    claims: live.claims,
    notes: Object.freeze([...live.notes]),
  });
}

/** The record a new job is stored as. */
export function newRecord(board: string, uuid: string, name: string, priority: JobPriority, details: JobDetails, at: string): JobRecord {
  return { v: 1, uuid, name, board, details, priority, createdAt: at };
}
