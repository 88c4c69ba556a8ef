import { linearFlow, Task, unorderedFlow } from '@tf/core';
import { describe, expect, it } from 'vitest';
import { dagreFits, flowGraph, layoutGraph } from '../src/index';

class Noop extends Task {
  static override taskName = 'layout.Noop';
  override execute(): number {
    return 1;
  }
}

/** first -> n side by side -> last. */
function fan(n: number) {
  const middle = unorderedFlow('middle').add(...Array.from({ length: n }, (_, i) => new Noop({ name: `t${i}` })));
  return linearFlow('fan').add(new Noop({ name: 'first' }), middle, new Noop({ name: 'last' }));
}

function placedByName(n: number) {
  const graph = flowGraph(fan(n));
  const placed = layoutGraph(graph);
  const byName = new Map(graph.nodes.filter((g) => g.kind !== 'join').map((g) => [g.name, placed.nodes[graph.nodes.indexOf(g)]!]));
  return { graph, placed, byName };
}

describe('layoutGraph', () => {
  it('lays a small graph out with dagre: ranks top to bottom, edges routed', () => {
    const { graph, placed, byName } = placedByName(5);
    expect(dagreFits(graph)).toBe(true);
    expect(byName.get('first')!.y).toBeLessThan(byName.get('t0')!.y);
    expect(byName.get('t0')!.y).toBe(byName.get('t4')!.y);
    expect(byName.get('t4')!.y).toBeLessThan(byName.get('last')!.y);
    expect(placed.edges.every((e) => e.points.length >= 2)).toBe(true);
  });

  it('lays a wide 1,000-task graph out compactly: ranks in order, each wrapped into rows, boxes apart', () => {
    const { graph, placed, byName } = placedByName(1_000);
    expect(dagreFits(graph)).toBe(false);
    const middle = [...byName.entries()].filter(([name]) => name.startsWith('t')).map(([, at]) => at);
    const rows = new Set(middle.map((at) => at.y));
    expect(rows.size).toBeGreaterThan(10);
    expect(Math.min(...middle.map((at) => at.y))).toBeGreaterThan(byName.get('first')!.y);
    expect(Math.max(...middle.map((at) => at.y))).toBeLessThan(byName.get('last')!.y);
    expect(new Set(middle.map((at) => `${at.x},${at.y}`)).size).toBe(1_000);
    expect(placed.width).toBeLessThan(12_000);
  });

  it('lays 10,000 tasks out without dagre', () => {
    const started = performance.now();
    const { placed } = placedByName(10_000);
    expect(placed.nodes.length).toBeGreaterThan(10_000);
    // A bound that catches dagre sneaking back in (minutes at this size), not a speed claim.
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
