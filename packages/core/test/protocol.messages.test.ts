import { describe, expect, it } from 'vitest';
import { Failure, InvalidMessageError, MAX_NESTING_DEPTH, TfError, type FailureDict } from '@tf/core';
import {
  decodeMessage,
  decodeRequestResult,
  encodeBody,
  validateNotifyRequest,
  validateNotifyResponse,
  validateResponse,
  wireFailureDict,
} from '@tf/core/internal';

const delivery = (type: string | undefined, body: unknown) => ({
  body: typeof body === 'string' ? body : JSON.stringify(body),
  properties: { ...(type === undefined ? {} : { type }), headers: {} },
});
const request = { task_cls: 'T', task_name: 't', task_version: '1.0', action: 'execute', arguments: {} };
const failureDict: FailureDict = { exception_str: 'x', traceback_str: '', exc_type_names: ['ValueError', 'Exception'] };

function thrown(make: () => unknown): InvalidMessageError {
  try {
    make();
  } catch (error) {
    expect(TfError.is(error, 'TF_INVALID_MESSAGE')).toBe(true);
    return error as InvalidMessageError;
  }
  throw new Error('expected a throw');
}

describe('decodeMessage, the edges', () => {
  it('decodes each type, with its properties, an empty NOTIFY as the engine asking', () => {
    const properties = { type: 'NOTIFY', headers: { h: 1 } };
    expect(decodeMessage({ body: '{}', properties })).toStrictEqual({ type: 'NOTIFY', body: {}, properties });
    expect(decodeMessage(delivery('NOTIFY', { topic: 't', tasks: ['A'] })).body).toStrictEqual({ topic: 't', tasks: ['A'] });
    expect(decodeMessage(delivery('REQUEST', request)).body).toStrictEqual(request);
    const response = decodeMessage(delivery('RESPONSE', { state: 'RUNNING', data: {} }));
    expect(response).toStrictEqual({
      type: 'RESPONSE',
      body: { state: 'RUNNING', data: {} },
      properties: { type: 'RESPONSE', headers: {} },
    });
  });

  it('names the problem in a typed error: type, text, JSON, schema', () => {
    const untyped = thrown(() => decodeMessage(delivery(undefined, {})));
    expect(untyped.message).toBe('Invalid untyped message: unknown message type null');
    expect(untyped.messageType).toBeUndefined();
    expect(thrown(() => decodeMessage(delivery('GOSSIP', {}))).message).toBe('Invalid GOSSIP message: unknown message type "GOSSIP"');
    const binary = thrown(() =>
      decodeMessage({ body: Buffer.from('{}') as unknown as string, properties: { type: 'REQUEST', headers: {} } }),
    );
    expect(binary.problems).toEqual(['body is not text']);
    expect(binary.messageType).toBe('REQUEST');
    expect(thrown(() => decodeMessage(delivery('REQUEST', '{nope'))).problems[0]).toMatch(/^body is not JSON: /);
    const offSchema = thrown(() => decodeMessage(delivery('REQUEST', { ...request, task_cls: 1, task_name: 2 })));
    expect(offSchema.problems).toEqual(['/task_cls must be string', '/task_name must be string']);
    expect(offSchema.message).toBe('Invalid REQUEST message: /task_cls must be string; /task_name must be string');
    expect(thrown(() => validateResponse(null)).problems).toEqual(['(body) must be object']);
  });

  it('lists a problem the schema reports twice once', () => {
    const error = thrown(() => validateResponse({ state: 'FAILURE', data: { result: 1 } }));
    expect(new Set(error.problems).size).toBe(error.problems.length);
  });

  it('refuses a NOTIFY that is neither empty nor a worker answer, null included', () => {
    expect(() => validateNotifyRequest({})).not.toThrow();
    expect(thrown(() => validateNotifyRequest({ a: 1 })).messageType).toBe('NOTIFY');
    expect(() => validateNotifyResponse({ topic: 't', tasks: [] })).not.toThrow();
    expect(thrown(() => validateNotifyResponse({ topic: 't' })).message).toBe(
      "Invalid NOTIFY message: (body) must have required property 'tasks'",
    );
    for (const body of [null, { topic: 't' }, 5]) expect(() => decodeMessage(delivery('NOTIFY', body))).toThrow(InvalidMessageError);
  });

  it('refuses a body nested past the limit that is not a failure chain, and cuts one that is', () => {
    const deep = '['.repeat(MAX_NESTING_DEPTH) + ']'.repeat(MAX_NESTING_DEPTH);
    const error = thrown(() =>
      decodeMessage(
        delivery('REQUEST', `{"task_cls":"T","task_name":"t","task_version":"1","action":"execute","arguments":{"a":${deep}}}`),
      ),
    );
    expect(error.problems).toEqual([`body nests deeper than ${MAX_NESTING_DEPTH} levels`]);
    // At the limit exactly it passes.
    const atLimit = '['.repeat(MAX_NESTING_DEPTH - 2) + ']'.repeat(MAX_NESTING_DEPTH - 2);
    expect(() =>
      decodeMessage(
        delivery('REQUEST', `{"task_cls":"T","task_name":"t","task_version":"1","action":"execute","arguments":{"a":${atLimit}}}`),
      ),
    ).not.toThrow();
  });
});

