import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryBroker } from '@tf/transport-memory';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli';
import type { Worker } from '../src/index';
import { gates } from './fixtures/tasks';
import { FakeEngine, recordingLogger, uniqueExchange } from './helpers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const cli = 'packages/worker/src/cli.ts';
const TASKS = './packages/worker/test/fixtures/tasks.ts:AddOne';
const tmp = mkdtempSync(path.join(tmpdir(), 'tf-worker-cli-'));

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI from source (tsx, cwd = repo root); `until` sends SIGTERM once stdout matches it. */
function run(args: string[], until?: RegExp, timeoutMs = 30_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tf-worker ${args.join(' ')} did not finish; stdout: ${stdout} stderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (until && !signalled && until.test(stdout)) {
        signalled = true;
        child.kill('SIGTERM');
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function expectOneLineError(result: Run, pattern: RegExp): void {
  expect(result.code, result.stderr).toBe(1);
  const lines = result.stderr.split('\n').filter((l) => l !== '');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^tf-worker: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stdout).toBe('');
}

// Each case spawns a tsx process (bounded by run()'s own 30 s); on 2 busy cores that takes longer than vitest's 5 s default.
describe('tf-worker (spawned): bad configuration exits 1 with one line on stderr', { timeout: 60_000 }, () => {
  const cases: [string, () => string[], RegExp][] = [
    ['missing tasks', () => ['--transport', 'memory', '--exchange', 'e', '--topic', 't'], /'tasks' is required/],
    ['missing exchange', () => ['--transport', 'memory', '--topic', 't', '--tasks', TASKS], /'exchange' is required/],
    ['unknown flag', () => ['--exchange', 'e', '--topic', 't', '--tasks', TASKS, '--bogus'], /unknown option '--bogus'/],
    [
      'bad JSON in --transport-options',
      () => ['--exchange', 'e', '--topic', 't', '--tasks', TASKS, '--transport-options', '{nope'],
      /--transport-options must be a JSON object/,
    ],
    [
      'bad --concurrency',
      () => ['--exchange', 'e', '--topic', 't', '--tasks', TASKS, '--concurrency', 'lots'],
      /--concurrency must be a whole number/,
    ],
    ['bad --log-level', () => ['--exchange', 'e', '--topic', 't', '--tasks', TASKS, '--log-level', 'loud'], /log-level/],
    ['config file that is not JSON', () => ['--config', file('bad.json', '{"exchange": ')], /is not valid JSON/],
    ['config file missing', () => ['--config', path.join(tmp, 'nope.json')], /cannot read the config file/],
    [
      'config file with an unknown key',
      () => ['--config', file('unknown.json', JSON.stringify({ exchange: 'e', topic: 't', tasks: [TASKS], colour: 'blue' }))],
      /unknown key 'colour'/,
    ],
    [
      'unloadable task module',
      () => ['--transport', 'memory', '--exchange', 'e', '--topic', 't', '--tasks', './no/such/tasks.js:X'],
      /TF_TASK_LOAD: Cannot load the tasks module/,
    ],
    [
      'export that is not a Task',
      () => ['--transport', 'memory', '--exchange', 'e', '--topic', 't', '--tasks', './packages/worker/test/fixtures/tasks.ts:helper'],
      /is not a Task class/,
    ],
    [
      'unknown transport',
      () => ['--transport', 'carrier-pigeon', '--exchange', 'e', '--topic', 't', '--tasks', TASKS],
      /TF_TRANSPORT_NOT_INSTALLED: .*carrier-pigeon/,
    ],
    [
      'unknown transport option',
      () => ['--transport', 'memory', '--transport-options', '{"nope": 1}', '--exchange', 'e', '--topic', 't', '--tasks', TASKS],
      /TF_TRANSPORT_UNKNOWN_OPTION/,
    ],
  ];
  it.concurrent.each(cases)('%s', async (_name, args, pattern) => {
    expectOneLineError(await run(args()), pattern);
  });
});

describe('tf-worker (spawned): running', { timeout: 60_000 }, () => {
  it('prints the banner, then stops gracefully on SIGTERM with exit 0', async () => {
    const result = await run(
      [
        '--transport',
        'memory',
        '--exchange',
        'cli-exchange',
        '--topic',
        'cli-topic',
        '--tasks',
        TASKS,
        '--concurrency',
        '3',
        '--log-level',
        'silent',
      ],
      /Pid = \d+/,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Transport = memory');
    expect(result.stdout).toContain('Exchange = cli-exchange');
    expect(result.stdout).toContain('Topic = cli-topic');
    expect(result.stdout).toContain('  - tasks.AddOne');
    expect(result.stdout).toContain('Concurrency = 3');
    expect(result.stdout).toMatch(/Hostname = .+/);
    expect(result.stderr).toBe('');
  });

  it('keeps serving until signalled (even over a transport that holds no socket)', async () => {
    const result = await run(
      ['--transport', 'memory', '--exchange', 'e', '--topic', 't', '--tasks', TASKS, '--log-level', 'info'],
      /Pid = \d+/,
    );
    expect(result.code, result.stderr).toBe(0);
    const logs = result.stderr
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { msg: string; reason?: string });
    expect(logs.find((l) => l.msg.startsWith('stopping'))?.reason).toBe('SIGTERM');
  });

  it("reads the seed's dict from --config (snake_case keys); flags override it; logs go to stderr", async () => {
    const config = file(
      'worker.json',
      JSON.stringify({
        exchange: 'from-config',
        topic: 'config-topic',
        tasks: ['./packages/worker/test/fixtures/more-tasks.ts:Echo'],
        transport: 'memory',
        transport_options: {},
        retry_options: { interval_start: 0.1, max_retries: 2 },
        threads_count: 2,
      }),
    );
    const result = await run(['--config', config, '--topic', 'flag-topic', '--log-level', 'info'], /Pid = \d+/);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Exchange = from-config');
    expect(result.stdout).toContain('Topic = flag-topic');
    expect(result.stdout).toContain('  - more.Echo');
    expect(result.stdout).toContain('Concurrency = 2');
    const logs = result.stderr
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logs.map((l) => l.msg)).toEqual(expect.arrayContaining(['worker started', 'stopped']));
  });
});

