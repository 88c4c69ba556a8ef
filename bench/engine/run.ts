/**
 * Engine run time for linear, unordered and graph flows of trivial tasks at 1k, 10k and
 * 100k tasks (compile + run, serial engine), side by side with Python TaskFlow's serial
 * engine on the same flows in the same run (Debian's python3-taskflow, at 1k tasks: its
 * linear and graph flows cost O(n^2) and take hours at 100k).
 *
 *   pnpm bench:engine            # full run
 *   pnpm bench:engine --quick    # 1k and 10k only, for a smoke test
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Task, graphFlow, linearFlow, unorderedFlow, type Flow } from '@tf/core';
import { load } from '@tf/engine';

type Pattern = 'linear' | 'unordered' | 'graph';
const patterns: Pattern[] = ['linear', 'unordered', 'graph'];
const quick = process.argv.includes('--quick');
const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const repetitions = 3;

class Noop extends Task {
  static override taskName = 'bench.Noop';
  override execute(): number {
    return 1;
  }
}

function build(pattern: Pattern, n: number): Flow {
  if (pattern === 'graph') {
    const tasks = [new Noop({ name: 't0', provides: 'v0' })];
    for (let i = 1; i < n; i++) tasks.push(new Noop({ name: `t${i}`, provides: `v${i}`, requires: [`v${i - 1}`] }));
    return graphFlow('g').add(...tasks);
  }
  const flow = pattern === 'linear' ? linearFlow('l') : unorderedFlow('u');
  return flow.add(...Array.from({ length: n }, (_, i) => new Noop({ name: `t${i}` })));
}

async function timeOnce(pattern: Pattern, n: number): Promise<number> {
  const flow = build(pattern, n);
  const started = performance.now();
  const engine = load(flow);
  await engine.run();
  const elapsed = performance.now() - started;
  if (engine.storage.flowState !== 'SUCCESS') throw new Error(`${pattern} ${n}: ${engine.storage.flowState}`);
  return elapsed;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function python(pattern: Pattern, n: number): number | undefined {
  const script = fileURLToPath(new URL('./taskflow_engine.py', import.meta.url));
  const interpreter = '/usr/bin/python3';
  if (!existsSync(interpreter)) return undefined;
  const result = spawnSync(interpreter, [script, pattern, String(n)], { encoding: 'utf8', timeout: 600_000 });
  if (result.status !== 0) {
    console.error(`python taskflow ${pattern} ${n} failed: ${result.stderr.trim().split('\n').at(-1)}`);
    return undefined;
  }
  return (JSON.parse(result.stdout.trim().split('\n').at(-1)!) as { seconds: number }).seconds * 1000;
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);

// Warm-up: let the JIT see every path once.
for (const pattern of patterns) await timeOnce(pattern, 2_000);

console.log(`tf engine bench (serial engine, trivial tasks, median of ${repetitions}; node ${process.version})\n`);
console.log('| pattern | tasks | ms | µs/task | tasks/s |');
console.log('|---|---:|---:|---:|---:|');
const perTask = new Map<string, number>();
for (const pattern of patterns) {
  for (const n of sizes) {
    const runs: number[] = [];
    for (let r = 0; r < repetitions; r++) runs.push(await timeOnce(pattern, n));
    const ms = median(runs);
    perTask.set(`${pattern}:${n}`, (ms * 1000) / n);
    console.log(`| ${pattern} | ${n} | ${fmt(ms, 1)} | ${fmt((ms * 1000) / n)} | ${Math.round((n / ms) * 1000)} |`);
  }
}

const largest = sizes.at(-1)!;
console.log(`\n| pattern | µs/task at ${largest} / µs/task at 1000 (goal <= 1.5) |`);
console.log('|---|---:|');
for (const pattern of patterns) {
  console.log(`| ${pattern} | ${fmt(perTask.get(`${pattern}:${largest}`)! / perTask.get(`${pattern}:1000`)!)} |`);
}

console.log('\nPython TaskFlow serial engine, same flows, 1,000 tasks (compile + run):\n');
console.log('| pattern | python ms | python tasks/s | tf tasks/s | tf / python |');
console.log('|---|---:|---:|---:|---:|');
for (const pattern of patterns) {
  const theirs = python(pattern, 1_000);
  const ours = perTask.get(`${pattern}:1000`)!;
  if (theirs === undefined) {
    console.log(`| ${pattern} | n/a (python3-taskflow missing) | | ${Math.round(1e6 / ours)} | |`);
    continue;
  }
  const theirsPerTask = (theirs * 1000) / 1_000;
  console.log(
    `| ${pattern} | ${fmt(theirs, 0)} | ${Math.round(1e6 / theirsPerTask)} | ${Math.round(1e6 / ours)} | ${fmt(theirsPerTask / ours, 0)}x |`,
  );
}
