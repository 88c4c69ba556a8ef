/**
 * Python TaskFlow's compile as a baseline: the linear and unordered flows of run.ts at 1,000
 * and 5,000 tasks, compiled once each by Python TaskFlow (`taskflow_compile.py`, Debian's
 * python3-taskflow: `engine.compile()` alone) and by tf (`compile(flow)`, median of 7 cold
 * samples, as in run.ts). Python's cost grows about quadratically, so it runs once per size
 * (5,000 tasks take it close to a minute). Run: `pnpm bench:compile:python`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { compile, type Flow } from '@tf/core';
import { buildLinear, buildUnordered } from './flows';

const INTERPRETER = '/usr/bin/python3';
const SIZES = [1_000, 5_000];
const PATTERNS: [string, (n: number) => Flow][] = [
  ['linear', buildLinear],
  ['unordered', buildUnordered],
];
const TF_SAMPLES = 7;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 20));

/** Python TaskFlow's compile of `pattern` at `n` tasks, in ms (one run), or why it could not run. */
function python(pattern: string, n: number): number | string {
  if (!existsSync(INTERPRETER)) return `no ${INTERPRETER}`;
  const script = fileURLToPath(new URL('./taskflow_compile.py', import.meta.url));
  const result = spawnSync(INTERPRETER, [script, pattern, String(n)], { encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) return `failed: ${(result.stderr || String(result.error)).trim().split('\n').at(-1)}`;
  return (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { seconds: number }).seconds * 1000;
}

/** tf's compile of `flow`, in ms: the median of TF_SAMPLES cold samples (a full GC and a pause before each). */
async function tf(flow: Flow): Promise<number> {
  for (let i = 0; i < 3; i++) compile(flow); // warm-up
  const times: number[] = [];
  for (let i = 0; i < TF_SAMPLES; i++) {
    gc();
    await settle();
    const t0 = performance.now();
    compile(flow);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[TF_SAMPLES >> 1]!;
}

console.log('| flow | tasks | Python TaskFlow ms (1 run) | tf ms (median of 7) | tf faster by |');
console.log('|---|---:|---:|---:|---:|');
for (const [pattern, build] of PATTERNS) {
  for (const n of SIZES) {
    const ours = await tf(build(n));
    const theirs = python(pattern, n);
    const cells =
      typeof theirs === 'number'
        ? [theirs.toFixed(0), ours.toFixed(2), `${Math.round(theirs / ours)}x`]
        : [`n/a (${theirs})`, ours.toFixed(2), ''];
    console.log(`| ${pattern} | ${n} | ${cells.join(' | ')} |`);
  }
}
console.log(
  `\nnode ${process.version}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}); load average ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
