import { describe, expect, it } from 'vitest';
import {
  Times,
  compile,
  defineTask,
  graphFlow,
  linearFlow,
  unorderedFlow,
  type CompiledFlow,
  type ExecNode,
  type RetryNode,
} from '@tf/core';

const T = defineTask({ name: 'T', execute: () => undefined });
const task = (name: string, requires: string[] = [], provides: string[] = []) => new T({ name, requires, provides });
const atomNames = (c: CompiledFlow) => c.atoms.map((a) => a.name);
const edgeNames = (c: CompiledFlow) => c.edges.map((e) => `${e.from.name}->${e.to.name}`);
const before = (c: CompiledFlow, a: string, b: string) => c.get(a)!.index < c.get(b)!.index;

describe('compile: structure', () => {
  it('linear flow: entry -> a -> b -> c -> exit', () => {
    const c = compile(linearFlow('f').add(task('a'), task('b'), task('c')));
    expect(atomNames(c)).toEqual(['a', 'b', 'c']);
    expect(c.nodes.map((n) => n.name)).toEqual(['f', 'a', 'b', 'c', 'f[$]']);
    expect(c.nodes.map((n) => n.kind)).toEqual(['flow', 'task', 'task', 'task', 'flow_end']);
    expect(edgeNames(c).sort()).toEqual(['a->b', 'b->c', 'c->f[$]', 'f->a'].sort());
    for (const [i, n] of c.nodes.entries()) expect(n.id).toBe(i);
    for (const [i, a] of c.atoms.entries()) expect(a.index).toBe(i);
    expect(c.atomPredecessors('b').map((a) => a.name)).toEqual(['a']);
    expect(c.atomSuccessors('b').map((a) => a.name)).toEqual(['c']);
    expect(c.atomPredecessors('a')).toEqual([]);
    expect(c.root.name).toBe('f');
    expect(c.get('b')!.flow).toBe(c.root);
    expect(c.has('zz')).toBe(false);
  });

  it('unordered flow: every atom hangs off entry and exit', () => {
    const c = compile(unorderedFlow('u').add(task('a'), task('b')));
    expect(edgeNames(c).sort()).toEqual(['a->u[$]', 'b->u[$]', 'u->a', 'u->b']);
    expect(c.atomPredecessors('b')).toEqual([]);
  });

  it('graph flow: follows links and auto-links; roots hang off the entry', () => {
    const a = task('a', [], ['x']);
    const b = task('b', ['x'], ['y']);
    const c0 = task('c', ['y']);
    const d = task('d');
    const g = graphFlow('g').add(c0, b, a, d).link(d, a);
    const c = compile(g);
    expect(before(c, 'd', 'a') && before(c, 'a', 'b') && before(c, 'b', 'c')).toBe(true);
    expect(c.atomPredecessors('a').map((n) => n.name)).toEqual(['d']);
    expect(c.atomSuccessors('a').map((n) => n.name)).toEqual(['b']);
    const link = c.edges.find((e) => e.from.name === 'a' && e.to.name === 'b')!;
    expect(link).toMatchObject({ kind: 'link', manual: false, reasons: ['x'] });
    expect(c.get('d')!.in.map((e) => e.from.name)).toEqual(['g']);
  });

  it('nests flows through entry/exit join nodes', () => {
    const inner = unorderedFlow('inner').add(task('i1'), task('i2'));
    const f = linearFlow('outer').add(task('a'), inner, task('z'));
    const c = compile(f);
    expect(atomNames(c)).toEqual(['a', 'i1', 'i2', 'z']);
    expect(c.atomPredecessors('z').map((n) => n.name)).toEqual(['i1', 'i2']);
    expect(c.atomPredecessors('i2').map((n) => n.name)).toEqual(['a']);
    expect(c.atomSuccessors('a').map((n) => n.name)).toEqual(['i1', 'i2']);
    expect(c.flows.map((fl) => fl.name)).toEqual(['outer', 'inner']);
    const innerNode = c.flows[1]!;
    expect(innerNode.parent).toBe(c.root);
    expect(innerNode.depth).toBe(1);
    expect(innerNode.entry.kind).toBe('flow');
    expect(innerNode.exit.name).toBe('inner[$]');
    expect(innerNode.atoms.map((a) => a.name)).toEqual(['i1', 'i2']);
    expect(c.root.children.map((ch) => ch.name)).toEqual(['a', 'inner', 'z']);
    expect(c.get('i1')!.flowPath.map((fl) => fl.name)).toEqual(['outer', 'inner']);
    expect(c.get('a')!.flowPath.map((fl) => fl.name)).toEqual(['outer']);
  });

  it('stays linear in size when linking big nested unordered flows', () => {
    const n = 1000;
    const u1 = unorderedFlow('u1');
    const u2 = unorderedFlow('u2');
    for (let i = 0; i < n; i++) u1.add(task(`a${i}`, [], [`s${i}`]));
    for (let i = 0; i < n; i++) u2.add(task(`b${i}`, [`s${i}`]));
    const c = compile(graphFlow('g').add(u1, u2));
    expect(c.atoms).toHaveLength(2 * n);
    // 2 structural edges per atom, plus a handful for the joins: never n*n.
    expect(c.edges.length).toBeLessThan(4 * n + 10);
    expect(c.edges.filter((e) => e.kind === 'link')).toHaveLength(1);
    expect(c.get('b7')!.args.get('s7')!.provider).toBe('a7');
  });

  it('handles long chains and deep nesting without recursion limits', () => {
    const lin = linearFlow('chain');
    for (let i = 0; i < 50_000; i++) lin.add(task(`t${i}`, i ? [`v${i - 1}`] : ['x'], [`v${i}`]));
    const c = compile(lin);
    expect(c.get('t49999')!.args.get('v49998')!.provider).toBe('t49998');
    expect([...c.requires]).toEqual(['x']);
    let deep = linearFlow('d0').add(task('leaf'));
    for (let i = 1; i < 3000; i++) deep = linearFlow(`d${i}`).add(deep);
    const cd = compile(deep);
    expect(cd.get('leaf')!.flowPath).toHaveLength(3000);
  });
});

