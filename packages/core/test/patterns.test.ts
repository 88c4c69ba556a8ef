import { describe, expect, it } from 'vitest';
import {
  type AmbiguousProviderError,
  type CycleError,
  Flow,
  InvalidFlowError,
  LinearFlow,
  TfError,
  Times,
  defineTask,
  graphFlow,
  isFlow,
  linearFlow,
  unorderedFlow,
  type FlowLink,
} from '@tf/core';

const T = defineTask({ name: 'T', execute: () => undefined });
const task = (name: string, requires: string[] = [], provides: string[] = []) => new T({ name, requires, provides });
const names = (links: Iterable<FlowLink>) => [...links].map((l) => `${l.from.name}->${l.to.name}`);

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('linearFlow', () => {
  it('orders items as added and chains add()', () => {
    const a = task('a', ['x'], ['y']);
    const b = task('b', ['y'], ['z']);
    const c = task('c', ['z', 'w']);
    const f = linearFlow('lin').add(a).add(b, c);
    expect(f).toBeInstanceOf(LinearFlow);
    expect(f.pattern).toBe('linear');
    expect(f.items).toEqual([a, b, c]);
    expect(f.size).toBe(3);
    expect(f.has(b)).toBe(true);
    expect(names(f.iterLinks())).toEqual(['a->b', 'b->c']);
    expect([...f.requires].sort()).toEqual(['w', 'x']);
    expect([...f.provides].sort()).toEqual(['y', 'z']);
  });

  it('counts what a later item provides as required when an earlier one needs it', () => {
    const f = linearFlow('lin').add(task('a', ['y']), task('b', [], ['y']));
    expect([...f.requires]).toEqual(['y']);
  });

  it('lets the retry provide to items and adds its requirements', () => {
    const retry = new Times({ provides: 'attempt', requires: ['budget'] });
    const f = linearFlow('lin', { retry }).add(task('a', ['attempt']));
    expect(f.retry).toBe(retry);
    expect([...f.requires]).toEqual(['budget']);
    expect([...f.provides]).toEqual(['attempt']);
  });
});

describe('unorderedFlow', () => {
  it('has no links and no internal satisfaction', () => {
    const f = unorderedFlow('u').add(task('a', ['y']), task('b', [], ['y']));
    expect(names(f.iterLinks())).toEqual([]);
    expect([...f.requires]).toEqual(['y']);
    expect([...f.provides]).toEqual(['y']);
  });
});

