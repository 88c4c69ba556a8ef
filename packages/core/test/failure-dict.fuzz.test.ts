import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Failure, TfError } from '@tf/core';
import { chainText, failureLike, poisoned, prototypesClean } from './fuzz-arbitraries';

/** Parses, then uses the failure as the engine would; only a TfError with a code may come out. */
function parseAndUse(value: unknown): void {
  try {
    const failure = Failure.fromDict(value);
    JSON.stringify(failure.toDict());
    failure.pformat(true);
    failure.matches(failure);
  } catch (error) {
    if (!TfError.is(error) || typeof error.code !== 'string') throw error;
  }
}

describe('Failure.fromDict under fuzzing', () => {
  it('failure-shaped and arbitrary values: a Failure or TF_INVALID_FAILURE', () => {
    fc.assert(
      fc.property(fc.oneof(failureLike, fc.jsonValue(), fc.anything()), (value) => {
        parseAndUse(value);
        expect(prototypesClean()).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('dicts parsed from hostile JSON: deep chains and poisoned keys', () => {
    const text = fc.oneof(
      fc.integer({ min: 1, max: 5_000 }).map((n) => chainText(n)),
      fc.integer({ min: 1, max: 2_000 }).map((n) => chainText(n, ',"__proto__":{"polluted":true}')),
      poisoned(failureLike),
    );
    fc.assert(
      fc.property(text, (t) => {
        parseAndUse(JSON.parse(t));
        expect(prototypesClean()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