describe('compile: edge kinds', () => {
  it('gives every edge its kind: structure, retry, order or link', () => {
    const empty = linearFlow('empty', { retry: new Times({ name: 'empty_r' }) });
    const inner = linearFlow('inner', { retry: new Times({ name: 'inner_r' }) }).add(task('i1'), task('i2'));
    const g = graphFlow('g').add(task('g1', [], ['v']), task('g2', ['v']));
    const u = unorderedFlow('u').add(task('u1'), task('u2'));
    const c = compile(linearFlow('root').add(task('a'), inner, g, u, empty, task('z')));
    const kinds = Object.fromEntries(c.edges.map((e) => [`${e.from.name}->${e.to.name}`, e.kind]));
    expect(kinds).toEqual({
      'a->inner': 'order',
      'inner[$]->g': 'order',
      'g[$]->u': 'order',
      'u[$]->empty': 'order',
      'empty[$]->z': 'order',
      'root->a': 'structure',
      'z->root[$]': 'structure',
      'inner->inner_r': 'structure',
      'i1->i2': 'order',
      'inner_r->i1': 'retry',
      'i2->inner[$]': 'structure',
      'g1->g2': 'link',
      'g->g1': 'structure',
      'g2->g[$]': 'structure',
      'u->u1': 'structure',
      'u1->u[$]': 'structure',
      'u->u2': 'structure',
      'u2->u[$]': 'structure',
      'empty->empty_r': 'structure',
      'empty_r->empty[$]': 'retry',
    });
    expect(Object.keys(kinds)).toHaveLength(c.edges.length);
  });
});

