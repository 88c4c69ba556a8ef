import { describe, expect, it } from 'vitest';
import { NestingTooDeepError } from '@tf/core';
import { jsonTextTooDeep, valueTooDeep } from '../src/protocol/limits';
import { cutFailureCauses } from '../src/protocol/cut-causes';

const nest = (depth: number, inner = '1') => '['.repeat(depth) + inner + ']'.repeat(depth);

describe('jsonTextTooDeep', () => {
  it('allows exactly the limit, refuses one more, arrays and objects alike', () => {
    expect(jsonTextTooDeep(nest(3), 3)).toBe(false);
    expect(jsonTextTooDeep(nest(4), 3)).toBe(true);
    expect(jsonTextTooDeep('{"a":{"b":{"c":1}}}', 3)).toBe(false);
    expect(jsonTextTooDeep('{"a":{"b":{"c":{"d":1}}}}', 3)).toBe(true);
  });

  it('counts closing brackets, so siblings do not add up', () => {
    expect(jsonTextTooDeep('[[[1]],[[2]],[[3]],{"a":{"b":1}}]', 3)).toBe(false);
    expect(jsonTextTooDeep('[{"a":[1]},{"b":[2]},{"c":[3]}]', 3)).toBe(false);
  });

  it('skips brackets inside strings, escaped quotes and backslashes included', () => {
    expect(jsonTextTooDeep(`["${'['.repeat(20)}"]`, 3)).toBe(false);
    expect(jsonTextTooDeep(`["\\"${'['.repeat(20)}"]`, 3)).toBe(false);
    expect(jsonTextTooDeep(`["\\\\",${nest(3)}]`, 3)).toBe(true);
    expect(jsonTextTooDeep(`["\\\\","${'['.repeat(20)}"]`, 3)).toBe(false);
  });

  it('does not scan a text too short to nest past the limit', () => {
    expect(jsonTextTooDeep('[[[]]]', 3)).toBe(false);
    expect(jsonTextTooDeep('[[[[]]]]', 3)).toBe(true);
    expect(jsonTextTooDeep('[[[[', 2)).toBe(false);
  });
});

describe('valueTooDeep', () => {
  it('counts the value itself as level one, arrays and objects alike, and ignores primitives', () => {
    expect(valueTooDeep([[[1]]], 3)).toBe(false);
    expect(valueTooDeep([[[[1]]]], 3)).toBe(true);
    expect(valueTooDeep({ a: { b: { c: 1 } } }, 3)).toBe(false);
    expect(valueTooDeep({ a: { b: { c: {} } } }, 3)).toBe(true);
    expect(valueTooDeep([1, [2, [3]], { a: [null] }], 3)).toBe(false);
    expect(valueTooDeep([null, 'x', [[{}]]], 3)).toBe(true);
    expect(valueTooDeep(null, 0)).toBe(false);
    expect(valueTooDeep('[[[[', 0)).toBe(false);
    expect(valueTooDeep({}, 0)).toBe(true);
    expect(valueTooDeep({}, 1)).toBe(false);
  });

  it('has a typed error that names the limit', () => {
    const error = new NestingTooDeepError(9);
    expect(error.code).toBe('TF_NESTING_TOO_DEEP');
    expect(error.limit).toBe(9);
    expect(error.message).toBe('Value cannot be sent: it nests deeper than 9 levels of arrays and objects.');
  });
});

describe('cutFailureCauses', () => {
  const deep = () => {
    let dict: Record<string, unknown> = { exception_str: 'leaf', traceback_str: '', exc_type_names: ['Exception'] };
    for (let i = 0; i < 40; i++) dict = { exception_str: `${i}`, traceback_str: '', exc_type_names: ['Exception'], causes: [dict] };
    return dict;
  };
  const depthOf = (dict: unknown) => {
    let n = 0;
    for (let d = dict as { causes?: unknown[] } | undefined; d?.causes?.length; d = d.causes[0] as typeof d) n++;
    return n;
  };

  it('cuts a FAILURE response result only', () => {
    const failure = { state: 'FAILURE', data: { result: deep() } };
    cutFailureCauses('RESPONSE', failure);
    expect(depthOf(failure.data.result)).toBe(17);
    const success = { state: 'SUCCESS', data: { result: deep() } };
    cutFailureCauses('RESPONSE', success);
    expect(depthOf(success.data.result)).toBe(40);
    const inherited = { state: 'FAILURE', data: Object.create({ result: deep() }) as { result: unknown } };
    cutFailureCauses('RESPONSE', inherited);
    expect(depthOf(inherited.data.result)).toBe(40);
    const noData = Object.assign(Object.create({ data: { result: deep() } }) as { data: { result: unknown } }, { state: 'FAILURE' });
    cutFailureCauses('RESPONSE', noData);
    expect(depthOf(noData.data.result)).toBe(40);
    expect(() => cutFailureCauses('RESPONSE', { state: 'FAILURE', data: [deep()] })).not.toThrow();
  });

  it('cuts a revert request result that is a failure, and every failure, even one named __proto__', () => {
    const request = {
      result: ['failure', deep()],
      failures: JSON.parse(`{"a":${JSON.stringify(deep())},"__proto__":${JSON.stringify(deep())}}`),
    };
    cutFailureCauses('REQUEST', request);
    expect(depthOf(request.result[1])).toBe(17);
    expect(depthOf(request.failures['a'])).toBe(17);
    expect(Object.getPrototypeOf(request.failures)).toBe(Object.prototype);
    expect(depthOf(Object.getOwnPropertyDescriptor(request.failures, '__proto__')?.value)).toBe(17);
    expect(Object.getOwnPropertyDescriptor(request.failures, 'a')).toMatchObject({ writable: true, enumerable: true, configurable: true });

    const success = { result: ['success', deep()] };
    cutFailureCauses('REQUEST', success);
    expect(depthOf(success.result[1])).toBe(40);
    const short = { result: ['failure'] };
    cutFailureCauses('REQUEST', short);
    expect(short.result).toEqual(['failure']);
    const inherited = Object.create({ result: ['failure', deep()], failures: { a: deep() } }) as {
      result: unknown[];
      failures: { a: unknown };
    };
    cutFailureCauses('REQUEST', inherited);
    expect(depthOf(inherited.result[1])).toBe(40);
    expect(depthOf(inherited.failures.a)).toBe(40);
    const listed = { failures: [deep()] };
    cutFailureCauses('REQUEST', listed);
    expect(depthOf(listed.failures[0])).toBe(40);
  });

  it('leaves NOTIFY bodies and non-objects alone, and keeps a shallow failure the same object', () => {
    const notify = { result: ['failure', deep()], failures: { a: deep() } };
    cutFailureCauses('NOTIFY', notify);
    expect(depthOf(notify.result[1])).toBe(40);
    expect(depthOf(notify.failures.a)).toBe(40);
    expect(() => cutFailureCauses('REQUEST', null)).not.toThrow();
    expect(() => cutFailureCauses('RESPONSE', [1])).not.toThrow();
    const shallow = { exception_str: 'x', traceback_str: '', exc_type_names: ['Exception'] };
    const response = { state: 'FAILURE', data: { result: shallow } };
    cutFailureCauses('RESPONSE', response);
    expect(response.data.result).toBe(shallow);
  });
});
