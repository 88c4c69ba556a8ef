/**
 * What a failure leads to when retry controllers nest (TaskFlow's completer.py): a nested REVERT defers to the
 * enclosing retry unless that one reverts too; a retry that cannot decide reverts everything and fails the flow.
 */
import { describe, expect, it } from 'vitest';
import { ActionEngine, AlwaysRevert, Decision, Retry, Task, Times, linearFlow, unorderedFlow, type RetryHistory } from '@tf/core';

/** Records executions and reverts in `log`; fails its first `failures` executions. */
class Step extends Task {
  #left: number;
  constructor(
    name: string,
    private readonly log: string[],
    failures = 0,
  ) {
    super({ name });
    this.#left = failures;
  }
  override execute(): string {
    this.log.push(`${this.name}.execute`);
    if (this.#left-- > 0) throw new Error(`${this.name} failed`);
    return this.name;
  }
  override revert(): void {
    this.log.push(`${this.name}.revert`);
  }
}

/** Decides what `decide` returns (or throws), and records what it was asked. */
class Scripted extends Retry {
  constructor(
    name: string,
    private readonly decide: (history: RetryHistory) => Decision,
  ) {
    super({ name });
  }
  override execute(history: RetryHistory): number {
    return history.length + 1;
  }
  override onFailure(history: RetryHistory): Decision {
    return this.decide(history);
  }
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the run to fail');
    },
    (error: unknown) => error,
  );
}

describe('nested retry controllers', () => {
  it('a nested REVERT under an outer retry that reverts too reverts the nested flow only', async () => {
    const log: string[] = [];
    const inner = linearFlow('inner', { retry: new AlwaysRevert({ name: 'inner-retry' }) }).add(new Step('bad', log, 5));
    const flow = linearFlow('outer', { retry: new AlwaysRevert({ name: 'outer-retry' }) }).add(new Step('head', log), inner);
    const engine = new ActionEngine(flow);
    const error = await rejection(engine.run());
    expect((error as Error).message).toBe('bad failed');
    expect(log).toEqual(['head.execute', 'bad.execute', 'bad.revert']);
    expect(engine.storage.getStates()).toEqual({
      'outer-retry': 'SUCCESS',
      head: 'SUCCESS',
      'inner-retry': 'REVERTED',
      bad: 'REVERTED',
    });
    expect(engine.storage.flowState).toBe('REVERTED');
  });

  it('a nested REVERT under an outer REVERT_ALL reverts everything', async () => {
    const log: string[] = [];
    const inner = linearFlow('inner', { retry: new AlwaysRevert({ name: 'inner-retry' }) }).add(new Step('bad', log, 5));
    const outer = new Scripted('outer-retry', () => Decision.REVERT_ALL);
    const flow = linearFlow('outer', { retry: outer }).add(new Step('head', log), inner);
    const engine = new ActionEngine(flow);
    await rejection(engine.run());
    expect(log).toEqual(['head.execute', 'bad.execute', 'bad.revert', 'head.revert']);
    expect(Object.values(engine.storage.getStates())).toEqual(['REVERTED', 'REVERTED', 'REVERTED', 'REVERTED']);
  });

  it('a retry asked about a failure gets the failure in its history, under the atom that failed', async () => {
    const log: string[] = [];
    const seen: string[][] = [];
    const retry = new Scripted('r', (history) => {
      seen.push(Object.keys(history.attempts.at(-1)?.failures ?? {}));
      return history.length < 2 ? Decision.RETRY : Decision.REVERT;
    });
    const flow = linearFlow('f', { retry }).add(new Step('ok', log), new Step('bad', log, 5));
    await rejection(new ActionEngine(flow).run());
    expect(seen).toEqual([['bad'], ['bad']]);
    expect(log).toEqual(['ok.execute', 'bad.execute', 'bad.revert', 'ok.revert', 'ok.execute', 'bad.execute', 'bad.revert', 'ok.revert']);
  });
});

