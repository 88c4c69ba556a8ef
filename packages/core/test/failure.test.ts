import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Failure, RemoteFailureError, TfError, WrappedFailure, type FailureDict } from '@tf/core';

// Produced by Python TaskFlow 5.0.0 (Debian's python3-taskflow): Failure().to_dict() for
//   try: raise IOError('disk gone') except IOError as e: raise RuntimeError('boom') from e
const pythonDict = JSON.parse(readFileSync(new URL('./fixtures/python-failure.json', import.meta.url), 'utf8')) as FailureDict;

class DiskError extends Error {}
class QuotaError extends DiskError {}

describe('Failure', () => {
  it('round-trips a dict produced by Python TaskFlow unchanged', () => {
    const failure = Failure.fromDict(structuredClone(pythonDict));
    expect(failure.toDict()).toStrictEqual(pythonDict);
    expect(JSON.parse(JSON.stringify(failure))).toStrictEqual(pythonDict);
    expect(failure.excTypeNames).toEqual(['RuntimeError', 'Exception']);
    expect(failure.causes[0]?.exceptionStr).toBe('disk gone');
    expect(failure.check('OSError', 'RuntimeError')).toBe('RuntimeError');
    expect(failure.causes[0]?.check('OSError')).toBe('OSError');
    expect(failure.check('ValueError')).toBeUndefined();
  });

  it('keeps extra keys and the absence of optional keys on a round trip', () => {
    const minimal = { exception_str: 'x', traceback_str: '', exc_type_names: ['ValueError'], exc_kwargs: { a: 1 } };
    expect(Failure.fromDict(minimal).toDict()).toStrictEqual(minimal);
  });

  it('captures an Error with its class chain, most specific first, and its cause chain', () => {
    const root = new TypeError('bad type');
    const mid = new DiskError('disk', { cause: root });
    const top = new QuotaError('quota exceeded', { cause: mid });
    const failure = Failure.fromError(top);
    expect(failure.excTypeNames).toEqual(['QuotaError', 'DiskError', 'Error']);
    expect(failure.exceptionStr).toBe('quota exceeded');
    expect(failure.excArgs).toEqual(['quota exceeded']);
    expect(failure.tracebackStr).toMatch(/^\s+at /);
    expect(failure.tracebackStr).not.toContain('quota exceeded');
    expect(failure.causes).toHaveLength(1);
    expect(failure.causes[0]?.excTypeNames).toEqual(['DiskError', 'Error']);
    expect(failure.causes[0]?.causes[0]?.excTypeNames).toEqual(['TypeError', 'Error']);
    expect(failure.check(DiskError)).toBe('DiskError');
    expect(failure.exception).toBe(top);
    expect(failure.toError()).toBe(top);

    const dict = failure.toDict();
    expect(dict.version).toBe(1);
    expect(dict.causes?.[0]?.causes?.[0]?.exception_str).toBe('bad type');
    expect(() => Failure.validate(dict)).not.toThrow();
    expect(Failure.fromDict(JSON.parse(JSON.stringify(dict))).matches(failure)).toBe(true);
  });

  it('captures values thrown that are not Errors', () => {
    const fromString = Failure.fromError('plain string');
    expect(fromString.exceptionStr).toBe('plain string');
    expect(fromString.excTypeNames).toEqual(['string']);
    const fromObject = Failure.fromError({ code: 42 });
    expect(fromObject.exceptionStr).toBe('{"code":42}');
    expect(fromObject.excArgs).toEqual([{ code: 42 }]);
    const fromUndefined = Failure.fromError(undefined);
    expect(fromUndefined.excTypeNames).toEqual(['undefined']);
    expect(() => Failure.validate(fromUndefined.toDict())).not.toThrow();
  });

  it('survives a cause cycle and AggregateError members', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    const failure = Failure.fromError(b);
    expect(failure.causes).toHaveLength(1);
    expect(failure.causes[0]?.causes).toHaveLength(0);

    const agg = Failure.fromError(new AggregateError([new RangeError('r'), new SyntaxError('s')], 'many'));
    expect(agg.causes.map((c) => c.excTypeNames[0])).toEqual(['RangeError', 'SyntaxError']);
  });

  it('rejects invalid dicts with a typed error naming the problem', () => {
    const bad = [
      null,
      {},
      { exception_str: 'x', traceback_str: '', exc_type_names: [] },
      { exception_str: 1, traceback_str: '', exc_type_names: ['X'] },
      { exception_str: 'x', traceback_str: '', exc_type_names: ['X'], causes: [{ exception_str: 'y' }] },
    ];
    for (const dict of bad) {
      let caught: unknown;
      try {
        Failure.fromDict(dict);
      } catch (e) {
        caught = e;
      }
      expect(TfError.is(caught, 'TF_INVALID_FAILURE')).toBe(true);
    }
    expect(() => Failure.fromDict({ exception_str: 'x', traceback_str: '', exc_type_names: [] })).toThrow(/\/exc_type_names/);
  });

  it('matches by content and is recognised by brand', () => {
    const a = Failure.fromDict(structuredClone(pythonDict));
    const b = Failure.fromDict(structuredClone(pythonDict));
    expect(a.matches(b)).toBe(true);
    expect(a.matches(Failure.fromDict({ ...structuredClone(pythonDict), exception_str: 'other' }))).toBe(false);
    expect(Failure.is(a)).toBe(true);
    expect(Failure.is({ exception_str: 'x' })).toBe(false);
    expect(Failure.fromError(a)).toBe(a);
  });

  it('turns a remote failure into a typed error that keeps the failure', () => {
    const remote = Failure.fromDict(structuredClone(pythonDict));
    const error = remote.toError();
    expect(error).toBeInstanceOf(RemoteFailureError);
    expect(TfError.is(error, 'TF_REMOTE_FAILURE')).toBe(true);
    expect(error.name).toBe('RuntimeError');
    expect(error.message).toBe('boom');
    expect((error as RemoteFailureError).failure).toBe(remote);
    // Captured again, it is the remote Failure, with its type chain and causes, not a local capture.
    expect(Failure.fromError(error)).toBe(remote);
    expect(remote.pformat()).toBe('Failure: RuntimeError: boom');
    expect(remote.pformat(true)).toContain('line 8, in f');
  });

  it('wraps several failures', () => {
    const wrapped = new WrappedFailure([Failure.fromError(new TypeError('t')), Failure.fromDict(pythonDict)]);
    expect(wrapped.length).toBe(2);
    expect(wrapped.check('RuntimeError')).toBe('RuntimeError');
    expect(wrapped.check('OSError')).toBeUndefined();
    expect([...wrapped].map((f) => f.excTypeNames[0])).toEqual(['TypeError', 'RuntimeError']);
    expect(TfError.is(wrapped, 'TF_WRAPPED_FAILURE')).toBe(true);
    expect(wrapped.message).toContain('TypeError: t');
  });
});
