/**
 * A process whose engine is closed, or whose run ended, exits by itself: nothing (socket,
 * file watcher, timer) is left holding its event loop. Each case runs
 * fixtures/engine-exit.ts in its own `node --import tsx` process, over the filesystem
 * transport in a temp folder, with no worker. The control case shows that an engine left
 * open after waitForWorkers does hold the process, so the others are not passing by luck.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const script = fileURLToPath(new URL('./fixtures/engine-exit.ts', import.meta.url));

/** How long a child may take to start and reach the end of its script (tsx on a busy machine). */
const START_BOUND_MS = 45_000;
/** How long after its script's end a child may take to exit. */
const EXIT_BOUND_MS = 5_000;

interface Outcome {
  lines: string[];
  stderr: string;
  /** Whether it exited by itself within EXIT_BOUND_MS (or `afterEndMs`) of printing `end`. */
  exitedBySelf: boolean;
  code: number | null;
}

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function runFixture(mode: string, afterEndMs = EXIT_BOUND_MS): Promise<Outcome> {
  const folder = mkdtempSync(join(tmpdir(), 'tf-engine-exit-'));
  folders.push(folder);
  const child = spawn(process.execPath, ['--import', 'tsx', script, mode, folder], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let buffered = '';
  return new Promise<Outcome>((done) => {
    let killed = false;
    const kill = () => {
      killed = true;
      child.kill('SIGKILL');
    };
    let bound = setTimeout(kill, START_BOUND_MS);
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop() ?? '';
      for (const line of parts) {
        lines.push(line);
        if (line === 'end') {
          clearTimeout(bound);
          bound = setTimeout(kill, afterEndMs);
        }
      }
    });
    child.on('exit', (code) => {
      clearTimeout(bound);
      done({ lines, stderr, code, exitedBySelf: !killed });
    });
  });
}

describe('a process using an engine can exit', () => {
  it('after waitForWorkers gives up and engine.close() is awaited', async () => {
    const outcome = await runFixture('close');
    expect(outcome.lines).toEqual(['workers 0', 'closed', 'end']);
    expect(outcome.exitedBySelf).toBe(true);
    expect(outcome.code).toBe(0);
  }, 60_000);

  it('after an `await using` block ends', async () => {
    const outcome = await runFixture('await-using');
    expect(outcome.lines).toEqual(['workers 0', 'disposed', 'end']);
    expect(outcome.exitedBySelf).toBe(true);
    expect(outcome.code).toBe(0);
  }, 60_000);

  it('after engine.run() failed (no close needed: the run releases its connection)', async () => {
    const outcome = await runFixture('engine-run');
    expect(outcome.lines).toEqual(['failed TF_REQUEST_TIMEOUT', 'end']);
    expect(outcome.exitedBySelf).toBe(true);
    expect(outcome.code).toBe(0);
  }, 60_000);

  it('after the one-shot run(flow, options) failed', async () => {
    const outcome = await runFixture('run');
    expect(outcome.lines).toEqual(['failed TF_REQUEST_TIMEOUT', 'end']);
    expect(outcome.exitedBySelf).toBe(true);
    expect(outcome.code).toBe(0);
  }, 60_000);

  it('only once a run over the memory transport (which holds nothing open) has its answer', async () => {
    // The request waiting for its timeout keeps the process up: no early exit (code 13,
    // "unsettled top-level await") before the run settles.
    const outcome = await runFixture('memory-run');
    expect(outcome.lines).toEqual(['failed TF_REQUEST_TIMEOUT', 'end']);
    expect(outcome.exitedBySelf).toBe(true);
    expect(outcome.code).toBe(0);
  }, 60_000);

  it('control: an engine left open after waitForWorkers keeps the process alive', async () => {
    const outcome = await runFixture('no-close', 2_000);
    expect(outcome.lines).toEqual(['workers 0', 'end']);
    expect(outcome.stderr).toBe('');
    expect(outcome.exitedBySelf).toBe(false);
  }, 60_000);
});