describe('a failure inside a scope already being reverted', () => {
  it('a nested retry whose scope an outer REVERT is reverting does not retry it, even when its controller says RETRY', async () => {
    const log: string[] = [];
    let slowStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      slowStarted = resolve;
    });
    let failSlow: (error: Error) => void = () => {};
    class Slow extends Task {
      override execute(): Promise<never> {
        log.push('slow.execute');
        return new Promise((_resolve, reject) => {
          failSlow = reject;
          slowStarted();
        });
      }
      override revert(): void {
        log.push('slow.revert');
      }
    }
    class Fast extends Task {
      override async execute(): Promise<never> {
        await started;
        log.push('fast.execute');
        throw new Error('fast failed');
      }
      override revert(): void {
        log.push('fast.revert');
      }
    }
    const inner = linearFlow('inner', { retry: new Times({ name: 'inner-retry', attempts: 5 }) }).add(new Slow({ name: 'slow' }));
    const flow = linearFlow('outer', { retry: new AlwaysRevert({ name: 'outer-retry' }) }).add(
      unorderedFlow('both').add(new Fast({ name: 'fast' }), inner),
    );
    const engine = new ActionEngine(flow, { maxConcurrency: 4 });
    // fast's failure is resolved (the outer retry reverts its whole scope) before slow's is handled
    engine.atomNotifier.on('FAILURE', (_event, details) => {
      if (details.atomName === 'fast') failSlow(new Error('slow failed'));
    });
    await rejection(engine.run());
    expect(log.filter((line) => line === 'slow.execute')).toHaveLength(1);
    expect(log).toContain('slow.revert');
    expect(log).toContain('fast.revert');
    expect(engine.storage.getStates()).toEqual({
      'outer-retry': 'REVERTED',
      fast: 'REVERTED',
      'inner-retry': 'REVERTED',
      slow: 'REVERTED',
    });
    expect(engine.storage.flowState).toBe('REVERTED');
  });
});

// As TaskFlow, where the error of a completion ends the run: the flow fails at once, nothing more runs or
// reverts, and every atom is left with the intention to revert.
describe('a retry controller that cannot decide', () => {
  it('an unknown decision fails the flow, naming the retry and the decision; every atom is left to revert', async () => {
    const log: string[] = [];
    const retry = new Scripted('odd', () => 'SOMETIMES' as Decision);
    const flow = linearFlow('f', { retry }).add(new Step('ok', log), new Step('bad', log, 1));
    const engine = new ActionEngine(flow);
    const error = await rejection(engine.run());
    expect((error as Error).name).toBe('TypeError');
    expect((error as Error).message).toBe('Retry \'odd\' returned an unknown decision "SOMETIMES"');
    expect(log).toEqual(['ok.execute', 'bad.execute']);
    expect(engine.storage.flowState).toBe('FAILURE');
    expect(engine.storage.getStates()).toEqual({ odd: 'SUCCESS', ok: 'SUCCESS', bad: 'FAILURE' });
    expect(['odd', 'ok', 'bad'].map((name) => engine.storage.getIntention(name))).toEqual(['REVERT', 'REVERT', 'REVERT']);
  });

  it('an onFailure that throws does the same, with its own error', async () => {
    const log: string[] = [];
    const retry = new Scripted('throws', () => {
      throw new RangeError('cannot decide');
    });
    const flow = unorderedFlow('f', { retry }).add(new Step('bad', log, 1));
    const engine = new ActionEngine(flow);
    const error = await rejection(engine.run());
    expect(log).toEqual(['bad.execute']);
    expect(engine.storage.flowState).toBe('FAILURE');
    expect((error as Error).name).toBe('RangeError');
    expect((error as Error).message).toBe('cannot decide');
    expect(engine.storage.getIntention('throws')).toBe('REVERT');
    expect(engine.storage.getIntention('bad')).toBe('REVERT');
  });
});
