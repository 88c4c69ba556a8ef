import type { AtomState, FailureDict, FlowState, Intention } from '@tf/core';

/** An atom record as JSON: failures in TaskFlow's dict form. */
export interface StoredAtom {
  name: string;
  kind: 'task' | 'retry';
  uuid: string;
  state: AtomState;
  intention: Intention;
  progress: number;
  version?: number;
  meta?: Record<string, unknown>;
  result?: unknown;
  /** `result` was present and `undefined` (JSON has no undefined): the atom ran and returned nothing. */
  resultUndefined?: true;
  failure?: FailureDict;
  revertResult?: unknown;
  revertResultUndefined?: true;
  revertFailure?: FailureDict;
  history?: { value?: unknown; failures: Record<string, FailureDict> }[];
}

/** A flow record as JSON. */
export interface StoredFlow {
  uuid: string;
  name: string;
  state: FlowState;
  store: Record<string, unknown>;
  logbookUuid?: string;
  meta?: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

/** A logbook as JSON. */
export interface StoredLogbook {
  uuid: string;
  name: string;
  meta: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

const failureDict = { type: 'object', required: ['exception_str', 'traceback_str', 'exc_type_names'] } as const;
const time = { type: 'string', maxLength: 64 } as const;
const id = { type: 'string', minLength: 1, maxLength: 1024 } as const;

export const storedAtomSchema = {
  type: 'object',
  required: ['name', 'kind', 'uuid', 'state', 'intention', 'progress'],
  properties: {
    name: id,
    kind: { enum: ['task', 'retry'] },
    uuid: id,
    state: { type: 'string', maxLength: 64 },
    intention: { type: 'string', maxLength: 64 },
    progress: { type: 'number' },
    version: { type: 'number' },
    meta: { type: 'object' },
    resultUndefined: { const: true },
    failure: failureDict,
    revertResultUndefined: { const: true },
    revertFailure: failureDict,
    history: {
      type: 'array',
      items: {
        type: 'object',
        required: ['failures'],
        properties: { failures: { type: 'object', additionalProperties: failureDict } },
      },
    },
  },
} as const;

export const storedFlowSchema = {
  type: 'object',
  required: ['uuid', 'name', 'state', 'store', 'createdAt', 'updatedAt'],
  properties: {
    uuid: id,
    name: { type: 'string', maxLength: 1024 },
    state: { type: 'string', maxLength: 64 },
    store: { type: 'object' },
    logbookUuid: id,
    meta: { type: 'object' },
    createdAt: time,
    updatedAt: time,
  },
} as const;

export const storedLogbookSchema = {
  type: 'object',
  required: ['uuid', 'name', 'meta', 'createdAt', 'updatedAt'],
  properties: {
    uuid: id,
    name: { type: 'string', maxLength: 1024 },
    meta: { type: 'object' },
    createdAt: time,
    updatedAt: time,
  },
} as const;
