import { describe, expect, it } from 'vitest';
import { TfError } from '@tf/core';
import { checkFlowTransition, checkRetryTransition, checkTaskTransition } from '@tf/core/internal';

describe('state machines', () => {
  it('allows exactly TaskFlow task transitions', () => {
    expect(checkTaskTransition('PENDING', 'RUNNING')).toBe(true);
    expect(checkTaskTransition('RUNNING', 'FAILURE')).toBe(true);
    expect(checkTaskTransition('FAILURE', 'REVERTING')).toBe(true);
    expect(checkTaskTransition('REVERTING', 'REVERT_FAILURE')).toBe(true);
    expect(checkTaskTransition('IGNORE', 'PENDING')).toBe(true);
    expect(checkTaskTransition('SUCCESS', 'SUCCESS')).toBe(false);
    for (const [from, to] of [
      ['PENDING', 'SUCCESS'],
      ['SUCCESS', 'RUNNING'],
      ['REVERT_FAILURE', 'PENDING'],
      ['SUCCESS', 'RETRYING'],
    ] as const) {
      let error: unknown;
      try {
        checkTaskTransition(from, to, "task 'x'");
      } catch (e) {
        error = e;
      }
      expect(TfError.is(error, 'TF_INVALID_STATE')).toBe(true);
      expect((error as Error).message).toBe(`task 'x' cannot go from ${from} to ${to}`);
    }
  });

  it('lets retries go SUCCESS -> RETRYING -> RUNNING, and only retries', () => {
    expect(checkRetryTransition('SUCCESS', 'RETRYING')).toBe(true);
    expect(checkRetryTransition('RETRYING', 'RUNNING')).toBe(true);
    expect(() => checkTaskTransition('RETRYING', 'RUNNING')).toThrow(/cannot go/);
  });

  it('allows flow transitions, ignores the ones TaskFlow ignores, refuses the rest', () => {
    expect(checkFlowTransition('PENDING', 'RUNNING')).toBe(true);
    expect(checkFlowTransition('RUNNING', 'SUSPENDING')).toBe(true);
    expect(checkFlowTransition('SUSPENDING', 'SUSPENDED')).toBe(true);
    expect(checkFlowTransition('SUSPENDED', 'RUNNING')).toBe(true);
    expect(checkFlowTransition('SUCCESS', 'SUSPENDING')).toBe(false);
    expect(checkFlowTransition('PENDING', 'SUSPENDED')).toBe(false);
    expect(() => checkFlowTransition('PENDING', 'SUCCESS')).toThrow(/cannot go from PENDING to SUCCESS/);
    expect(() => checkFlowTransition('SUSPENDED', 'SUCCESS')).toThrow(/cannot go/);
  });
});