describe('tf-worker main() in process', () => {
  afterEach(() => {
    gates.reset();
    memoryBroker.reset();
  });

  it('--help and --version exit 0', async () => {
    let out = '';
    expect(await main(['--help'], { stdout: (t) => (out += t), handleSignals: false })).toBe(0);
    expect(out).toContain('--transport-options <json>');
    expect(out).toContain('--tasks <entry>');
    expect(out).toContain('--import <module>');
    out = '';
    expect(await main(['--version'], { stdout: (t) => (out += t), handleSignals: false })).toBe(0);
    expect(out).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('serves requests, and on stop lets a running task finish and publish before resolving 0', async () => {
    const exchange = uniqueExchange();
    const engine = await new FakeEngine(exchange).start();
    const controller = new AbortController();
    let out = '';
    let started: Worker | undefined;
    const done = main(
      [
        '--transport',
        'memory',
        '--exchange',
        exchange,
        '--topic',
        't',
        '--tasks',
        './packages/worker/test/fixtures/tasks.ts',
        '--concurrency',
        '2',
      ],
      {
        stdout: (t) => (out += t),
        stderr: (t) => (out += t),
        logger: recordingLogger(),
        signal: controller.signal,
        handleSignals: false,
        onStarted: (w) => (started = w),
      },
    );
    await vi.waitFor(() => expect(started?.state).toBe('running'));
    expect(out).toContain('  - tasks.Gated');
    const quick = await engine.request('t', { task_cls: 'tasks.AddOne', arguments: { x: 1 } });
    expect((await engine.final(quick)).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 2 } });

    const slow = await engine.request('t', { task_cls: 'tasks.Gated', arguments: { key: 'slow' } });
    await vi.waitFor(() => expect(gates.started).toEqual(['slow']));
    controller.abort();
    let finished = false;
    void done.then(() => (finished = true));
    await new Promise((r) => setTimeout(r, 30));
    expect(finished).toBe(false);
    gates.open('slow');
    expect(await done).toBe(0);
    await vi.waitFor(() => expect(engine.responses(slow).at(-1)).toEqual({ state: 'SUCCESS', data: { result: 'done slow' } }));
    await engine.close();
  });
});

describe('tf-worker --import', () => {
  afterEach(() => memoryBroker.reset());

  it('imports its modules, in order, before the tasks modules', async () => {
    const order: string[] = [];
    (globalThis as Record<symbol, unknown>)[Symbol.for('tf.test.importOrder')] = order;
    const controller = new AbortController();
    let started: Worker | undefined;
    let out = '';
    const done = main(
      [
        '--import',
        './packages/worker/test/fixtures/preload.mjs',
        '--transport',
        'memory',
        '--exchange',
        uniqueExchange(),
        '--topic',
        't',
        '--tasks',
        './packages/worker/test/fixtures/needs-preload.mjs',
      ],
      {
        stdout: (t) => (out += t),
        stderr: (t) => (out += t),
        logger: recordingLogger(),
        signal: controller.signal,
        handleSignals: false,
        onStarted: (w) => (started = w),
      },
    );
    await vi.waitFor(() => expect(started?.state).toBe('running'));
    expect(out).toContain('  - preload.ImportOrder');
    expect(order).toEqual(['preload', 'tasks']);
    controller.abort();
    expect(await done).toBe(0);
  });

  const failing: [string, string, RegExp][] = [
    [
      'a package that is not installed',
      'tf-no-such-loader',
      /^tf-worker: TF_WORKER_IMPORT: --import tf-no-such-loader failed \(from .+\): Cannot find package 'tf-no-such-loader' .*; install tf-no-such-loader where the worker runs \(npm install tf-no-such-loader\) or fix the name\n$/,
    ],
    [
      'a module that throws',
      './packages/worker/test/fixtures/broken-preload.mjs',
      /^tf-worker: TF_WORKER_IMPORT: --import \.\/packages\/worker\/test\/fixtures\/broken-preload\.mjs failed \(from .+\): the loader broke\n$/,
    ],
    ['an empty name', '', /^tf-worker: TF_WORKER_IMPORT: --import needs a module: a package name \(tsx\) or a path\.\n$/],
  ];
  it.each(failing)('%s: exit 1 with one line, before any tasks module loads', async (_name, module, pattern) => {
    let out = '';
    let err = '';
    const code = await main(
      ['--import', module, '--transport', 'memory', '--exchange', 'e', '--topic', 't', '--tasks', './no/such/tasks.js'],
      { stdout: (t) => (out += t), stderr: (t) => (err += t), logger: recordingLogger(), handleSignals: false },
    );
    expect(code).toBe(1);
    expect(err).toMatch(pattern); // not the TF_TASK_LOAD of the missing tasks module: --import came first
    expect(out).toBe('');
  });
});
