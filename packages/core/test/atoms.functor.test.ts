import { describe, expect, it } from 'vitest';
import { FunctorTask, InvalidAtomError, MapFunctorTask, UNABORTABLE_CONTEXT, functorTask, mapTask, reduceTask } from '@tf/core';

describe('functorTask', () => {
  it('wraps a plain function, named after it by default', async () => {
    function greet({ who }: { who: string }) {
      return `hello ${who}`;
    }
    const t = functorTask(greet, { requires: ['who'], provides: 'greeting' });
    expect(t).toBeInstanceOf(FunctorTask);
    expect(t.name).toBe('greet');
    expect([...t.requires]).toEqual(['who']);
    expect([...t.provides]).toEqual(['greeting']);
    expect(await t.execute({ who: 'bob' })).toBe('hello bob');
    expect(functorTask(greet, { name: 'g2' }).name).toBe('g2');
  });

  it('calls the revert function with args and context', async () => {
    const calls: unknown[] = [];
    const t = functorTask(() => 1, { name: 'one', revert: (args, ctx) => void calls.push([args, ctx.result]) });
    await t.revert({}, { result: 1, flowFailures: {}, signal: UNABORTABLE_CONTEXT.signal });
    expect(calls).toEqual([[{}, 1]]);
  });

  it('needs a name for anonymous functions', () => {
    expect(() =>
      functorTask(
        (
          () => () =>
            1
        )(),
      ),
    ).toThrow(InvalidAtomError);
  });
});

describe('mapTask', () => {
  it('applies fn to each required value in order', async () => {
    const t = mapTask((x: number) => x * 2, { name: 'double', requires: ['a', 'b', 'c'], provides: 'out' });
    expect(t).toBeInstanceOf(MapFunctorTask);
    expect([...t.requires]).toEqual(['a', 'b', 'c']);
    expect(await t.execute({ c: 3, a: 1, b: 2 })).toEqual([2, 4, 6]);
  });

  it('follows rebind (argument order stays the declared order)', async () => {
    const t = mapTask(async (x: string) => x.toUpperCase(), { name: 'up', requires: ['a', 'b'], rebind: { a: 'first' } });
    expect([...t.requires]).toEqual(['first', 'b']);
    expect(await t.execute({ a: 'x', b: 'y' })).toEqual(['X', 'Y']);
  });

  it('needs requirements', () => {
    expect(() => mapTask((x) => x, { name: 'm', requires: [] })).toThrow(/non-empty requires/);
  });
});

describe('reduceTask', () => {
  it('folds the values left to right from the first', async () => {
    const t = reduceTask((acc: string, v: string) => `${acc}${v}`, { name: 'concat', requires: ['a', 'b', 'c'], provides: 'abc' });
    expect(await t.execute({ a: 'x', b: 'y', c: 'z' })).toBe('xyz');
    const sum = reduceTask((a: number, b: number) => a + b, { name: 'sum', requires: ['p', 'q'] });
    expect(await sum.execute({ p: 2, q: 40 })).toBe(42);
  });

  it('needs at least two requirements', () => {
    expect(() => reduceTask((a, b) => a + b, { name: 'r', requires: ['only'] })).toThrow(/at least two/);
  });
});
