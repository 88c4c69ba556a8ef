import { describe, expect, it } from 'vitest';
import { compile, defineTask, graphFlow, unorderedFlow } from '@tf/core';

const T = defineTask({ name: 'T', execute: () => undefined });

describe('argument bindings made on first read', () => {
  it('gives the same list (in argMapping order, shared and provided bindings mixed) on every read, and args agrees', () => {
    const flow = graphFlow('g').add(
      new T({ name: 'p', provides: { b: 'k' } }),
      new T({ name: 'c', requires: ['a', 'b', 'z'], optional: ['o'], inject: { z: 1 } }),
    );
    const c = compile(flow).get('c')!;
    const list = c.argList;
    expect(list.map((b) => [b.arg, b.provider, b.key, b.optional, b.injected])).toEqual([
      ['a', undefined, undefined, false, false],
      ['b', 'p', 'k', false, false],
      ['z', undefined, undefined, false, true],
      ['o', undefined, undefined, true, false],
    ]);
    expect(c.argList).toBe(list);
    expect([...c.args.values()]).toEqual(list);
    expect(c.args.get('b')).toBe(list[1]);
  });

  it('keeps sharing one binding without provider between atoms, whatever else they read', () => {
    const flow = unorderedFlow('u').add(
      graphFlow('g').add(new T({ name: 'p', provides: 'b' }), new T({ name: 'c', requires: ['x', 'b'] })),
      new T({ name: 'd', requires: ['x'] }),
    );
    const compiled = compile(flow);
    const [fromC] = compiled.get('c')!.argList;
    expect(compiled.get('c')!.argList[1]).toMatchObject({ provider: 'p' });
    expect(compiled.get('d')!.argList[0]).toBe(fromC);
    expect(compiled.missing()).toEqual([{ symbol: 'x', requiredBy: ['c', 'd'] }]);
  });
});
