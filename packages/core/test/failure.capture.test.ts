import { describe, expect, it } from 'vitest';
import {
  Failure,
  MAX_FAILURE_CAUSE_DEPTH,
  RemoteFailureError,
  TfError,
  TRUNCATED_CAUSES_TYPE,
  WrappedFailure,
  type FailureDict,
} from '@tf/core';

/** An error `levels` errors long (the top included), whose last error has `bottom` as its cause. */
function errorChain(levels: number, bottom?: unknown): Error {
  let error = bottom === undefined ? new Error(`level ${levels - 1}`) : new Error(`level ${levels - 1}`, { cause: bottom });
  for (let i = levels - 2; i >= 0; i--) error = new Error(`level ${i}`, { cause: error });
  return error;
}

/** The failure `depth` first causes below `failure`. */
function at(failure: Failure, depth: number): Failure {
  let f = failure;
  for (let i = 0; i < depth; i++) f = f.causes[0]!;
  return f;
}

const dict = (overrides: Partial<FailureDict> = {}): FailureDict => ({
  exception_str: 'boom',
  traceback_str: 'frames',
  exc_type_names: ['RuntimeError', 'Exception'],
  exc_args: ['boom'],
  ...overrides,
});

describe('Failure.fromError, the edges of capture', () => {
  it('takes an object with a string name and message for an error, and nothing less', () => {
    const errorLike = Failure.fromError({ name: 'HttpError', message: 'nope' });
    expect(errorLike.excTypeNames).toEqual(['HttpError']);
    expect(errorLike.exceptionStr).toBe('nope');
    expect(errorLike.excArgs).toEqual(['nope']);
    for (const notAnError of [{ message: 'no name' }, { name: 'NoMessage' }, { name: 1, message: 'x' }]) {
      const failure = Failure.fromError(notAnError);
      expect(failure.excTypeNames).toEqual(['Object']);
      expect(failure.exceptionStr).toBe(JSON.stringify(notAnError));
      expect(failure.tracebackStr).toBe('');
    }
  });

  it('names a non-error by its class, null, Object or its primitive type, and keeps unserialisable values as text', () => {
    class Point {
      constructor(readonly x: number) {}
    }
    expect(Failure.fromError(new Point(1)).excTypeNames).toEqual(['Point']);
    expect(Failure.fromError({ code: 42 }).excTypeNames).toEqual(['Object']);
    expect(Failure.fromError(Object.create(null)).excTypeNames).toEqual(['Object']);
    const fromNull = Failure.fromError(null);
    expect(fromNull.excTypeNames).toEqual(['null']);
    expect(fromNull.exceptionStr).toBe('null');
    const big = Failure.fromError(10n);
    expect(big.excTypeNames).toEqual(['bigint']);
    expect(big.exceptionStr).toBe('10');
    expect(big.excArgs).toEqual(['10']);
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(Failure.fromError(cyclic).excArgs).toEqual(['[object Object]']);
    expect(Failure.fromError(Symbol('s')).excArgs).toEqual(['Symbol(s)']);
  });

  it('builds the class chain without empty, duplicate or non-string names, and falls back to Error', () => {
    const anonymous = [class extends Error {}][0]!;
    expect(Failure.fromError(new anonymous('a')).excTypeNames).toEqual(['Error']);

    const Base = class Same extends Error {};
    const Derived = class Same extends Base {};
    expect(Failure.fromError(new Derived('d')).excTypeNames).toEqual(['Same', 'Error']);

    class Odd extends Error {}
    Object.defineProperty(Odd, 'name', { value: 7 });
    expect(Failure.fromError(new Odd('o')).excTypeNames).toEqual(['Error']);

    const renamed = new TypeError('r');
    renamed.name = 'Custom';
    expect(Failure.fromError(renamed).excTypeNames).toEqual(['Custom', 'TypeError', 'Error']);
    const unnamed = new TypeError('u');
    unnamed.name = '';
    expect(Failure.fromError(unnamed).excTypeNames).toEqual(['TypeError', 'Error']);
    const numbered = new TypeError('n');
    (numbered as { name: unknown }).name = 5;
    expect(Failure.fromError(numbered).excTypeNames).toEqual(['TypeError', 'Error']);

    // No constructor anywhere on its prototype chain, and an empty name.
    const bare = Object.create(Object.create(null)) as { name: string; message: string };
    bare.name = '';
    bare.message = 'bare';
    const failure = Failure.fromError(bare);
    expect(failure.excTypeNames).toEqual(['Error']);
    expect(failure.tracebackStr).toBe('');
  });

  it('keeps the traceback from the first frame, the whole stack when it has none, and nothing when there is none', () => {
    const error = new Error('look at me\n  and at this');
    const failure = Failure.fromError(error);
    expect(failure.tracebackStr).toMatch(/^\s+at /);
    expect(failure.tracebackStr).not.toContain('look');
    expect(failure.tracebackStr).not.toContain('and at this');

    const frameless = new Error('f');
    frameless.stack = 'a stack without frames';
    expect(Failure.fromError(frameless).tracebackStr).toBe('a stack without frames');
    const stackless = new Error('s');
    Object.defineProperty(stackless, 'stack', { value: undefined });
    expect(Failure.fromError(stackless).tracebackStr).toBe('');
  });

  it('gives an error without a message an empty string and no arguments', () => {
    const empty = Failure.fromError(new Error());
    expect(empty.exceptionStr).toBe('');
    expect(empty.excArgs).toEqual([]);
    const undefinedMessage = new Error('m');
    Object.defineProperty(undefinedMessage, 'message', { value: undefined });
    const failure = Failure.fromError(undefinedMessage);
    expect(failure.exceptionStr).toBe('');
    expect(failure.excArgs).toEqual([]);
  });

  it('captures a cause reached twice once', () => {
    const twice = new RangeError('twice');
    const failure = Failure.fromError(new AggregateError([twice, twice], 'many'));
    expect(failure.causes).toHaveLength(1);
  });

  it('keeps a chain exactly at the depth limit whole, with no marker, even when its last cause loops back', () => {
    const whole = Failure.fromError(errorChain(MAX_FAILURE_CAUSE_DEPTH + 1));
    expect(at(whole, MAX_FAILURE_CAUSE_DEPTH).exceptionStr).toBe(`level ${MAX_FAILURE_CAUSE_DEPTH}`);
    expect(at(whole, MAX_FAILURE_CAUSE_DEPTH).causes).toEqual([]);

    const top = errorChain(MAX_FAILURE_CAUSE_DEPTH + 1);
    let last: Error = top;
    while (last.cause) last = last.cause as Error;
    (last as { cause?: unknown }).cause = top;
    expect(at(Failure.fromError(top), MAX_FAILURE_CAUSE_DEPTH).causes).toEqual([]);
  });

  it('counts what it cuts below the limit: each error once, through cause and errors, a null cause included', () => {
    const shared = new Error('shared');
    const deep = errorChain(MAX_FAILURE_CAUSE_DEPTH + 1, new AggregateError([shared, shared, new Error('x', { cause: null })], 'agg'));
    const cut = at(Failure.fromError(deep), MAX_FAILURE_CAUSE_DEPTH);
    // The AggregateError, `shared` and `x` and x's null cause.
    expect(cut.causes).toHaveLength(1);
    const marker = cut.causes[0]!;
    expect(marker.toDict()).toStrictEqual({
      version: 1,
      exception_str: '4 more causes truncated',
      traceback_str: '',
      exc_type_names: [TRUNCATED_CAUSES_TYPE, 'Exception'],
      exc_args: [],
      causes: [],
    });

    const loop = errorChain(MAX_FAILURE_CAUSE_DEPTH + 3);
    let last: Error = loop;
    while (last.cause) last = last.cause as Error;
    (last as { cause?: unknown }).cause = at(Failure.fromError(loop), 0).exception;
    expect(at(Failure.fromError(loop), MAX_FAILURE_CAUSE_DEPTH).causes[0]!.exceptionStr).toBe('2 more causes truncated');
  });
});

