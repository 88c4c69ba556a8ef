import { describe, expect, it } from 'vitest';
import {
  InvalidAtomError,
  Task,
  TfError,
  UNABORTABLE_CONTEXT,
  defineTask,
  functorTask,
  isAtom,
  isRetry,
  isTask,
  isTaskClass,
  Times,
  type ProgressSink,
} from '@tf/core';

class AddOne extends Task<{ x: number }, number> {
  static override taskName = 'tasks.AddOne';
  static override requires = ['x'];
  override execute({ x }: { x: number }) {
    return x + 1;
  }
}

class Plain extends Task<{ a: number; b?: number }, number> {
  static override requires = ['a'];
  static override optional = ['b'];
  static override provides = 'sum';
  override execute({ a, b = 10 }: { a: number; b?: number }) {
    return a + b;
  }
}

describe('Task', () => {
  it('names instances after the class wire name, which defaults to the class name', () => {
    expect(AddOne.taskName).toBe('tasks.AddOne');
    expect(Plain.taskName).toBe('Plain');
    expect(new AddOne().name).toBe('tasks.AddOne');
    expect(new AddOne({ name: 'add' }).name).toBe('add');
    expect(new AddOne({ name: 'add' }).taskName).toBe('tasks.AddOne');
    expect(new AddOne().kind).toBe('task');
    expect(new AddOne().version).toEqual([1, 0]);
    expect(new AddOne({ version: [2, 3] }).version).toEqual([2, 3]);
  });

  it('computes the binding from statics', () => {
    const t = new Plain();
    expect([...t.requires]).toEqual(['a']);
    expect([...t.optional]).toEqual(['b']);
    expect([...t.argMapping]).toEqual([
      ['a', 'a'],
      ['b', 'b'],
    ]);
    expect([...t.optionalArgs]).toEqual(['b']);
    expect([...t.provides]).toEqual(['sum']);
    expect(t.saveAs.get('sum')).toBeNull();
  });

  it('runs execute with optional args left out (destructuring defaults apply)', async () => {
    expect(await new Plain().execute({ a: 1 })).toBe(11);
    expect(await new Plain().execute({ a: 1, b: 2 })).toBe(3);
  });

  it('rebinds by map and by position, and adds extra requirements', () => {
    const byMap = new Plain({ rebind: { a: 'alpha', b: 'beta' } });
    expect([...byMap.requires]).toEqual(['alpha']);
    expect([...byMap.optional]).toEqual(['beta']);
    expect(byMap.argMapping.get('a')).toBe('alpha');

    const Two = defineTask({ name: 'two', requires: ['a', 'b'], execute: ({ a, b }: { a: number; b: number }) => a * b });
    const byList = new Two({ rebind: ['x', 'y'] });
    expect([...byList.argMapping]).toEqual([
      ['a', 'x'],
      ['b', 'y'],
    ]);
    expect([...new Two({ rebind: ['x'] }).requires]).toEqual(['x', 'b']);

    const extra = new Plain({ requires: ['c'], optional: ['d'] });
    expect([...extra.requires]).toEqual(['a', 'c']);
    expect([...extra.optional]).toEqual(['b', 'd']);
  });

  it('removes injected symbols from requires and optional', () => {
    const t = new Plain({ inject: { a: 5, b: 6 } });
    expect(t.requires.size).toBe(0);
    expect(t.optional.size).toBe(0);
    expect(t.inject).toEqual({ a: 5, b: 6 });
    expect(Object.isFrozen(t.inject)).toBe(true);
    // inject is keyed by symbol, after rebind
    const r = new Plain({ rebind: { a: 'q' }, inject: { q: 1 } });
    expect(r.requires.size).toBe(0);
    expect(r.argMapping.get('a')).toBe('q');
  });

  it('supports the three provides forms', () => {
    expect([...new AddOne({ provides: 'y' }).saveAs]).toEqual([['y', null]]);
    expect([...new AddOne({ provides: ['lo', 'hi'] }).saveAs]).toEqual([
      ['lo', 0],
      ['hi', 1],
    ]);
    const mapped = new AddOne({ provides: { host: 'hostname', first: 0 } });
    expect([...mapped.saveAs]).toEqual([
      ['host', 'hostname'],
      ['first', 0],
    ]);
    expect([...mapped.provides]).toEqual(['host', 'first']);
    // null overrides a class default
    expect(new Plain({ provides: null }).provides.size).toBe(0);
  });

  it('rejects bad options with typed errors naming the culprit', () => {
    const bad = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(TfError.is(e, 'TF_INVALID_ATOM')).toBe(true);
        return e as InvalidAtomError;
      }
      throw new Error('expected a throw');
    };
    const e1 = bad(() => new Plain({ name: 'p', rebind: { z: 'zz' } }));
    expect(e1.argument).toBe('z');
    expect(e1.atom).toBe('p');
    expect(e1.message).toContain("'z'");
    expect(bad(() => new Plain({ rebind: ['x', 'y'] })).message).toMatch(/rebind lists 2 names/);
    bad(() => new Plain({ provides: 42 as never }));
    bad(() => new Plain({ provides: { a: -1 } }));
    bad(() => new Plain({ provides: ['a', 'a'] }));
    bad(() => new Plain({ name: '' }));
    bad(() => new Plain({ version: [1] as never }));
  });

  it('reports progress through the sink the runtime installs, clamped to [0, 1]', () => {
    const seen: [number, unknown][] = [];
    const t = new AddOne();
    t.updateProgress(0.5); // no sink: nothing happens
    const sink: ProgressSink = (p, d) => seen.push([p, d]);
    expect(t.setProgressSink(sink)).toBeUndefined();
    t.updateProgress(0.25, { step: 1 });
    t.updateProgress(-3);
    t.updateProgress(7);
    t.updateProgress(Number.NaN);
    expect(seen).toEqual([
      [0.25, { step: 1 }],
      [0, undefined],
      [1, undefined],
      [0, undefined],
    ]);
    expect(t.setProgressSink(undefined)).toBe(sink);
    t.updateProgress(0.9);
    expect(seen).toHaveLength(4);
  });

  it('revert defaults to a no-op', async () => {
    expect(await new AddOne().revert({ x: 1 }, { result: 2, flowFailures: {}, signal: UNABORTABLE_CONTEXT.signal })).toBeUndefined();
  });
});