describe('compile: retry controllers', () => {
  it('runs the retry first in its flow and makes every atom of the flow depend on it', () => {
    const retry = new Times({ attempts: 2, provides: 'attempt' });
    const inner = linearFlow('inner', { retry: new Times({ name: 'inner_r' }) }).add(task('i1'));
    const f = unorderedFlow('f', { retry }).add(task('a', ['attempt']), inner);
    const c = compile(f);
    const r = c.get('f_retry') as RetryNode;
    expect(r.kind).toBe('retry');
    expect(r.index).toBe(0);
    expect(r.controls).toBe(c.root);
    expect(c.root.retry).toBe(r);
    expect(r.retry).toBeUndefined();
    expect(
      c
        .atomSuccessors(r)
        .map((a) => a.name)
        .sort(),
    ).toEqual(['a', 'inner_r']);
    expect(c.get('a')!.retry).toBe(r);
    const ir = c.get('inner_r') as RetryNode;
    expect(ir.retry).toBe(r); // a retry's own controller is the enclosing one
    expect(c.get('i1')!.retry).toBe(ir);
    expect(c.atomPredecessors('i1').map((a) => a.name)).toEqual(['inner_r']);
    expect(c.scope('f_retry').map((a) => a.name)).toEqual(['a', 'inner_r', 'i1']);
    expect(c.scope(ir).map((a) => a.name)).toEqual(['i1']);
    expect(ir.scope.map((a) => a.name)).toEqual(['i1']);
    expect(
      c.edges
        .filter((e) => e.kind === 'retry')
        .map((e) => `${e.from.name}->${e.to.name}`)
        .sort(),
    ).toEqual(['f_retry->a', 'f_retry->inner', 'inner_r->i1']);
    expect(c.get('a')!.args.get('attempt')).toMatchObject({ provider: 'f_retry', key: null });
    expect(() => c.scope('a')).toThrow(/not a retry/);
    expect(() => c.scope('nope')).toThrow(/No atom 'nope'/);
  });

  it('gives an empty flow with a retry a path from entry to exit', () => {
    const c = compile(linearFlow('e', { retry: new Times() }));
    expect(edgeNames(c).sort()).toEqual(['e->e_retry', 'e_retry->e[$]']);
  });
});

describe('compile: deciders', () => {
  it('attaches link deciders to the target, and through flow entries to the atoms inside', () => {
    const yes = () => true;
    const no = () => false;
    const a = task('a');
    const b = task('b');
    const sub = linearFlow('sub').add(task('s1'), task('s2'));
    const g = graphFlow('g').add(a, b, sub).link(a, b, { decider: yes, deciderDepth: 'ATOM' }).link(b, sub, { decider: no });
    const c = compile(g);
    const bd = c.get('b')!.deciders;
    expect(bd).toHaveLength(1);
    expect(bd[0]).toMatchObject({ decider: yes, depth: 'ATOM' });
    expect(bd[0]!.from.name).toBe('a');
    const s1 = c.get('s1')!.deciders;
    expect(s1).toHaveLength(1);
    expect(s1[0]!.decider).toBe(no);
    expect(s1[0]!.depth).toBe('ALL');
    expect((s1[0]!.from as ExecNode).name).toBe('b');
    expect(c.get('s2')!.deciders).toHaveLength(0); // reached through s1, not a flow entry
    expect(c.get('a')!.deciders).toHaveLength(0);
  });

  it('labels links from a nested flow with its exit node', () => {
    const sub = unorderedFlow('sub').add(task('s'));
    const t = task('t');
    const c = compile(
      graphFlow('g')
        .add(sub, t)
        .link(sub, t, { decider: () => true }),
    );
    const d = c.get('t')!.deciders[0]!;
    expect(d.from.kind).toBe('flow_end');
    expect(d.from.name).toBe('sub[$]');
  });
});

describe('compile: input', () => {
  it('compiles a bare task as a one-atom flow', () => {
    const c = compile(task('solo', ['x']));
    expect(atomNames(c)).toEqual(['solo']);
    expect([...c.requires]).toEqual(['x']);
  });
});
