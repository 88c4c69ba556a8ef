import { afterEach, describe, expect, it, vi } from 'vitest';
import { ActionEngine, Times, compile, defineTask, graphFlow, linearFlow, unorderedFlow, type CompiledFlow } from '../src/index';
import { EdgeIndex, adjacencyOf } from '../src/compiler/edge-index';

const T = defineTask({ name: 'T', execute: () => [1, 2] });
const task = (name: string, requires: string[] = [], provides: string[] = []) => new T({ name, requires, provides });

/** Every pattern, a nested flow, a retry, auto-links (one with two reasons), explicit links with and without a decider. */
function mixedFlow() {
  const a = task('a', [], ['x', 'y']);
  const b = task('b', ['x', 'y'], ['z']);
  const c = task('c', ['z']);
  const d = task('d');
  const inner = unorderedFlow('inner').add(task('i1'), task('i2', ['z']));
  const g = graphFlow('g', { retry: new Times({ name: 'r', attempts: 2 }) })
    .add(a, b, c, d, inner)
    .link(d, a, { decider: () => true, deciderDepth: 'FLOW' })
    .link(b, inner);
  return linearFlow('root').add(task('first'), g, task('last'));
}

/** The adjacency read from the nodes' `in` and `out` arrays, by edge number in `compiled.edges`. */
function adjacencyFromNodes(c: CompiledFlow) {
  const number = new Map(c.edges.map((e, k) => [e, k]));
  return {
    edgeFrom: c.edges.map((e) => e.from.id),
    edgeTo: c.edges.map((e) => e.to.id),
    ins: c.nodes.map((n) => n.in.map((e) => number.get(e))),
    outs: c.nodes.map((n) => n.out.map((e) => number.get(e))),
  };
}

function adjacencyLists(c: CompiledFlow) {
  const a = adjacencyOf(c);
  const range = (start: Int32Array, edge: Int32Array, i: number) => [...edge.subarray(start[i]!, start[i + 1]!)];
  return {
    edgeFrom: [...a.edgeFrom],
    edgeTo: [...a.edgeTo],
    ins: c.nodes.map((_, i) => range(a.inStart, a.inEdge, i)),
    outs: c.nodes.map((_, i) => range(a.outStart, a.outEdge, i)),
  };
}

