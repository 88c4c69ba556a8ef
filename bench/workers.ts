/** Starts tf-worker processes for benchmarks (from source, through tsx). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { linearFlow, unorderedFlow, type Flow } from '@tf/core';
import { load, type WorkerBasedLoadOptions } from '@tf/engine';
import { Noop } from './fixtures/tasks';

export const root = fileURLToPath(new URL('..', import.meta.url));

/** tf-worker flags that serve the `Noop` bench task on topic `noop` of `exchange`. */
export function noopWorkerArgs(exchange: string, concurrency: number): string[] {
  return ['--exchange', exchange, '--topic', 'noop', '--tasks', './bench/fixtures/tasks.ts', '--concurrency', String(concurrency)];
}

export async function startWorkers(count: number, args: string[]): Promise<{ stop(): Promise<void>; pids: number[] }> {
  const children: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: count }, () => {
      // TF_BENCH_WORKER_NODE_ARGS: extra node flags for the workers (say `--cpu-prof`), for profiling.
      const nodeArgs = (process.env.TF_BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const child = spawn(
        process.execPath,
        [...nodeArgs, '--import', 'tsx', 'packages/worker/src/cli.ts', '--log-level', 'warn', ...args],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      children.push(child);
      return new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (c: Buffer) => {
          out += c.toString();
          if (out.includes('Supported endpoints')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`worker exited (${code}) before starting: ${out}`)));
      });
    }),
  );
  return {
    pids: children.map((c) => c.pid!),
    stop: () => stopProcesses(children),
  };
}

/** SIGTERM every process and wait until all have exited. */
export async function stopProcesses(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
        }),
    ),
  );
}

/** A linear or unordered flow of `n` trivial tasks. */
export function noopFlow(kind: 'linear' | 'unordered', n: number): Flow {
  const flow = kind === 'linear' ? linearFlow('l') : unorderedFlow('u');
  // In slices: a million arguments in one call overflow the stack.
  for (let from = 0; from < n; from += 10_000) {
    flow.add(...Array.from({ length: Math.min(10_000, n - from) }, (_, i) => new Noop({ name: `t${from + i}` })));
  }
  return flow;
}

/** Runs `flow` on the worker-based engine once its workers answer; returns the run's milliseconds. */
export async function timeFlow(flow: Flow, options: Omit<WorkerBasedLoadOptions, 'engine'>): Promise<number> {
  const engine = load(flow, { ...options, engine: 'worker-based' });
  await engine.waitForWorkers(1, 30_000);
  const started = performance.now();
  await engine.run();
  return performance.now() - started;
}
