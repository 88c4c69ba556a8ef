/**
 * What `revert` receives when not every argument of `execute` can be found any more: those that can
 * (from the store, earlier results, or `inject`), the rest left out.
 */
import { describe, expect, it } from 'vitest';
import { ActionEngine, Task, TfError, graphFlow, linearFlow, type RevertContext } from '@tf/core';

class Source extends Task {
  override execute(): number {
    return 1;
  }
}

class ProvidesX extends Task {
  static override provides = 'x';
  override execute(): number {
    return 10;
  }
}

const reverted: Record<string, unknown>[] = [];

class NeedsX extends Task {
  static override requires = ['x', 'y', 'z'];
  override execute(): never {
    throw new Error('never reached: x is missing');
  }
  override revert(args: Record<string, unknown>, _context: RevertContext): void {
    reverted.push(args);
  }
}

describe('revert arguments', () => {
  it('a task whose provider was ignored fails for the missing value; its revert gets the arguments that exist', async () => {
    reverted.length = 0;
    const src = new Source({ name: 'src' });
    const px = new ProvidesX({ name: 'px' });
    const needs = new NeedsX({ name: 'needs', rebind: { y: 'why' }, inject: { z: 'injected' } });
    const flow = graphFlow('g')
      .add(src, px, needs)
      .link(src, px, { decider: () => false, deciderDepth: 'ATOM' });
    const engine = new ActionEngine(flow, { store: { why: 'stored' } });
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    expect(TfError.is(error)).toBe(true);
    expect(engine.storage.getState('px')).toBe('IGNORE');
    expect(engine.storage.getState('needs')).toBe('REVERTED');
    expect(reverted).toEqual([{ y: 'stored', z: 'injected' }]);
  });
});

class ProgressingRevert extends Task {
  override execute(): string {
    return 'done';
  }
  override revert(): void {
    this.updateProgress(0.5, { undoing: true });
  }
}

class Boom extends Task {
  override execute(): never {
    throw new Error('boom');
  }
}

describe('progress while reverting', () => {
  it('reaches the atom listeners as it does while executing', async () => {
    const engine = new ActionEngine(linearFlow('f').add(new ProgressingRevert({ name: 'p' }), new Boom({ name: 'boom' })));
    const seen: unknown[] = [];
    engine.atomNotifier.on('update_progress', (_event, details) => seen.push([details.atomName, details.progress, details.details]));
    await engine.run().catch(() => undefined);
    expect(engine.storage.getState('p')).toBe('REVERTED');
    expect(seen).toEqual([['p', 0.5, { undoing: true }]]);
  });
});