describe('wire failures and results, the edges', () => {
  it('roots every cause in Exception, leaves causes-free dicts without causes, and keeps BaseException roots', () => {
    const failure = Failure.fromDict({
      exception_str: 'top',
      traceback_str: '',
      exc_type_names: ['KeyboardInterrupt', 'BaseException'],
      causes: [{ exception_str: 'c', traceback_str: '', exc_type_names: ['TypeError', 'Error'], causes: [] }],
    });
    const wire = wireFailureDict(failure);
    expect(wire.exc_type_names).toEqual(['KeyboardInterrupt', 'BaseException']);
    expect(wire.causes).toStrictEqual([
      { exception_str: 'c', traceback_str: '', exc_type_names: ['TypeError', 'Error', 'Exception'], causes: [] },
    ]);
    expect(wireFailureDict(Failure.fromDict(failureDict))).toStrictEqual(failureDict);
  });

  it('decodes a missing revert result as undefined and a success as its value', () => {
    expect(decodeRequestResult(undefined)).toBeUndefined();
    expect(decodeRequestResult(['success', 0])).toBe(0);
    expect(decodeRequestResult(['success', failureDict])).toStrictEqual(failureDict);
    expect(Failure.is(decodeRequestResult(['failure', failureDict]))).toBe(true);
  });

  it('encodes what JSON can carry and types what it cannot', () => {
    expect(encodeBody({ a: [1, 'x'] })).toBe('{"a":[1,"x"]}');
    const noForm = (() => {
      try {
        encodeBody(undefined);
      } catch (error) {
        return error as Error;
      }
      return undefined;
    })();
    expect(TfError.is(noForm, 'TF_UNSERIALIZABLE')).toBe(true);
    expect(noForm?.message).toBe('Value cannot be sent as JSON: the value has no JSON form');
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(() => encodeBody(cyclic)).toThrow(expect.objectContaining({ code: 'TF_UNSERIALIZABLE', cause: expect.any(TypeError) }));
    expect(() => encodeBody(cyclic)).toThrow(/^Value cannot be sent as JSON: Converting circular structure/);
    const atLimit = JSON.parse('['.repeat(MAX_NESTING_DEPTH) + ']'.repeat(MAX_NESTING_DEPTH));
    expect(() => encodeBody(atLimit)).not.toThrow();
    expect(() => encodeBody([atLimit])).toThrow(expect.objectContaining({ code: 'TF_NESTING_TOO_DEEP' }));
  });
});
