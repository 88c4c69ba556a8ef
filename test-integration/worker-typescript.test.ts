/**
 * TypeScript tasks modules: a `tf-worker` process on plain Node (no loader; see
 * fixtures/tf-worker-without-loader.mjs) serves a `.mts` tasks module with `--import tsx`,
 * running a real task for an engine over the filesystem transport, and without it exits 1
 * with one line that says how to fix it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { linearFlow } from '@tf/core';
import { load } from '@tf/engine';
import { root } from './helpers';
import { Triple } from './fixtures/typescript-tasks.mjs';

const TASKS = './test-integration/fixtures/typescript-tasks.mts';

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** tf-worker from source on plain Node; `started` resolves on the banner, `exit` on exit (SIGKILL after `timeoutMs`). */
function tfWorker(args: string[], timeoutMs = 30_000): { child: ChildProcess; started: Promise<string>; exit: Promise<Exit> } {
  const child = spawn(process.execPath, ['test-integration/fixtures/tf-worker-without-loader.mjs', '--log-level', 'warn', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = new Promise<Exit>((resolve) =>
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  const started = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (stdout.includes('Supported endpoints')) resolve(stdout);
    });
    void exit.then((e) => reject(new Error(`tf-worker exited (${e.code ?? e.signal}) before starting:\n${e.stdout}${e.stderr}`)));
  });
  started.catch(() => {}); // a test that expects the exit does not await it
  return { child, started, exit };
}

let folder: string;
let running: ChildProcess[] = [];
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tf-it-mts-'));
});
afterEach(() => {
  for (const child of running) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running = [];
  rmSync(folder, { recursive: true, force: true });
});

const transportArgs = () => [
  '--transport',
  'filesystem',
  '--transport-options',
  JSON.stringify({ data_folder_in: folder, data_folder_out: folder, polling_interval: 0.2 }),
];

describe('tf-worker with a TypeScript (.mts) tasks module', () => {
  it('serves it with --import tsx: an engine in another process runs its task', async () => {
    const worker = tfWorker(['--import', 'tsx', ...transportArgs(), '--exchange', 'it-mts', '--topic', 'ts', '--tasks', TASKS]);
    running.push(worker.child);
    const banner = await worker.started;
    expect(banner).toContain('  - it.Triple');

    const engine = load(linearFlow('ts').add(new Triple({ name: 'triple', inject: { x: 14 }, provides: 'tripled' })), {
      engine: 'worker-based',
      exchange: 'it-mts',
      topics: ['ts'],
      transport: 'filesystem',
      transport_options: { data_folder_in: folder, data_folder_out: folder, polling_interval: 0.2 },
      transition_timeout: 30,
    });
    await engine.run();
    // Computed by the worker process, not here.
    expect(engine.storage.fetch('tripled')).toEqual({ value: 42, pid: worker.child.pid });

    worker.child.kill('SIGTERM');
    const exit = await worker.exit;
    expect(exit.code, exit.stderr).toBe(0);
    expect(exit.stderr).toBe('');
  });

  it('without a loader, exits 1 with one line naming the fix', async () => {
    const worker = tfWorker([...transportArgs(), '--exchange', 'it-mts', '--topic', 'ts', '--tasks', TASKS]);
    running.push(worker.child);
    const exit = await worker.exit;
    expect(exit.code, exit.stderr).toBe(1);
    expect(exit.stdout).toBe('');
    const lines = exit.stderr.split('\n').filter((l) => l !== '');
    expect(lines, exit.stderr).toHaveLength(1);
    expect(lines[0]).toBe(
      `tf-worker: TF_TASK_LOAD: Cannot load the tasks module '${TASKS}' (from ${root.replace(/\/$/, '')}): ` +
        'Node cannot import ".mts" files without a TypeScript loader. Register one before the tasks load: ' +
        'tf-worker --import tsx ... (or node --import tsx $(which tf-worker) ...), with tsx installed (npm install tsx); ' +
        'or point the tasks at built JavaScript.',
    );
  });

  it('exits 1 with one line when the --import module is not installed', async () => {
    const worker = tfWorker([
      '--import',
      'tf-no-such-loader',
      ...transportArgs(),
      '--exchange',
      'it-mts',
      '--topic',
      'ts',
      '--tasks',
      TASKS,
    ]);
    running.push(worker.child);
    const exit = await worker.exit;
    expect(exit.code, exit.stderr).toBe(1);
    const lines = exit.stderr.split('\n').filter((l) => l !== '');
    expect(lines, exit.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^tf-worker: TF_WORKER_IMPORT: --import tf-no-such-loader failed \(from .+\): Cannot find package 'tf-no-such-loader' .*; install tf-no-such-loader where the worker runs \(npm install tf-no-such-loader\) or fix the name$/,
    );
  });
});
