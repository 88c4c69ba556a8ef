import { describe, expect, it } from 'vitest';
import { Failure, MAX_FAILURE_CAUSE_DEPTH, MAX_NESTING_DEPTH, TfError, TRUNCATED_CAUSES_TYPE, type FailureDict } from '@tf/core';
import { decodeMessage, encodeBody, wireFailureDict } from '@tf/core/internal';

function nested(depth: number): unknown {
  let value: unknown = 'leaf';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

function chainDict(causes: number): FailureDict {
  let dict: FailureDict = { exception_str: `cause ${causes}`, traceback_str: '', exc_type_names: ['Exception'] };
  for (let i = causes - 1; i >= 0; i--) {
    dict = { exception_str: i === 0 ? 'top' : `cause ${i}`, traceback_str: '', exc_type_names: ['Exception'], causes: [dict] };
  }
  return dict;
}

/** `chainDict(causes)` as JSON text, built without recursion (JSON.stringify would overflow). */
function chainText(causes: number): string {
  const head = (i: number) => `{"exception_str":"cause ${i}","traceback_str":"","exc_type_names":["Exception"]`;
  let text = '';
  for (let i = 0; i < causes; i++) text += `${head(i)},"causes":[`;
  text += `${head(causes)}}`;
  for (let i = 0; i < causes; i++) text += ']}';
  return text;
}

/** The chain of first causes below `failure`, as a list. */
function chainOf(failure: Failure): Failure[] {
  const out: Failure[] = [];
  for (let f = failure.causes[0]; f; f = f.causes[0]) out.push(f);
  return out;
}

const request = (args: unknown) => ({
  body: JSON.stringify({ task_cls: 'T', task_name: 't', task_version: '1.0', action: 'execute', arguments: args }),
  properties: { type: 'REQUEST', headers: {} },
});

describe('nesting limits on decode', () => {
  it('truncates a FAILURE with 5000 nested causes to a marker saying how many were cut', () => {
    const text = `{"state":"FAILURE","data":{"result":${chainText(5000)}}}`;
    const decoded = decodeMessage({ body: text, properties: { type: 'RESPONSE', headers: {} } });
    const result = (decoded.body as { data: { result: FailureDict } }).data.result;
    const failure = Failure.fromDict(result);
    const chain = chainOf(failure);
    expect(chain).toHaveLength(MAX_FAILURE_CAUSE_DEPTH + 1);
    const marker = chain[chain.length - 1]!;
    expect(marker.excTypeNames[0]).toBe(TRUNCATED_CAUSES_TYPE);
    expect(marker.exceptionStr).toBe(`${5000 - MAX_FAILURE_CAUSE_DEPTH} more causes truncated`);
  });

  it('truncates deep causes in a revert request (result and failures)', () => {
    const body =
      '{"task_cls":"T","task_name":"t","task_version":"1.0","action":"revert","arguments":{},' +
      `"result":["failure",${chainText(3000)}],"failures":{"a":${chainText(3000)},"__proto__":${chainText(3000)}}}`;
    const decoded = decodeMessage({ body, properties: { type: 'REQUEST', headers: {} } });
    expect(({} as Record<string, unknown>)['exception_str']).toBeUndefined();
    const failures = (decoded.body as { failures: Record<string, FailureDict> }).failures;
    expect(chainOf(Failure.fromDict(failures['a']))).toHaveLength(MAX_FAILURE_CAUSE_DEPTH + 1);
    expect(Object.getPrototypeOf(failures)).toBe(Object.prototype);
  });

  it('refuses arguments nested past the limit, however deep, with a typed error', () => {
    expect(() => decodeMessage(request({ a: nested(MAX_NESTING_DEPTH - 3) }))).not.toThrow();
    for (const depth of [MAX_NESTING_DEPTH, 100_000]) {
      const text = request({ a: 1 }).body.replace('{"a":1}', `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`);
      let error: unknown;
      try {
        decodeMessage({ body: text, properties: { type: 'REQUEST', headers: {} } });
      } catch (e) {
        error = e;
      }
      expect(TfError.is(error, 'TF_INVALID_MESSAGE')).toBe(true);
      expect((error as Error).message).toContain(`deeper than ${MAX_NESTING_DEPTH}`);
    }
  });

  it('Failure.fromDict truncates without changing the dict it was given', () => {
    const dict = chainDict(100);
    const failure = Failure.fromDict(dict);
    expect(chainOf(failure)).toHaveLength(MAX_FAILURE_CAUSE_DEPTH + 1);
    let depth = 0;
    for (let d: FailureDict | undefined = dict; d; d = d.causes?.[0]) depth++;
    expect(depth).toBe(101);
  });
});

describe('nesting limits on encode and capture', () => {
  it('encodeBody refuses a value nested past the limit with TF_NESTING_TOO_DEEP', () => {
    expect(() => encodeBody(nested(MAX_NESTING_DEPTH - 1))).not.toThrow();
    for (const depth of [MAX_NESTING_DEPTH + 1, 100_000]) {
      expect(() => encodeBody(nested(depth))).toThrow(expect.objectContaining({ code: 'TF_NESTING_TOO_DEEP' }));
    }
  });

  it('strings with brackets do not count as nesting', () => {
    expect(() => encodeBody({ s: '['.repeat(1000), t: '"\\[' })).not.toThrow();
  });

  it('Failure.fromError of an error with 5000 chained causes truncates, and goes on the wire', () => {
    let error = new Error('root cause');
    for (let i = 0; i < 5000; i++) error = new Error(`level ${i}`, { cause: error });
    const failure = Failure.fromError(error);
    const chain = chainOf(failure);
    expect(chain).toHaveLength(MAX_FAILURE_CAUSE_DEPTH + 1);
    expect(chain[chain.length - 1]!.exceptionStr).toBe(`${5000 - MAX_FAILURE_CAUSE_DEPTH} more causes truncated`);
    const text = encodeBody({ state: 'FAILURE', data: { result: wireFailureDict(failure) } });
    const back = decodeMessage({ body: text, properties: { type: 'RESPONSE', headers: {} } });
    expect(back.type).toBe('RESPONSE');
  });
});
