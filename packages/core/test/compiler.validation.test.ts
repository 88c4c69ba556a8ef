import { describe, expect, it } from 'vitest';
import {
  type AmbiguousProviderError,
  type CycleError,
  type DuplicateNameError,
  type InvalidFlowError,
  type MissingRequirementsError,
  TfError,
  Times,
  compile,
  defineTask,
  graphFlow,
  linearFlow,
  unorderedFlow,
} from '@tf/core';

const T = defineTask({ name: 'T', execute: () => undefined });
const task = (name: string, requires: string[] = [], provides: string[] = [], extra: object = {}) =>
  new T({ name, requires, provides, ...extra });

function thrown<E>(fn: () => unknown): E {
  try {
    fn();
  } catch (e) {
    return e as E;
  }
  throw new Error('expected a throw');
}

describe('duplicate names', () => {
  it('lists every duplicated atom name, retries included', () => {
    const f = linearFlow('f', { retry: new Times({ name: 'dup2' }) }).add(
      task('dup1'),
      unorderedFlow('u').add(task('dup1'), task('ok'), task('dup2')),
      task('dup1'),
    );
    const e = thrown<DuplicateNameError>(() => compile(f));
    expect(TfError.is(e, 'TF_DUPLICATE_NAME')).toBe(true);
    expect(e.duplicates).toEqual(['dup1', 'dup2']);
    expect(e.message).toContain("'dup1'");
    expect(e.message).toContain("'dup2'");
  });

  it('rejects the same item object in two places, a shared retry and a flow inside itself', () => {
    const shared = task('shared');
    const e = thrown<InvalidFlowError>(() => compile(linearFlow('f').add(shared, unorderedFlow('u').add(shared))));
    expect(TfError.is(e, 'TF_INVALID_FLOW')).toBe(true);
    expect(e.item).toBe('shared');
    const r = new Times({ name: 'r' });
    const e2 = thrown<InvalidFlowError>(() => compile(linearFlow('f').add(linearFlow('a', { retry: r }), linearFlow('b', { retry: r }))));
    expect(e2.item).toBe('r');
    const outer = linearFlow('outer');
    const inner = linearFlow('inner').add(outer);
    outer.add(inner);
    expect(
      TfError.is(
        thrown(() => compile(outer)),
        'TF_INVALID_FLOW',
      ),
    ).toBe(true);
  });
});

describe('cycles', () => {
  it('reports one cycle in order, by explicit links', () => {
    const a = task('a');
    const b = task('b');
    const c = task('c');
    const d = task('d');
    const g = graphFlow('g').add(d, a, b, c).link(d, a).link(a, b).link(b, c).link(c, a);
    const e = thrown<CycleError>(() => compile(g));
    expect(TfError.is(e, 'TF_CYCLE')).toBe(true);
    expect(e.flow).toBe('g');
    // the cycle a -> b -> c -> a, starting anywhere on it
    const ring = e.cycle.slice(0, -1);
    expect(e.cycle[0]).toBe(e.cycle[e.cycle.length - 1]);
    expect(ring).toHaveLength(3);
    const start = ring.indexOf('a');
    expect([...ring.slice(start), ...ring.slice(0, start)]).toEqual(['a', 'b', 'c']);
    expect(e.message).toContain('->');
  });

  it('finds cycles made by requires/provides, also through nested flows', () => {
    const inner = linearFlow('inner').add(task('i', ['y'], ['x']));
    const g = graphFlow('g').add(task('p', ['x'], ['y']), inner);
    const e = thrown<CycleError>(() => compile(g));
    expect(e.cycle.slice(0, -1).sort()).toEqual(['inner', 'p']);
  });
});

describe('ambiguous providers', () => {
  it('names symbol, providers and consumer when unordered providers precede a consumer', () => {
    const f = linearFlow('f').add(
      unorderedFlow('u').add(task('p1', [], ['v']), task('p2', [], ['v'])),
      task('c', ['v']),
      task('c2', ['v']),
    );
    const e = thrown<AmbiguousProviderError>(() => compile(f));
    expect(TfError.is(e, 'TF_AMBIGUOUS_PROVIDER')).toBe(true);
    expect(e.symbol).toBe('v');
    expect(e.providers).toEqual(['p1', 'p2']);
    expect(e.consumer).toBe('c');
    expect(e.ambiguities.map((a) => a.consumer)).toEqual(['c', 'c2']);
  });

  it('is raised for graph flow auto-links at compile time', () => {
    const g = graphFlow('g').add(task('p1', [], ['v']), task('p2', [], ['v']), task('c', ['v']));
    const e = thrown<AmbiguousProviderError>(() => compile(g));
    expect(e.consumer).toBe('c');
    expect(e.providers.sort()).toEqual(['p1', 'p2']);
  });

  it('is not raised when the providers are ordered (the later one shadows)', () => {
    const f = linearFlow('f').add(task('p1', [], ['v']), task('p2', [], ['v']), task('c', ['v']));
    expect(compile(f).get('c')!.args.get('v')!.provider).toBe('p2');
  });
});

describe('missing requirements', () => {
  const flow = () =>
    linearFlow('f').add(
      task('a', ['x', 'y']),
      unorderedFlow('u').add(task('b', ['x']), task('c', ['z'], [], { optional: ['maybe'] })),
      task('d', ['late']),
      task('e', [], ['late']),
      task('inj', ['w'], [], { inject: { w: 1 } }),
    );

  it('reports every missing symbol with every atom that needs it', () => {
    const c = compile(flow());
    const e = thrown<MissingRequirementsError>(() => c.validate());
    expect(TfError.is(e, 'TF_MISSING_REQUIREMENTS')).toBe(true);
    expect(e.missing).toEqual([
      { symbol: 'x', requiredBy: ['a', 'b'] },
      { symbol: 'y', requiredBy: ['a'] },
      { symbol: 'z', requiredBy: ['c'] },
      { symbol: 'late', requiredBy: ['d'] }, // provided only after d runs
    ]);
    expect(e.symbols).toEqual(['x', 'y', 'z', 'late']);
    expect(e.message).toContain("'x' (required by 'a', 'b')");
    expect([...c.requires].sort()).toEqual(['late', 'x', 'y', 'z']);
  });

  it('accepts symbols from outside, never counts optional or injected args', () => {
    const c = compile(flow());
    expect(c.missing(['x', 'y'])).toEqual([
      { symbol: 'z', requiredBy: ['c'] },
      { symbol: 'late', requiredBy: ['d'] },
    ]);
    expect(() => c.validate(new Set(['x', 'y', 'z', 'late']))).not.toThrow();
    expect(c.missing(['x', 'y', 'z', 'late'])).toEqual([]);
  });

  it('counts a sibling in an unordered flow as not visible', () => {
    const c = compile(unorderedFlow('u').add(task('p', [], ['s']), task('q', ['s'])));
    expect(c.missing()).toEqual([{ symbol: 's', requiredBy: ['q'] }]);
  });
});
