/** The flows the compile benchmarks build (run.ts, python.ts): trivial tasks, linked through the store. */
import { defineTask, graphFlow, linearFlow, unorderedFlow, type Flow } from '@tf/core';

const Noop = defineTask({ name: 'bench.Noop', execute: () => 0 });

/** t0 <- x; t(i) requires v(i-1), provides v(i): a chain through the store and symbols. */
export function buildLinear(n: number): Flow {
  const flow = linearFlow('linear');
  for (let i = 0; i < n; i++) {
    flow.add(new Noop({ name: `t${i}`, requires: [i === 0 ? 'x' : `v${i - 1}`], provides: `v${i}` }));
  }
  return flow;
}

/** Every task reads x and provides its own symbol. */
export function buildUnordered(n: number): Flow {
  const flow = unorderedFlow('unordered');
  for (let i = 0; i < n; i++) flow.add(new Noop({ name: `t${i}`, requires: ['x'], provides: `v${i}` }));
  return flow;
}

/**
 * A layered DAG, 10 tasks wide: each task requires the symbols of two tasks of the
 * layer before (auto-links), and every 7th task also gets an explicit link (with a
 * decider every 14th) from a task two layers back.
 */
export function buildGraph(n: number): Flow {
  const width = 10;
  const flow = graphFlow('graph');
  const tasks = [];
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / width);
    const col = i % width;
    const requires = layer === 0 ? ['x'] : [`v${i - width}`, `v${(layer - 1) * width + ((col + 1) % width)}`];
    tasks.push(new Noop({ name: `t${i}`, requires, provides: `v${i}` }));
  }
  flow.add(...tasks);
  for (let i = 2 * width; i < n; i += 7) {
    const from = tasks[i - 2 * width + ((i + 3) % width) - (i % width)]!;
    flow.link(from, tasks[i]!, i % 14 === 0 ? { decider: () => true } : {});
  }
  return flow;
}

/** Two nested unordered flows of n/2 tasks linked in a linear flow (join nodes keep this linear). */
export function buildNested(n: number): Flow {
  const a = unorderedFlow('a');
  const b = unorderedFlow('b');
  for (let i = 0; i < n / 2; i++) a.add(new Noop({ name: `a${i}`, provides: `a${i}` }));
  for (let i = 0; i < n / 2; i++) b.add(new Noop({ name: `b${i}`, requires: ['x'] }));
  return linearFlow('nested').add(a, b);
}
