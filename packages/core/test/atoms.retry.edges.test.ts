import { describe, expect, it } from 'vitest';
import {
  AlwaysRevert,
  AlwaysRevertAll,
  ForEach,
  ParameterizedForEach,
  RetryHistory,
  TfError,
  Times,
  linearFlow,
  type FailureLike,
} from '@tf/core';

const failure = (type: string): FailureLike => ({ exceptionStr: type, check: (...names) => names.find((n) => n === type) });
const historyOf = (...values: unknown[]) => new RetryHistory(values.map((value) => ({ value, failures: {} })));

function thrown(make: () => unknown): unknown {
  try {
    make();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('RetryHistory, the edges', () => {
  it('starts empty, and reads attempts from the end or not at all out of range', () => {
    const empty = new RetryHistory();
    expect(empty.length).toBe(0);
    expect(empty.failure).toBeUndefined();
    expect(empty.outcomes()).toEqual([]);
    expect(empty.failureOf('a')).toBeUndefined();
    expect(empty.causedBy('X', { includeRetry: true })).toBe(false);

    const h = new RetryHistory([
      { value: 'first', failures: { a: failure('IOError') } },
      { value: 'second', failures: {} },
    ]);
    expect(h.at(-1)?.value).toBe('second');
    expect(h.at(5)).toBeUndefined();
    expect(h.outcomes(5)).toEqual([]);
    expect(h.outcomes(0)).toEqual([['a', h.at(0)!.failures['a']]]);
    expect(h.failureOf('a', 5)).toBeUndefined();
  });

  it('looks a failure up in the last attempt by default, of three too', () => {
    const h = new RetryHistory([
      { value: 1, failures: { a: failure('IOError') } },
      { value: 2, failures: { a: failure('KeyError') } },
      { value: 3, failures: { a: failure('ValueError') } },
    ]);
    expect(h.failureOf('a')?.exceptionStr).toBe('ValueError');
  });

  it('finds a failure by own name only, not through the prototype', () => {
    const h = new RetryHistory([{ value: 1, failures: { a: failure('IOError') } }]);
    expect(h.failureOf('toString')).toBeUndefined();
    expect(h.failureOf('constructor')).toBeUndefined();
  });

  it('tells the cause from a list of type names, in one attempt or any, and the retry own failure only when asked', () => {
    const h = new RetryHistory(
      [
        { value: 1, failures: { a: failure('IOError') } },
        { value: 2, failures: { b: failure('KeyError') } },
      ],
      failure('RetryError'),
    );
    expect(h.causedBy(['ValueError', 'IOError'])).toBe(true);
    expect(h.causedBy(['ValueError', 'IOError'], { index: -1 })).toBe(false);
    expect(h.causedBy(['ValueError'])).toBe(false);
    expect(h.causedBy(['RetryError'], { includeRetry: false })).toBe(false);
    expect(h.causedBy(['RetryError', 'Other'], { includeRetry: true })).toBe(true);
    expect(h.causedBy('Other', { includeRetry: true })).toBe(false);
  });
});

describe('Times, the edges', () => {
  it('refuses attempts that are not positive integers, with a typed error naming the argument', () => {
    for (const attempts of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = thrown(() => new Times({ name: 'again', attempts }));
      expect(TfError.is(error, 'TF_INVALID_ATOM')).toBe(true);
      expect((error as Error).message).toBe(`Atom 'again': Times: attempts must be a positive integer, got ${attempts}`);
      expect((error as { argument?: string }).argument).toBe('attempts');
    }
    expect(new Times({ attempts: 1 }).attempts).toBe(1);
  });

  it('defaults to one attempt that reverts, not everything', () => {
    const once = new Times();
    expect(once.attempts).toBe(1);
    expect(once.revertAll).toBe(false);
    expect(once.onFailure(historyOf())).toBe('RETRY');
    expect(once.onFailure(historyOf(1))).toBe('REVERT');
    expect(new Times({ attempts: 2, revertAll: true }).onFailure(historyOf(1))).toBe('RETRY');
  });

  it('requires nothing and provides nothing unless told, and its default revert does nothing', () => {
    const r = new Times();
    expect([...r.requires]).toEqual([]);
    expect([...r.optional]).toEqual([]);
    expect([...r.provides]).toEqual([]);
    expect(r.revert(historyOf(), {})).toBeUndefined();
  });
});

describe('ForEach, the edges', () => {
  it('refuses values that are not an array, with a typed error', () => {
    const error = thrown(() => new ForEach({ name: 'each', values: 'abc' as unknown as string[] }));
    expect(TfError.is(error, 'TF_INVALID_ATOM')).toBe(true);
    expect((error as Error).message).toBe("Atom 'each': ForEach: values must be an array");
    expect((error as { argument?: string }).argument).toBe('values');
  });

  it('keeps its own copy of the values and says which controller ran out', () => {
    const values = ['a'];
    const r = new ForEach({ name: 'each', values });
    values.push('b');
    expect(r.values).toEqual(['a']);
    const error = thrown(() => r.execute(historyOf('a')));
    expect(TfError.is(error, 'TF_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toBe('No elements left in collection of iterable retry controller each');
    expect(r.revertAll).toBe(false);
  });

  it('compares tried values structurally: arrays with arrays, same keys, nested, and null apart', () => {
    const next = (values: unknown[], ...tried: unknown[]) => new ForEach({ values }).execute(historyOf(...tried));
    expect(next([[1, 2], 'x'], [1, 2])).toBe('x');
    expect(next([{ 0: 1, 1: 2 }, 'x'], [1, 2])).toEqual({ 0: 1, 1: 2 });
    expect(next([[1, 2], 'x'], { 0: 1, 1: 2 })).toEqual([1, 2]);
    expect(next([{ a: 1 }, 'x'], { a: 1, b: 2 })).toEqual({ a: 1 });
    expect(next([{ a: 1, b: 2 }, 'x'], { a: 1 })).toEqual({ a: 1, b: 2 });
    expect(next([{ a: 1 }, 'x'], { b: 1 })).toEqual({ a: 1 });
    expect(next([{ a: undefined }, 'x'], { b: undefined })).toEqual({ a: undefined });
    expect(next([{ a: { b: [1] } }, 'x'], { a: { b: [1] } })).toBe('x');
    expect(next([{ a: { b: [1] } }, 'x'], { a: { b: [2] } })).toEqual({ a: { b: [1] } });
    expect(next([null, 'x'], {})).toBeNull();
    expect(next([{}, 'x'], null)).toEqual({});
    expect(next([1, 'x'], {})).toBe(1);
    expect(next([{}, 'x'], 1)).toEqual({});
    expect(next(['1', 'x'], 1)).toBe('1');
    expect(next([Number.NaN, 'x'], Number.NaN)).toBe('x');
    expect(next([{}, 'x'], {})).toBe('x');
  });

  it('retries while a value is left, even after a value it never had was tried', () => {
    const r = new ForEach({ values: ['a'] });
    expect(r.onFailure(historyOf('zzz'))).toBe('RETRY');
    expect(r.execute(historyOf('zzz'))).toBe('a');
  });
});

describe('ParameterizedForEach and the others, the edges', () => {
  it('names an unnamed retry as a retry in its errors, and takes optional arguments a subclass declares', () => {
    expect(() => new Times({ rebind: ['a', 'b'] })).toThrow("Atom '(unnamed retry)': rebind lists 2 names");
    class WithOptional extends AlwaysRevert {
      static override optional: readonly string[] = ['hint'];
    }
    expect([...new WithOptional().optional]).toEqual(['hint']);
  });

  it('requires values by default and reverts only its flow unless told', () => {
    const r = new ParameterizedForEach();
    expect([...r.requires]).toEqual(['values']);
    expect(r.onFailure(historyOf(1), { values: [1] })).toBe('REVERT');
    expect(r.onFailure(historyOf(), { values: [1] })).toBe('RETRY');
  });

  it('AlwaysRevertAll provides undefined; a named retry keeps its name when adopted by a flow', () => {
    expect(new AlwaysRevertAll().execute()).toBeUndefined();
    const named = new AlwaysRevert({ name: 'mine' });
    expect(named.hasName).toBe(true);
    named.adoptName('flow_retry');
    expect(named.name).toBe('mine');
    const unnamed = new AlwaysRevert();
    linearFlow('f', { retry: unnamed });
    expect(unnamed.hasName).toBe(true);
  });
});
