import { describe, expect, it } from 'vitest';
import { Times, compile, defineTask, graphFlow, linearFlow, toDot, toMermaid, unorderedFlow } from '@tf/core';

const T = defineTask({ name: 'T', execute: () => undefined });

function sample() {
  const a = new T({ name: 'fetch "data"', provides: 'd' });
  const b = new T({ name: 'b<1>#x', requires: ['d'] });
  const inner = unorderedFlow('inner', { retry: new Times({ name: 'again' }) }).add(new T({ name: 'i1' }));
  function onlyIfReady() {
    return true;
  }
  return graphFlow('main "g"').add(a, b, inner).link(b, inner, { decider: onlyIfReady, deciderDepth: 'FLOW' });
}

describe('toMermaid', () => {
  it('draws a flowchart with subgraphs, retry hexagons, escaped labels and labelled decider links', () => {
    const text = toMermaid(sample());
    const lines = text.trim().split('\n');
    expect(lines[0]).toBe('flowchart TD');
    expect(text).toContain('subgraph f0["main #quot;g#quot; (graph)"]');
    expect(text).toContain('subgraph f1["inner (unordered)"]');
    expect(text).toMatch(/a\d+\["fetch #quot;data#quot;"\]/);
    expect(text).toMatch(/a\d+\["b#lt;1#gt;#35;x"\]/);
    expect(text).toMatch(/a\d+\{\{"again"\}\}/);
    expect(text).toMatch(/a\d+ -->\|"decider: onlyIfReady \(FLOW\)"\| f1/);
    expect(text).toMatch(/a\d+ -\.-> a\d+/); // retry edge, dotted
    // data link fetch -> b
    const c = compile(sample());
    expect(text).toContain(`a${c.get('fetch "data"')!.id} --> a${c.get('b<1>#x')!.id}`);
    // balanced subgraphs, no raw quotes inside labels
    expect(lines.filter((l) => l.trim().startsWith('subgraph')).length).toBe(lines.filter((l) => l.trim() === 'end').length);
  });

  it('accepts a compiled flow', () => {
    const c = compile(linearFlow('l').add(new T({ name: 'x' }), new T({ name: 'y' })));
    const text = toMermaid(c);
    expect(text).toContain(`a${c.get('x')!.id} --> a${c.get('y')!.id}`);
  });
});

describe('toDot', () => {
  it('draws clusters, join points, hexagon retries, escaped names and dashed labelled deciders', () => {
    const c = compile(sample());
    const text = toDot(c);
    expect(text.startsWith('digraph "main \\"g\\"" {')).toBe(true);
    expect(text.trim().endsWith('}')).toBe(true);
    expect(text).toContain('subgraph "cluster_0" {');
    expect(text).toContain('label="inner (unordered)";');
    expect(text).toContain(`n${c.get('fetch "data"')!.id} [shape=box, label="fetch \\"data\\""];`);
    expect(text).toContain(`n${c.get('again')!.id} [shape=hexagon, label="again"];`);
    expect(text).toContain(`n${c.root.entry.id} [shape=point, label=""];`);
    expect(text).toMatch(/n\d+ -> n\d+ \[style=dashed, label="decider: onlyIfReady \(FLOW\)"\];/);
    expect(text).toMatch(/\[style=dotted\]/);
    // one line per edge
    expect(text.split('\n').filter((l) => l.includes(' -> ')).length).toBe(c.edges.length);
    const opens = (text.match(/\{/g) ?? []).length;
    const closes = (text.match(/\}/g) ?? []).length;
    expect(opens).toBe(closes);
  });

  it('escapes backslashes and newlines', () => {
    const text = toDot(linearFlow('f').add(new T({ name: 'a\\b\nc' })));
    expect(text).toContain('label="a\\\\b\\nc"');
  });
});
