/**
 * Compile-time benchmark: linear, unordered and graph flows of 1k, 10k and 100k
 * tasks. Prints the median time per task (µs) per size, and the 100k/1k ratio
 * (1.0 = perfectly linear). Run: `pnpm bench:compile` at the repository root.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { compile, type Flow } from '@tf/core';
import { buildGraph, buildLinear, buildNested, buildUnordered } from './flows';

const SIZES = [1_000, 10_000, 100_000];
/**
 * Timed samples per size (odd: the median is a sample). Each sample is one compile,
 * started cold: after a full GC (which also evicts the flow from the CPU caches),
 * as a 100k flow, which does not fit in them, always is. (Compiling a 1k flow 100
 * times in a row instead measures it with hot caches: about half the time per task.)
 */
const SAMPLES: Record<number, number> = { 1000: 31, 10000: 15, 100000: 7 };

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

// A full collection before each timed sample, so one sample's garbage is not billed to
// the next; then a short pause, so the collector's concurrent sweeping (background
// threads, which compete for the 2 cores) is over before the clock starts.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

// Warm-up: let the JIT settle on every code path, at every size, before timing anything.
for (const [, build] of KINDS) {
  for (const n of SIZES) {
    const flow = build(n);
    for (let r = 0, reps = Math.max(2, 20_000 / n); r < reps; r++) compile(flow);
  }
}

/** Bytes retained per task by one compiled flow (what its compile leaves for the GC to copy and promote). */
async function retainedPerTask(flow: Flow, n: number): Promise<number> {
  gc();
  await settle();
  const before = process.memoryUsage().heapUsed;
  const kept = compile(flow);
  gc();
  const after = process.memoryUsage().heapUsed;
  if (kept.atoms.length !== n) throw new Error('unreachable');
  return (after - before) / n;
}

const rows: string[][] = [];
const retained: string[] = [];
for (const [kind, build] of KINDS) {
  const perTask: number[] = [];
  for (const n of SIZES) {
    const flow = build(n);
    const warm = compile(flow); // a sanity check
    if (warm.atoms.length !== n) throw new Error(`${kind} ${n}: compiled ${warm.atoms.length} atoms`);
    warm.validate(['x']);
    if (n === SIZES[SIZES.length - 1]) retained.push(`${kind}: ${(await retainedPerTask(flow, n)).toFixed(0)} B/task`);
    const times: number[] = [];
    for (let r = 0; r < SAMPLES[n]!; r++) {
      gc();
      await settle();
      const t0 = performance.now();
      compile(flow);
      times.push(performance.now() - t0);
    }
    const ms = median(times);
    perTask.push((ms * 1000) / n);
    const sorted = [...times].sort((a, b) => a - b);
    process.stderr.write(
      `${kind} ${n}: median ${ms.toFixed(2)} ms per compile (min ${sorted[0]!.toFixed(2)}, max ${sorted[sorted.length - 1]!.toFixed(2)}) over ${times.length} samples\n`,
    );
  }
  rows.push([kind, ...perTask.map((v) => v.toFixed(2)), (perTask[2]! / perTask[0]!).toFixed(2)]);
}

const header = ['flow', ...SIZES.map((n) => `${n / 1000}k (µs/task)`), '100k/1k'];
const table = [header, header.map((h) => '-'.repeat(h.length)), ...rows];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
console.log(table.map((r) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`).join('\n'));
console.log(`\nretained by one compiled 100k flow: ${retained.join(', ')}`);
console.log(
  `node ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})` +
    `${process.env.NODE_OPTIONS ? `, NODE_OPTIONS=${process.env.NODE_OPTIONS}` : ''}; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
);
