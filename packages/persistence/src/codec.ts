import { createHash } from 'node:crypto';
import { type AtomRecord, Failure, type FailureDict, type FlowRecord } from '@tf/core';
import { BackendSchemaError, BackendTooLargeError, NotJsonError } from './errors';
import { findNonJson } from './jsonable';
import type { StoredAtom, StoredFlow } from './stored';

/** A stable atom detail id when the record has none: the same flow detail and atom name give the same id. */
export function atomDetailUuid(flowUuid: string, name: string): string {
  const h = createHash('sha1').update(`${flowUuid}\0${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((Number.parseInt(h[16] ?? '0', 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function json(flowUuid: string, atom: string | undefined, path: string, value: unknown): void {
  const found = findNonJson(value, path);
  if (found) throw new NotJsonError(flowUuid, atom, found.path, found.problem);
}

function failureDict(flowUuid: string, atom: string, path: string, value: unknown): FailureDict {
  if (Failure.is(value)) return value.toDict();
  try {
    Failure.validate(value);
    return value;
  } catch {
    throw new NotJsonError(flowUuid, atom, path, 'neither a Failure nor a failure dict');
  }
}

function failureOf(dict: FailureDict, location: string): Failure {
  try {
    return Failure.fromDict(dict);
  } catch (error) {
    throw new BackendSchemaError(location, `invalid failure dict (${error instanceof Error ? error.message : String(error)})`, {
      cause: error,
    });
  }
}

/** The JSON form of an atom record: failures as TaskFlow dicts; a value that is not JSON is a `NotJsonError` naming the atom. */
export function encodeAtomRecord(flowUuid: string, record: Readonly<AtomRecord>): StoredAtom {
  const { name } = record;
  const out: StoredAtom = {
    name,
    kind: record.kind,
    uuid: record.uuid ?? atomDetailUuid(flowUuid, name),
    state: record.state,
    intention: record.intention,
    progress: record.progress,
  };
  if (record.version !== undefined) out.version = record.version;
  if (record.meta !== undefined) {
    json(flowUuid, name, 'meta', record.meta);
    out.meta = record.meta;
  }
  if ('result' in record) {
    if (record.result === undefined) out.resultUndefined = true;
    else {
      json(flowUuid, name, 'result', record.result);
      out.result = record.result;
    }
  }
  if (record.failure !== undefined) out.failure = failureDict(flowUuid, name, 'failure', record.failure);
  if ('revertResult' in record) {
    if (record.revertResult === undefined) out.revertResultUndefined = true;
    else {
      json(flowUuid, name, 'revertResult', record.revertResult);
      out.revertResult = record.revertResult;
    }
  }
  if (record.revertFailure !== undefined) out.revertFailure = failureDict(flowUuid, name, 'revertFailure', record.revertFailure);
  if (record.history !== undefined) {
    out.history = record.history.map((attempt, i) => {
      json(flowUuid, name, `history[${i}].value`, attempt.value);
      const failures: Record<string, FailureDict> = {};
      for (const [atom, failure] of Object.entries(attempt.failures)) {
        failures[atom] = failureDict(flowUuid, name, `history[${i}].failures.${atom}`, failure);
      }
      return attempt.value === undefined ? { failures } : { value: attempt.value, failures };
    });
  }
  return out;
}

/** An atom record from its JSON form (checked by `parseStoredAtom`): failures are `Failure` objects again. */
export function decodeAtomRecord(stored: StoredAtom, location: string): AtomRecord {
  const out: AtomRecord = {
    name: stored.name,
    kind: stored.kind,
    uuid: stored.uuid,
    state: stored.state,
    intention: stored.intention,
    progress: stored.progress,
  };
  if (stored.version !== undefined) out.version = stored.version;
  if (stored.meta !== undefined) out.meta = stored.meta;
  if (stored.resultUndefined) out.result = undefined;
  else if ('result' in stored) out.result = stored.result;
  if (stored.failure !== undefined) out.failure = failureOf(stored.failure, location);
  if (stored.revertResultUndefined) out.revertResult = undefined;
  else if ('revertResult' in stored) out.revertResult = stored.revertResult;
  if (stored.revertFailure !== undefined) out.revertFailure = failureOf(stored.revertFailure, location);
  if (stored.history !== undefined) {
    out.history = stored.history.map((attempt) => {
      const failures: Record<string, unknown> = {};
      for (const [atom, dict] of Object.entries(attempt.failures)) failures[atom] = failureOf(dict, location);
      return { value: attempt.value, failures };
    });
  }
  return out;
}

/** The JSON form of a flow record; `createdAt` is kept from `previous` when there is one. */
export function encodeFlowRecord(record: Readonly<FlowRecord>, now: string, previous?: { createdAt: string }): StoredFlow {
  json(record.uuid, undefined, 'store', record.store);
  const out: StoredFlow = {
    uuid: record.uuid,
    name: record.name,
    state: record.state,
    store: record.store,
    createdAt: previous?.createdAt ?? record.createdAt ?? now,
    updatedAt: now,
  };
  if (record.logbookUuid !== undefined) out.logbookUuid = record.logbookUuid;
  if (record.meta !== undefined) {
    json(record.uuid, undefined, 'meta', record.meta);
    out.meta = record.meta;
  }
  return out;
}

export function decodeFlowRecord(stored: StoredFlow): FlowRecord {
  const out: FlowRecord = {
    uuid: stored.uuid,
    name: stored.name,
    state: stored.state,
    store: stored.store,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
  if (stored.logbookUuid !== undefined) out.logbookUuid = stored.logbookUuid;
  if (stored.meta !== undefined) out.meta = stored.meta;
  return out;
}

/** JSON text of a stored value, refused when over `limit` bytes. */
export function encodeBounded(value: unknown, limit: number, what: string): string {
  const text = JSON.stringify(value);
  // Characters are at most 3 UTF-8 bytes each: skip the exact count when the text is clearly small.
  if (text.length * 3 > limit) {
    const bytes = Buffer.byteLength(text);
    if (bytes > limit) throw new BackendTooLargeError(what, bytes, limit);
  }
  return text;
}