describe('Failure, comparing and reporting', () => {
  it('matches only a Failure, itself, or one equal in every field', () => {
    const failure = Failure.fromDict(dict());
    expect(failure.matches(failure)).toBe(true);
    expect(failure.matches({ ...failure, exceptionStr: 'boom', tracebackStr: 'frames', excTypeNames: failure.excTypeNames })).toBe(false);
    expect(failure.matches(Failure.fromDict(dict()))).toBe(true);
    expect(failure.matches(Failure.fromDict(dict({ traceback_str: 'other frames' })))).toBe(false);
    expect(failure.matches(Failure.fromDict(dict({ exc_type_names: ['ValueError', 'Exception'] })))).toBe(false);
    expect(failure.matches(Failure.fromDict(dict({ exc_args: ['other'] })))).toBe(false);
    expect(failure.matches(Failure.fromDict(dict({ causes: [dict()] })))).toBe(false);
    expect(Failure.fromDict(dict({ causes: [dict()] })).matches(Failure.fromDict(dict({ causes: [dict({ exception_str: 'x' })] })))).toBe(
      false,
    );
  });

  it('validates a dict by throwing a typed error that names each problem, at the root too', () => {
    expect(() => Failure.validate(dict())).not.toThrow();
    expect(() => Failure.validate({ ...dict(), exc_type_names: [] })).toThrow(
      expect.objectContaining({
        code: 'TF_INVALID_FAILURE',
        message: 'Invalid failure dict: /exc_type_names must NOT have fewer than 1 items',
      }),
    );
    let error: unknown;
    try {
      Failure.validate({ exception_str: 1, traceback_str: 2, exc_type_names: ['X'] });
    } catch (e) {
      error = e;
    }
    expect(TfError.is(error, 'TF_INVALID_FAILURE')).toBe(true);
    expect((error as { problems: string[] }).problems).toEqual(['/exception_str must be string', '/traceback_str must be string']);
    expect((error as Error).message).toBe('Invalid failure dict: /exception_str must be string; /traceback_str must be string');
    expect(() => Failure.validate(null)).toThrow('Invalid failure dict: (root) must be object');
  });

  it('reraises, prints itself, and wraps several failures in one message', () => {
    const remote = Failure.fromDict(dict());
    expect(() => remote.reraise()).toThrow(RemoteFailureError);
    expect(String(remote)).toBe('Failure: RuntimeError: boom');
    expect(remote.pformat(true)).toBe('Failure: RuntimeError: boom\nTraceback:\nframes');
    expect(Failure.fromDict(dict({ traceback_str: '' })).pformat(true)).toBe('Failure: RuntimeError: boom');
    const wrapped = new WrappedFailure([remote, Failure.fromDict(dict({ exception_str: 'two', exc_type_names: ['ValueError'] }))]);
    expect(wrapped.message).toBe('2 failure(s) while running: RuntimeError: boom; ValueError: two');
  });
});
