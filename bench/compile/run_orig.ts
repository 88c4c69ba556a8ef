/**
 * Compile-time benchmark: linear, unordered and graph flows of 1k, 10k and 100k
 * tasks. Prints the median time per task (µs) per size, and the 100k/1k ratio
 * (1.0 = perfectly linear). Run: `pnpm bench:compile` at the repository root.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { compile, defineTask, graphFlow, linearFlow, unorderedFlow, type Flow } from '@tf/core';

const Noop = defineTask({ name: 'bench.Noop', execute: () => 0 });

const SIZES = [1_000, 10_000, 100_000];
const REPS: Record<number, number> = { 1_000: 30, 10_000: 8, 100_000: 4 };

/** t0 <- x; t(i) requires v(i-1), provides v(i): a chain through the store and symbols. */
function buildLinear(n: number): Flow {
  const flow = linearFlow('linear');
  for (let i = 0; i < n; i++) {
    flow.add(new Noop({ name: `t${i}`, requires: [i === 0 ? 'x' : `v${i - 1}`], provides: `v${i}` }));
  }
  return flow;
}

/** Every task reads x and provides its own symbol. */
function buildUnordered(n: number): Flow {
  const flow = unorderedFlow('unordered');
  for (let i = 0; i < n; i++) flow.add(new Noop({ name: `t${i}`, requires: ['x'], provides: `v${i}` }));
  return flow;
}

/**
 * A layered DAG, 10 tasks wide: each task requires the symbols of two tasks of the
 * layer before (auto-links), and every 7th task also gets an explicit link (with a
 * decider every 14th) from a task two layers back.
 */
function buildGraph(n: number): Flow {
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
function buildNested(n: number): Flow {
  const a = unorderedFlow('a');
  const b = unorderedFlow('b');
  for (let i = 0; i < n / 2; i++) a.add(new Noop({ name: `a${i}`, provides: `a${i}` }));
  for (let i = 0; i < n / 2; i++) b.add(new Noop({ name: `b${i}`, requires: ['x'] }));
  return linearFlow('nested').add(a, b);
}

const KINDS: [string, (n: number) => Flow][] = [
  ['linear', buildLinear],
  ['unordered', buildUnordered],
  ['graph', buildGraph],
  ['nested unordered', buildNested],
];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

// A full collection before each timed run, so one run's garbage is not billed to the next.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

// Warm-up: let the JIT settle on every code path before timing anything.
for (const [, build] of KINDS) {
  const flow = build(10_000);
  for (let r = 0; r < 5; r++) compile(flow);
}

const rows: string[][] = [];
for (const [kind, build] of KINDS) {
  const perTask: number[] = [];
  for (const n of SIZES) {
    const flow = build(n);
    const warm = compile(flow); // warm-up, and a sanity check
    if (warm.atoms.length !== n) throw new Error(`${kind} ${n}: compiled ${warm.atoms.length} atoms`);
    warm.validate(['x']);
    const times: number[] = [];
    for (let r = 0; r < REPS[n]!; r++) {
      gc();
      const t0 = performance.now();
      compile(flow);
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    perTask.push((ms * 1000) / n);
    process.stderr.write(`${kind} ${n}: median ${ms.toFixed(1)} ms over ${times.length} runs\n`);
  }
  rows.push([kind, ...perTask.map((v) => v.toFixed(2)), (perTask[2]! / perTask[0]!).toFixed(2)]);
}

const header = ['flow', ...SIZES.map((n) => `${n / 1000}k (µs/task)`), '100k/1k'];
const table = [header, header.map((h) => '-'.repeat(h.length)), ...rows];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
console.log(table.map((r) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`).join('\n'));
console.log(`\nnode ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`);
