import { describe, expect, it } from 'vitest';
import { Task, Times, compile, graphFlow, linearFlow, unorderedFlow, type CompiledFlow } from '@tf/core';
import type { AtomNode } from '../src/compiler/types';
import { Successors } from '../src/runtime/successors';

class Noop extends Task {
  override execute(): string {
    return this.name;
  }
}

const t = (name: string): Noop => new Noop({ name });

function names(nodes: readonly AtomNode[]): string[] {
  return nodes.map((n) => n.name);
}

function atom(compiled: CompiledFlow, name: string): AtomNode {
  const node = compiled.get(name);
  if (!node) throw new Error(`no atom '${name}'`);
  return node;
}

/**
 * outer (linear): g, z
 *   g (graph): a -> b; b -> c -> d; b -> inner; inner -> e; a -> d2
 *     inner (linear, retry r): n1, n2
 */
function layout() {
  const [a, b, c, d, d2, e] = ['a', 'b', 'c', 'd', 'd2', 'e'].map(t) as [Noop, Noop, Noop, Noop, Noop, Noop];
  const inner = linearFlow('inner', { retry: new Times({ name: 'r' }) }).add(t('n1'), t('n2'));
  const g = graphFlow('g').add(a, b, c, d, d2, inner, e).link(a, b).link(b, c).link(c, d).link(b, inner).link(inner, e).link(a, d2);
  const compiled = compile(linearFlow('outer').add(g, t('z')));
  return { compiled, successors: new Successors(compiled.nodes) };
}

describe('Successors.of (what a retry resets, what a decider of depth ALL ignores)', () => {
  it('lists every atom after an atom, through nested flows, retries and flow exits, each once, in atom order', () => {
    const { compiled, successors } = layout();
    const after = successors.of(atom(compiled, 'b'));
    const expected = ['c', 'd', 'r', 'n1', 'n2', 'e', 'z'].map((n) => atom(compiled, n)).sort((x, y) => x.index - y.index);
    expect(after).toEqual(expected);
    expect(new Set(after).size).toBe(after.length);
    // a diamond (a -> b -> ... -> z and a -> d2 -> z) still lists each atom once
    const fromA = successors.of(atom(compiled, 'a'));
    expect(names(fromA).sort()).toEqual(['b', 'c', 'd', 'd2', 'e', 'n1', 'n2', 'r', 'z']);
    expect(fromA.map((n) => n.index)).toEqual([...fromA.map((n) => n.index)].sort((x, y) => x - y));
  });

  it('gives the atoms in atom order, not in the order the walk meets them', () => {
    // o (linear): a, u (unordered: p (linear: p1, p2), q), z. From a the walk meets q and z before p1 and p2.
    const u = unorderedFlow('u').add(linearFlow('p').add(t('p1'), t('p2')), t('q'));
    const compiled = compile(linearFlow('o').add(t('a'), u, t('z')));
    const successors = new Successors(compiled.nodes);
    expect(names(compiled.atoms)).toEqual(['a', 'q', 'p1', 'p2', 'z']);
    expect(names(successors.of(atom(compiled, 'a')))).toEqual(['q', 'p1', 'p2', 'z']);
    expect(names(successors.inSameFlow(atom(compiled, 'p1')))).toEqual(['p2']);
  });

  it('is empty for the last atom, and the same when asked again', () => {
    const { compiled, successors } = layout();
    expect(successors.of(atom(compiled, 'z'))).toEqual([]);
    const first = names(successors.of(atom(compiled, 'c')));
    expect(first).toEqual(['d', 'z']);
    expect(names(successors.of(atom(compiled, 'c')))).toEqual(first);
  });
});

describe("Successors.inSameFlow (TaskFlow's FLOW depth)", () => {
  it('follows tasks only: stops at a nested flow, its retry, and the flow exit', () => {
    const { compiled, successors } = layout();
    expect(names(successors.inSameFlow(atom(compiled, 'b')))).toEqual(['c', 'd']);
    expect(names(successors.inSameFlow(atom(compiled, 'a')))).toEqual(['b', 'd2', 'c', 'd']);
    expect(successors.inSameFlow(atom(compiled, 'd'))).toEqual([]);
    // inside the nested flow: n1 -> n2, then its exit
    expect(names(successors.inSameFlow(atom(compiled, 'n1')))).toEqual(['n2']);
  });
});
