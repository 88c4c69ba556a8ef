import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Failure, TfError, type FailureDict } from '@tf/core';
import {
  decodeMessage,
  decodeRequestResult,
  encodeBody,
  encodeRequestResult,
  wireFailureDict,
  validateRequest,
  validateResponse,
} from '@tf/core/internal';

const pythonFailure = JSON.parse(readFileSync(new URL('./fixtures/python-failure.json', import.meta.url), 'utf8')) as FailureDict;

const msg = (type: string | undefined, body: unknown) => ({
  body: typeof body === 'string' ? body : JSON.stringify(body),
  properties: { ...(type ? { type } : {}), headers: {} },
});

function invalid(fn: () => unknown): TfError {
  try {
    fn();
  } catch (error) {
    expect(TfError.is(error, 'TF_INVALID_MESSAGE')).toBe(true);
    return error as TfError;
  }
  throw new Error('expected an InvalidMessageError');
}

describe('wire protocol', () => {
  it("accepts PROTOCOL.md's messages", () => {
    expect(decodeMessage(msg('NOTIFY', {})).type).toBe('NOTIFY');
    expect(decodeMessage(msg('NOTIFY', { topic: 't', tasks: ['tasks.AddOne'] })).body).toEqual({ topic: 't', tasks: ['tasks.AddOne'] });
    const execute = { task_cls: 'tasks.AddOne', task_name: 'add-1', task_version: [1, 0], action: 'execute', arguments: { x: 7 } };
    expect(decodeMessage(msg('REQUEST', execute)).body).toEqual(execute);
    const revert = { ...execute, action: 'revert', result: ['failure', pythonFailure], failures: { 'add-1': pythonFailure } };
    expect(() => validateRequest(revert)).not.toThrow();
    expect(() => validateRequest({ ...execute, action: 'revert', result: ['success', 8] })).not.toThrow();
    for (const body of [
      { state: 'RUNNING', data: {} },
      { state: 'EVENT', data: { event_type: 'update_progress', details: { progress: 0.5 } } },
      { state: 'SUCCESS', data: { result: 8 } },
      { state: 'SUCCESS', data: { result: null } },
      { state: 'FAILURE', data: { result: pythonFailure } },
    ]) {
      expect(() => validateResponse(body)).not.toThrow();
    }
  });

  it('rejects unknown types, bad JSON and bodies off the schema, naming the problem', () => {
    expect(invalid(() => decodeMessage(msg(undefined, {}))).message).toContain('unknown message type');
    expect(invalid(() => decodeMessage(msg('GOSSIP', {}))).message).toContain('GOSSIP');
    expect(invalid(() => decodeMessage(msg('REQUEST', '{not json'))).message).toContain('not JSON');
    expect(invalid(() => decodeMessage(msg('REQUEST', { task_cls: 'x' }))).message).toContain('task_name');
    invalid(() => decodeMessage(msg('REQUEST', { task_cls: 'x', task_name: 'y', task_version: [1, 0], action: 'explode' })));
    invalid(() => decodeMessage(msg('RESPONSE', { state: 'SUCCESS', data: { result: 1 }, extra: true })));
    invalid(() => decodeMessage(msg('RESPONSE', { state: 'DANCING', data: {} })));
    invalid(() => decodeMessage(msg('RESPONSE', { state: 'EVENT', data: { result: 1 } })));
    // A FAILURE must carry a valid failure dict.
    invalid(() => decodeMessage(msg('RESPONSE', { state: 'FAILURE', data: { result: { exception_str: 'x' } } })));
    invalid(() => decodeMessage(msg('NOTIFY', { topic: 't', tasks: ['a'], extra: 1 })));
    invalid(() =>
      validateRequest({ task_cls: 'x', task_name: 'y', task_version: [1, 0], action: 'revert', result: ['failure', { nope: 1 }] }),
    );
  });

  it('encodes revert results both ways and refuses values JSON cannot carry', () => {
    const failure = Failure.fromDict(pythonFailure);
    const encoded = encodeRequestResult(failure);
    expect(encoded).toEqual(['failure', pythonFailure]);
    expect((decodeRequestResult(encoded) as Failure).matches(failure)).toBe(true);
    expect(decodeRequestResult(encodeRequestResult({ a: 1 }))).toEqual({ a: 1 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let error: unknown;
    try {
      encodeBody(cyclic);
    } catch (e) {
      error = e;
    }
    expect(TfError.is(error, 'TF_UNSERIALIZABLE')).toBe(true);
    expect(() => encodeBody(10n)).toThrow(/JSON/);
  });
});

describe('failure dicts in requests (Python TaskFlow workers validate their roots)', () => {
  it("roots a JS failure's type chain, and its causes', in Python's Exception", () => {
    const failure = Failure.fromError(new TypeError('outer', { cause: new RangeError('inner') }));
    const dict = wireFailureDict(failure);
    expect(dict.exc_type_names).toEqual(['TypeError', 'Error', 'Exception']);
    expect(dict.causes![0]!.exc_type_names).toEqual(['RangeError', 'Error', 'Exception']);
    expect(dict.exception_str).toBe('outer');
    expect(failure.excTypeNames).toEqual(['TypeError', 'Error']); // the Failure itself is unchanged
    expect(encodeRequestResult(failure)).toEqual(['failure', dict]);
    expect(wireFailureDict(Failure.fromError('thrown string')).exc_type_names).toEqual(['string', 'Exception']);
  });

  it('leaves a Python-made dict exactly as it came', () => {
    expect(wireFailureDict(Failure.fromDict(structuredClone(pythonFailure)))).toStrictEqual(pythonFailure);
  });
});