describe('compile: edges as adjacency, edge objects on first use', () => {
  it('the adjacency lists the edges that compiled.edges and the nodes list, in the same order', () => {
    const c = compile(mixedFlow());
    expect(adjacencyLists(c)).toEqual(adjacencyFromNodes(c));
  });

  it('edge objects are made once: the same objects in compiled.edges, node.in, node.out and the deciders', () => {
    const c = compile(mixedFlow());
    const a = c.get('a')!;
    expect(a.deciders).toHaveLength(1);
    const fromDecider = a.deciders[0]!.edge; // made by the compiler, before any other edge object
    expect(c.edges).toBe(c.edges);
    expect(a.in).toBe(a.in);
    expect(c.edges).toContain(fromDecider);
    expect(a.in).toContain(fromDecider);
    expect(fromDecider).toMatchObject({ kind: 'link', manual: true, deciderDepth: 'FLOW', from: c.get('d') });
    const edges = new Set(c.edges);
    for (const n of c.nodes) {
      for (const e of n.in) expect(edges.has(e) && e.to === n).toBe(true);
      for (const e of n.out) expect(edges.has(e) && e.from === n).toBe(true);
    }
  });

  it('a compiled flow keeps the links as they were when it compiled, whenever its edge objects are made', () => {
    const a = task('a');
    const b = task('b');
    const g = graphFlow('g').add(a, b).link(a, b);
    const c = compile(g);
    // Linked again with a decider after compile, before any edge object was made.
    g.link(a, b, { decider: () => false, deciderDepth: 'ATOM' });
    const edge = c.edges.find((e) => e.from.name === 'a' && e.to.name === 'b')!;
    expect(edge).toMatchObject({ kind: 'link', manual: true });
    expect(edge.decider).toBeUndefined();
    expect(edge.deciderDepth).toBeUndefined();
    expect(c.get('b')!.deciders).toEqual([]);
    // A new compile sees the decider.
    expect(compile(g).edges.find((e) => e.from.name === 'a')!.deciderDepth).toBe('ATOM');
  });

  it('keeps link reasons and kinds', () => {
    const c = compile(mixedFlow());
    const link = (from: string, to: string) => c.edges.find((e) => e.from.name === from && e.to.name === to)!;
    expect(link('a', 'b')).toMatchObject({ kind: 'link', manual: false, reasons: ['x', 'y'] });
    expect(link('b', 'c')).toMatchObject({ kind: 'link', manual: false, reasons: ['z'] });
    expect(link('b', 'inner')).toMatchObject({ kind: 'link', manual: true, reasons: ['z'], decider: undefined });
    expect(link('first', 'g').kind).toBe('order');
    expect(link('g', 'r').kind).toBe('structure');
    expect(link('r', 'd').kind).toBe('retry');
    expect(c.edges.filter((e) => e.kind === 'link')).toHaveLength(4);
  });

  it('reads the adjacency of a CompiledFlow made elsewhere from its nodes', () => {
    const c = compile(mixedFlow());
    const foreign = { nodes: c.nodes } as unknown as CompiledFlow;
    const own = adjacencyOf(c);
    const read = adjacencyOf(foreign);
    expect(read).not.toBe(own);
    // Edge numbers follow the nodes' out-edges there: compare the ends of each node's edges.
    const ends = (adj: typeof own) =>
      c.nodes.map((_, i) => ({
        from: [...adj.inEdge.subarray(adj.inStart[i]!, adj.inStart[i + 1]!)].map((k) => adj.edgeFrom[k]),
        to: [...adj.outEdge.subarray(adj.outStart[i]!, adj.outStart[i + 1]!)].map((k) => adj.edgeTo[k]),
      }));
    expect(ends(read)).toEqual(ends(own));
  });
});

describe('a run reads the adjacency only', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('makes no edge object (a retry, a decider, a nested flow)', async () => {
    const made = [
      vi.spyOn(EdgeIndex.prototype, 'edges', 'get'),
      vi.spyOn(EdgeIndex.prototype, 'inOf'),
      vi.spyOn(EdgeIndex.prototype, 'outOf'),
    ];
    const engine = new ActionEngine(mixedFlow(), { store: {} });
    await engine.run();
    expect(engine.storage.getStates()).toMatchObject({ first: 'SUCCESS', last: 'SUCCESS', i2: 'SUCCESS' });
    for (const spy of made) expect(spy).not.toHaveBeenCalled();
  });

  it('makes no edge object when a NEIGHBORS decider says no (it ignores the target and the tasks right after it)', async () => {
    const made = [
      vi.spyOn(EdgeIndex.prototype, 'edges', 'get'),
      vi.spyOn(EdgeIndex.prototype, 'inOf'),
      vi.spyOn(EdgeIndex.prototype, 'outOf'),
    ];
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((name) => task(name)) as [
      ReturnType<typeof task>,
      ReturnType<typeof task>,
      ReturnType<typeof task>,
      ReturnType<typeof task>,
    ];
    const g = graphFlow('g')
      .add(a, b, c, d)
      .link(a, b, { decider: () => false, deciderDepth: 'NEIGHBORS' })
      .link(b, c)
      .link(c, d);
    const engine = new ActionEngine(g, { store: {} });
    await engine.run();
    expect(engine.storage.getStates()).toMatchObject({ a: 'SUCCESS', b: 'IGNORE', c: 'IGNORE', d: 'SUCCESS' });
    for (const spy of made) expect(spy).not.toHaveBeenCalled();
  });
});
