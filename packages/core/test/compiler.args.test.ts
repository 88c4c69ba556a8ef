import { describe, expect, it } from 'vitest';
import { ParameterizedForEach, Times, compile, defineTask, graphFlow, linearFlow, unorderedFlow } from '@tf/core';

const T = defineTask({ name: 'T', execute: () => undefined });
const task = (name: string, requires: string[] = [], provides: string[] = [], extra: object = {}) =>
  new T({ name, requires, provides, ...extra });

describe('argument resolution', () => {
  it('binds each argument to its symbol, provider and result key', () => {
    const Split = defineTask({ name: 'split', provides: ['lo', 'hi'], execute: () => [1, 2] });
    const Info = defineTask({ name: 'info', provides: { host: 'hostname' }, execute: () => ({ hostname: 'h' }) });
    const Use = defineTask({ name: 'use', requires: ['a', 'b', 'h', 't'], optional: ['opt'], execute: () => 0 });
    const f = linearFlow('f').add(
      new Split(),
      new Info(),
      new T({ name: 'whole', provides: 'w' }),
      task('tuple', [], ['t0']),
      new Use({ rebind: { a: 'hi', b: 'w', h: 'host', t: 't0' } }),
    );
    const args = compile(f).get('use')!.args;
    expect(args.get('a')).toEqual({ arg: 'a', symbol: 'hi', optional: false, injected: false, provider: 'split', key: 1 });
    expect(args.get('b')).toMatchObject({ symbol: 'w', provider: 'whole', key: null });
    expect(args.get('t')).toMatchObject({ symbol: 't0', provider: 'tuple', key: 0 });
    expect(args.get('h')).toMatchObject({ symbol: 'host', provider: 'info', key: 'hostname' });
    expect(args.get('opt')).toEqual({ arg: 'opt', symbol: 'opt', optional: true, injected: false, provider: undefined, key: undefined });
  });

  it('marks injected arguments and gives them no provider', () => {
    const f = linearFlow('f').add(task('p', [], ['b']), task('c', ['b'], [], { inject: { b: 3 } }));
    expect(compile(f).get('c')!.args.get('b')).toMatchObject({ injected: true, provider: undefined });
  });

  it('in a long linear flow, finds the nearest provider near the consumer and far before it', () => {
    // Providers within a few items of the consumer are found by looking back; farther ones
    // through the flow's index: both give the nearest.
    const f = linearFlow('f').add(
      task('p0', [], ['v']),
      task('p1', [], ['v']),
      ...Array.from({ length: 8 }, (_, i) => task(`gap${i}`, [], [`g${i}`])),
      task('far', ['v', 'x']),
      task('p2', [], ['v']),
      task('near', ['v']),
      unorderedFlow('u').add(task('q1', [], ['w']), task('q2', [], ['w'])),
      task('after', ['g0', 'v']),
    );
    const compiled = compile(f);
    expect(compiled.get('far')!.args.get('v')!.provider).toBe('p1');
    expect(compiled.get('far')!.args.get('x')!.provider).toBeUndefined();
    expect(compiled.get('near')!.args.get('v')!.provider).toBe('p2');
    expect(compiled.get('after')!.args.get('g0')!.provider).toBe('gap0');
    expect(compiled.get('after')!.args.get('v')!.provider).toBe('p2');
    expect(() => compile(linearFlow('g').add(f, task('amb', ['w'])))).toThrow(/amb/);
  });

  it('prefers the nearest provider: later siblings shadow earlier ones, inner levels shadow outer ones', () => {
    const f = linearFlow('f').add(
      task('p1', [], ['v']),
      linearFlow('inner').add(task('p2', [], ['v']), task('c1', ['v'])),
      task('c2', ['v']),
      unorderedFlow('u').add(task('c3', ['v']), task('p3', [], ['v'])),
      task('c4', ['v']),
    );
    const c = compile(f);
    expect(c.get('c1')!.args.get('v')!.provider).toBe('p2');
    expect(c.get('c2')!.args.get('v')!.provider).toBe('p2'); // the last provider inside 'inner'
    expect(c.get('c3')!.args.get('v')!.provider).toBe('p2'); // p3 is a sibling with no order
    expect(c.get('c4')!.args.get('v')!.provider).toBe('p3');
  });

  it('in graph flows, follows links (including optional args through explicit links)', () => {
    const p = task('p', [], ['v']);
    const mid = task('mid');
    const c = task('c', [], [], { optional: ['v'] });
    const other = task('other', [], [], { optional: ['v'] });
    const g = graphFlow('g').add(p, mid, c, other).link(p, mid).link(mid, c);
    const compiled = compile(g);
    expect(compiled.get('c')!.args.get('v')!.provider).toBe('p');
    expect(compiled.get('other')!.args.get('v')!.provider).toBeUndefined();
  });

  it('takes the latest of several ordered providers inside a nested graph flow', () => {
    const a = task('a', [], ['v']);
    const b = task('b', [], ['v']);
    const g = graphFlow('g').add(a, b).link(a, b);
    const f = linearFlow('f').add(g, task('c', ['v']));
    expect(compile(f).get('c')!.args.get('v')!.provider).toBe('b');
  });

  it("lets retries provide to their flow, and resolves a retry's own arguments outside its flow", () => {
    const retry = new ParameterizedForEach({ rebind: ['hosts'], provides: 'host' });
    const f = linearFlow('f').add(
      task('list', [], ['hosts']),
      linearFlow('try', { retry }).add(task('use', ['host']), task('again', [], ['hosts'])),
    );
    const c = compile(f);
    expect(c.get('try_retry')!.args.get('values')).toMatchObject({ symbol: 'hosts', provider: 'list' });
    expect(c.get('use')!.args.get('host')).toMatchObject({ provider: 'try_retry', key: null });
  });

  it('prefers a flow item over the flow retry when both provide', () => {
    const f = linearFlow('f', { retry: new Times({ provides: 'n' }) }).add(task('p', [], ['n']), task('c', ['n']), task('c0', [], []));
    expect(compile(f).get('c')!.args.get('n')!.provider).toBe('p');
  });
});
