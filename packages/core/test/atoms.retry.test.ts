import { describe, expect, it } from 'vitest';
import {
  AlwaysRevert,
  AlwaysRevertAll,
  Decision,
  ForEach,
  ParameterizedForEach,
  RetryHistory,
  Times,
  linearFlow,
  type FailureLike,
} from '@tf/core';

const failure = (type: string, message = 'boom'): FailureLike => ({
  exceptionStr: message,
  check: (...names) => names.find((n) => n === type),
});

const historyOf = (...values: unknown[]) => new RetryHistory(values.map((value) => ({ value, failures: { t: failure('IOError') } })));

describe('Decision', () => {
  it('is a const object of the three strategies', () => {
    expect(Decision).toEqual({ RETRY: 'RETRY', REVERT: 'REVERT', REVERT_ALL: 'REVERT_ALL' });
  });
});

describe('RetryHistory', () => {
  it('exposes attempts, values, outcomes and failure lookups', () => {
    const h = new RetryHistory(
      [
        { value: 1, failures: { a: failure('IOError') } },
        { value: 2, failures: { b: failure('ValueError'), c: failure('KeyError') } },
      ],
      failure('RetryError'),
    );
    expect(h.length).toBe(2);
    expect(h.values()).toEqual([1, 2]);
    expect(h.outcomes().map(([n]) => n)).toEqual(['a', 'b', 'c']);
    expect(h.outcomes(0).map(([n]) => n)).toEqual(['a']);
    expect(h.outcomes(-1).map(([n]) => n)).toEqual(['b', 'c']);
    expect(h.failureOf('b')?.check('ValueError')).toBe('ValueError');
    expect(h.failureOf('a')).toBeUndefined();
    expect(h.failureOf('a', 0)).toBeDefined();
    expect(h.causedBy('KeyError')).toBe(true);
    expect(h.causedBy('KeyError', { index: 0 })).toBe(false);
    expect(h.causedBy('RetryError')).toBe(false);
    expect(h.causedBy('RetryError', { includeRetry: true })).toBe(true);
    expect([...h].map((a) => a.value)).toEqual([1, 2]);
  });
});

describe('Times', () => {
  it('retries until attempts are used up, then reverts', () => {
    const r = new Times({ attempts: 3 });
    expect(r.execute(historyOf())).toBe(1);
    expect(r.execute(historyOf(1))).toBe(2);
    expect(r.onFailure(historyOf(1))).toBe('RETRY');
    expect(r.onFailure(historyOf(1, 2))).toBe('RETRY');
    expect(r.onFailure(historyOf(1, 2, 3))).toBe('REVERT');
  });

  it('reverts everything when revertAll is set', () => {
    expect(new Times({ attempts: 1, revertAll: true }).onFailure(historyOf(1))).toBe('REVERT_ALL');
  });

  it('provides what it is told to and validates attempts', () => {
    expect([...new Times({ provides: 'attempt' }).provides]).toEqual(['attempt']);
    const invalidAttempts = expect.objectContaining({ code: 'TF_INVALID_ATOM', argument: 'attempts' });
    for (const attempts of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '2' as unknown as number]) {
      expect(() => new Times({ attempts }), String(attempts)).toThrow(invalidAttempts);
    }
    expect(() => new Times({ attempts: 1.5 })).toThrow(/attempts must be a positive integer, got 1.5/);
    expect(new Times({ attempts: 2 }).attempts).toBe(2);
  });
});

describe('ForEach', () => {
  it('provides the next untried value and retries while some are left', () => {
    const r = new ForEach({ values: ['a', 'b', 'c'], provides: 'choice' });
    expect(r.execute(historyOf())).toBe('a');
    expect(r.execute(historyOf('a'))).toBe('b');
    expect(r.onFailure(historyOf('a'))).toBe('RETRY');
    expect(r.onFailure(historyOf('a', 'b'))).toBe('RETRY');
    expect(r.onFailure(historyOf('a', 'b', 'c'))).toBe('REVERT');
    expect(() => r.execute(historyOf('a', 'b', 'c'))).toThrow(/No elements left/);
  });

  it('counts repeated values and compares persisted (structural) values', () => {
    const r = new ForEach({ values: [{ host: 'h1' }, { host: 'h1' }, { host: 'h2' }], revertAll: true });
    expect(r.execute(historyOf({ host: 'h1' }))).toEqual({ host: 'h1' });
    expect(r.execute(historyOf({ host: 'h1' }, { host: 'h1' }))).toEqual({ host: 'h2' });
    expect(r.onFailure(historyOf({ host: 'h1' }, { host: 'h1' }, { host: 'h2' }))).toBe('REVERT_ALL');
  });
});

describe('ParameterizedForEach', () => {
  it('reads the values from its argument, renamed by rebind', () => {
    const r = new ParameterizedForEach({ rebind: { values: 'servers' }, provides: 'server' });
    expect([...r.requires]).toEqual(['servers']);
    const args = { values: ['s1', 's2'] };
    expect(r.execute(historyOf(), args)).toBe('s1');
    expect(r.execute(historyOf('s1'), args)).toBe('s2');
    expect(r.onFailure(historyOf('s1'), args)).toBe('RETRY');
    expect(r.onFailure(historyOf('s1', 's2'), args)).toBe('REVERT');
    expect([...new ParameterizedForEach({ rebind: ['hosts'] }).requires]).toEqual(['hosts']);
    expect(new ParameterizedForEach({ revertAll: true }).onFailure(historyOf(1), { values: [1] })).toBe('REVERT_ALL');
  });
});

describe('AlwaysRevert / AlwaysRevertAll', () => {
  it('always decide the same', () => {
    expect(new AlwaysRevert().onFailure()).toBe('REVERT');
    expect(new AlwaysRevertAll().onFailure()).toBe('REVERT_ALL');
    expect(new AlwaysRevert().execute()).toBeUndefined();
  });
});

describe('retry naming', () => {
  it('takes <flow>_retry when unnamed, keeps a given name', () => {
    const r = new Times();
    expect(r.hasName).toBe(false);
    linearFlow('deploy', { retry: r });
    expect(r.name).toBe('deploy_retry');
    expect(r.kind).toBe('retry');
    const named = new Times({ name: 'again' });
    linearFlow('other', { retry: named });
    expect(named.name).toBe('again');
  });
});