describe('defineTask', () => {
  const Multiply = defineTask({
    name: 'tasks.Multiply',
    requires: ['a', 'b'],
    provides: 'product',
    version: [3, 1],
    execute({ a, b }: { a: number; b: number }) {
      this.updateProgress(1);
      return a * b;
    },
    revert: (args, { result }) => {
      reverted.push([args, result]);
    },
  });
  const reverted: unknown[] = [];

  it('returns a Task class named after the spec', async () => {
    expect(Multiply.taskName).toBe('tasks.Multiply');
    expect(Multiply.name).toBe('tasks.Multiply');
    expect(isTaskClass(Multiply)).toBe(true);
    const m = new Multiply({ name: 'mul', rebind: { a: 'y' }, inject: { b: 10 } });
    expect(m).toBeInstanceOf(Task);
    expect(m.name).toBe('mul');
    expect(m.version).toEqual([3, 1]);
    expect([...m.requires]).toEqual(['y']);
    expect([...m.provides]).toEqual(['product']);
    const progress: number[] = [];
    m.setProgressSink((p) => progress.push(p));
    expect(await m.execute({ a: 2, b: 10 }, UNABORTABLE_CONTEXT)).toBe(20);
    expect(progress).toEqual([1]);
    await m.revert({ a: 2, b: 10 }, { result: 20, flowFailures: {}, signal: UNABORTABLE_CONTEXT.signal });
    expect(reverted).toEqual([[{ a: 2, b: 10 }, 20]]);
  });

  it('gives independent classes', () => {
    const Other = defineTask({ name: 'other', requires: ['z'], execute: () => 1 });
    expect(Other.requires).toEqual(['z']);
    expect(Multiply.requires).toEqual(['a', 'b']);
    expect(new Other().name).toBe('other');
  });

  it('rejects a spec without a name or execute', () => {
    expect(() => defineTask({ name: '', execute: () => 1 })).toThrow(InvalidAtomError);
    expect(() => defineTask({ name: 'x' } as never)).toThrow(/execute/);
  });
});

describe('brands', () => {
  it('recognise tasks and classes across copies, not by instanceof', () => {
    const lookAlike = { [Symbol.for('tf.task')]: true, name: 'foreign' };
    expect(lookAlike instanceof Task).toBe(false);
    expect(isTask(lookAlike)).toBe(true);
    const ForeignClass = (() => {}) as unknown as Record<symbol, unknown>;
    ForeignClass[Symbol.for('tf.task')] = true;
    expect(isTaskClass(ForeignClass)).toBe(true);
    expect(isTask(ForeignClass)).toBe(false);
    expect(isTaskClass(AddOne)).toBe(true);
    expect(isTask(new AddOne())).toBe(true);
    expect(isTask({ name: 'x', execute() {} })).toBe(false);
    expect(isRetry(new AddOne())).toBe(false);
    expect(isRetry(new Times())).toBe(true);
    expect(isAtom(new Times())).toBe(true);
    expect(isTask(new Times())).toBe(false);
  });
});

describe('local tasks', () => {
  class Home extends AddOne {
    static override taskName = 'tasks.Home';
    static override local = true;
  }

  it('are remote by default; `static local` marks a class, the `local` option an instance (and wins)', () => {
    expect(new AddOne().local).toBe(false);
    expect(new AddOne({ local: true }).local).toBe(true);
    expect(new Home().local).toBe(true);
    expect(new Home({ local: false }).local).toBe(false);
    expect(Task.local).toBe(false);
  });

  it('defineTask and the functor tasks take it too', () => {
    const Local = defineTask({ name: 'tasks.DefinedHome', local: true, execute: () => 1 });
    expect(Local.local).toBe(true);
    expect(new Local().local).toBe(true);
    expect(new Local({ local: false }).local).toBe(false);
    expect(new (defineTask({ name: 'tasks.DefinedAway', execute: () => 1 }))().local).toBe(false);
    expect(functorTask(function double() {}, { local: true }).local).toBe(true);
    expect(functorTask(function double() {}).local).toBe(false);
  });

  it('refuses a local option that is not a boolean', () => {
    const error = (() => {
      try {
        new AddOne({ local: 'yes' as unknown as boolean });
      } catch (e) {
        return e;
      }
      throw new Error('expected InvalidAtomError');
    })();
    expect(TfError.is(error, 'TF_INVALID_ATOM')).toBe(true);
    expect((error as Error).message).toMatch(/local must be true or false/);
  });
});