describe('graphFlow', () => {
  it('auto-links providers to consumers, in either add order', () => {
    const c = task('c', ['y']);
    const a = task('a', ['x'], ['y']);
    const g = graphFlow('g').add(c, a);
    const links = [...g.iterLinks()];
    expect(names(links)).toEqual(['a->c']);
    expect(links[0]!.reasons).toEqual(['y']);
    expect(links[0]!.manual).toBe(false);
    expect([...g.requires]).toEqual(['x']);
  });

  it('merges explicit and auto links, and keeps deciders', () => {
    const a = task('a', [], ['y']);
    const b = task('b', ['y']);
    const c = task('c');
    const decider = () => true;
    const g = graphFlow('g').add(a, b, c).link(a, b).link(b, c, { decider, deciderDepth: 'flow' });
    const links = [...g.iterLinks()];
    expect(names(links)).toEqual(['a->b', 'b->c']);
    expect(links[0]).toMatchObject({ manual: true, reasons: ['y'] });
    expect(links[1]).toMatchObject({ manual: true, decider, deciderDepth: 'FLOW' });
  });

  it('defaults the decider depth to ALL and validates it', () => {
    const a = task('a');
    const b = task('b');
    const g = graphFlow('g')
      .add(a, b)
      .link(a, b, { decider: () => false });
    expect([...g.iterLinks()][0]!.deciderDepth).toBe('ALL');
    expect(thrown(() => g.link(a, b, { decider: () => true, deciderDepth: 'DEEP' as never }))).toBeInstanceOf(InvalidFlowError);
    expect((thrown(() => g.link(a, b, { deciderDepth: 'ATOM' })) as Error).message).toMatch(/needs a decider/);
  });

  it('treats nested flows as items with their external requires/provides', () => {
    const inner = linearFlow('inner').add(task('i1', ['x'], ['mid']), task('i2', ['mid'], ['out']));
    const consumer = task('consumer', ['out']);
    const producer = task('producer', [], ['x']);
    const g = graphFlow('g').add(consumer, inner, producer);
    expect([...inner.requires]).toEqual(['x']);
    expect(names(g.iterLinks()).sort()).toEqual(['inner->consumer', 'producer->inner']);
    expect(g.requires.size).toBe(0);
  });

  it('does not auto-link what the retry provides', () => {
    const g = graphFlow('g', { retry: new Times({ provides: 'n' }) }).add(task('a', [], ['n']), task('b', ['n']));
    expect(names(g.iterLinks())).toEqual([]);
  });

  it('reports ambiguous providers with symbol, providers and consumer', () => {
    const g = graphFlow('g').add(task('p1', [], ['v']), task('p2', [], ['v']), task('c', ['v']));
    const e = thrown(() => [...g.iterLinks()]) as AmbiguousProviderError;
    expect(TfError.is(e, 'TF_AMBIGUOUS_PROVIDER')).toBe(true);
    expect(e.symbol).toBe('v');
    expect(e.providers).toEqual(['p1', 'p2']);
    expect(e.consumer).toBe('c');
    expect(e.message).toContain("'p1' and 'p2'");
  });

  it('refuses links between items it does not hold, and self links', () => {
    const a = task('a');
    const outsider = task('outsider');
    const g = graphFlow('g').add(a);
    const e = thrown(() => g.link(a, outsider)) as InvalidFlowError;
    expect(TfError.is(e, 'TF_INVALID_FLOW')).toBe(true);
    expect(e.item).toBe('outsider');
    expect(e.flow).toBe('g');
    expect(thrown(() => g.link(outsider, a))).toBeInstanceOf(InvalidFlowError);
    const self = thrown(() => g.link(a, a)) as CycleError;
    expect(self.cycle).toEqual(['a', 'a']);
  });
});

describe('Flow.add', () => {
  it('refuses an item already in the flow (also within one call)', () => {
    const a = task('a');
    const f = linearFlow('f').add(a);
    const e = thrown(() => f.add(a)) as InvalidFlowError;
    expect(TfError.is(e, 'TF_INVALID_FLOW')).toBe(true);
    expect(e.item).toBe('a');
    const b = task('b');
    expect(thrown(() => unorderedFlow('u').add(b, b))).toBeInstanceOf(InvalidFlowError);
    const g = graphFlow('g');
    expect(thrown(() => g.add(g))).toBeInstanceOf(InvalidFlowError);
    // nothing of a failed call is added
    const h = linearFlow('h');
    expect(() => h.add(task('ok'), {} as never)).toThrow(InvalidFlowError);
    expect(h.size).toBe(0);
  });

  it('refuses retries and non-items', () => {
    const e = thrown(() => linearFlow('f').add(new Times({ name: 'r' }) as never)) as InvalidFlowError;
    expect(e.message).toMatch(/pass it as the flow's \{ retry \}/);
    expect(thrown(() => linearFlow('f').add({ name: 'fake', execute() {} } as never))).toBeInstanceOf(InvalidFlowError);
  });

  it('recognises flows by brand', () => {
    const f = linearFlow('f');
    expect(isFlow(f)).toBe(true);
    expect(f).toBeInstanceOf(Flow);
    expect(isFlow({ [Symbol.for('tf.flow')]: true })).toBe(true);
    expect(isFlow(task('t'))).toBe(false);
    expect(thrown(() => linearFlow(''))).toBeInstanceOf(InvalidFlowError);
  });
});
