import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@tf/core';
import { post, resolveJobboard } from '@tf/jobboard';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli';
import { uniqueBoard } from './helpers';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../../..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const FLOWS = path.join(here, 'fixtures', 'flows.ts');
const tmp = mkdtempSync(path.join(tmpdir(), 'tf-conductor-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
}

/** Runs main() in this process; `whenStarted` runs once the conductor is up, then the conductor is stopped. */
async function run(args: string[], whenStarted?: () => Promise<void>) {
  let stdout = '';
  let stderr = '';
  const controller = new AbortController();
  let during: Promise<void> = Promise.resolve();
  const code = await main(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    handleSignals: false,
    logger: silentLogger,
    signal: controller.signal,
    onStarted: () => {
      during = (whenStarted?.() ?? Promise.resolve()).finally(() => controller.abort());
    },
  });
  await during;
  return { code, stdout, stderr };
}

describe('tf-conductor', () => {
  it('runs the flows of a --flows module from a board, prints its banner, and stops with 0', async () => {
    const url = uniqueBoard();
    let state = '';
    const { code, stdout, stderr } = await run(
      ['--board', url, '--backend', 'memory://', '--flows', FLOWS, '--engine', 'serial', '--name', 'cli-1', '--max-flows', '2'],
      async () => {
        const board = await resolveJobboard(url);
        try {
          const job = await post(board, 'steps', { args: { n: 2 } });
          state = (await board.waitForOutcome(job.uuid, { timeoutMs: 10_000 })).state;
        } finally {
          await board.close();
        }
      },
    );
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(state).toBe('SUCCESS');
    expect(stdout).toMatch(/^tf conductor v\d+\.\d+\.\d+\n/);
    expect(stdout).toContain('  Owner = cli-1\n');
    expect(stdout).toContain('  Max flows = 2\n');
    expect(stdout).toContain('Supported flows:\n  - steps\n');
  });

  it('reads a JSON --config, flags over it', async () => {
    const config = file(
      'c.json',
      JSON.stringify({ board: uniqueBoard(), backend: 'memory://', flows: FLOWS, engine: 'serial', max_flows: 3 }),
    );
    const { code, stdout } = await run(['--config', config, '--max-flows', '1']);
    expect(code).toBe(0);
    expect(stdout).toContain('  Max flows = 1\n');
  });

  it.each([
    [['--board', 'memory://x', '--flows', FLOWS], /^tf-conductor: TF_CONDUCTOR_CONFIG: no backend: give --backend/],
    [['--backend', 'memory://', '--flows', FLOWS], /^tf-conductor: TF_CONDUCTOR_CONFIG: no board: give --board/],
    [['--board', 'memory://x', '--backend', 'memory://'], /^tf-conductor: TF_CONDUCTOR_CONFIG: no flows: give --flows/],
    [
      ['--board', 'memory://x', '--backend', 'memory://', '--flows', path.join(here, 'fixtures', 'no-flows.ts')],
      /^tf-conductor: TF_CONDUCTOR_FLOWS: the flows module .* exports no flow factory/,
    ],
    [
      ['--board', 'memory://x', '--backend', 'memory://', '--flows', path.join(here, 'fixtures', 'missing.ts')],
      /^tf-conductor: TF_CONDUCTOR_FLOWS: cannot load the flows module/,
    ],
    [
      ['--board', 'memory://x', '--backend', 'memory://', '--flows', FLOWS, '--max-flows', '0'],
      /^tf-conductor: option '--max-flows <n>' argument '0' is invalid/,
    ],
    [
      ['--board', 'memory://x', '--backend', 'memory://', '--flows', FLOWS, '--engine', 'worker-based'],
      /^tf-conductor: TF_CONDUCTOR_CONFIG: Conductor engine options: .*exchange/,
    ],
    [['--board', 'nope://x', '--backend', 'memory://', '--flows', FLOWS], /^tf-conductor: TF_JOBBOARD_NOT_INSTALLED: /],
  ])('refuses a bad configuration with one line and exit code 1: %j', async (args, message) => {
    const { code, stdout, stderr } = await run(args);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });

  it('refuses an unknown key in --config', async () => {
    const config = file('bad.json', JSON.stringify({ board: 'memory://x', backend: 'memory://', flows: FLOWS, tasks: [] }));
    const { code, stderr } = await run(['--config', config]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^tf-conductor: TF_CONDUCTOR_CONFIG: the config file .* has an unknown key 'tasks'/);
  });

  it('as a process: SIGTERM stops it gracefully with exit code 0', async () => {
    const child = spawn(
      tsx,
      ['packages/conductor/src/cli.ts', '--board', 'memory://sig', '--backend', 'memory://', '--flows', FLOWS, '--engine', 'serial'],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Supported flows')) child.kill('SIGTERM');
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.on('close', (c, s) => resolve([c, s])),
    );
    clearTimeout(timer);
    expect(signal, out).toBeNull();
    expect(code, out).toBe(0);
    expect(out).toContain('tf conductor v');
  });
});
