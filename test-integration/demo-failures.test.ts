/**
 * The demo fails fast and cleanly: a bad flag, an unreachable broker, a worker that dies
 * mid-flow and a signal each end the demo within seconds with a non-zero code and a clear
 * message, with its worker processes gone and no `tf-mandelbrot-*` folder left behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, queueFolders, runDemo, workerPids } from './demo-run';

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tf-demo-fail-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Enough bands that the flow is still running seconds after the first one finished. */
const LONG_RUN = ['--width', '2400', '--bands', '300'];

describe('the demo refuses bad flags before starting anything', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown transport', ['--transport', 'amqpp'], /argument 'amqpp' is invalid\. Allowed choices are filesystem, amqp, redis/],
    ['--url with the filesystem transport', ['--url', 'redis://127.0.0.1:6379'], /--url is for --transport amqp, redis or nats/],
    [
      'a URL of another transport',
      ['--transport', 'redis', '--url', 'amqp://guest:guest@127.0.0.1:5672//'],
      /does not fit --transport redis: expected redis:\/\/ or rediss:\/\//,
    ],
    ['a URL that is not one', ['--transport', 'amqp', '--url', 'rabbit'], /--url rabbit is not a URL/],
    ['zero workers', ['--workers', '0'], /'--workers <n>' argument '0' is invalid/],
  ];
  it.each(cases)('%s: exit 1 within 10 s, one error line, no worker, no folder', async (_name, args, message) => {
    const run = await runDemo(args, { tmp, timeoutMs: 30_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(run.ms).toBeLessThan(10_000);
    expect(run.stderr.trim().split('\n'), run.stderr).toHaveLength(1);
    expect(run.stderr).toMatch(/^error: /);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe(''); // never got as far as "Rendering ..."
    expect(queueFolders(tmp)).toEqual([]);
  });
});

describe('the demo fails fast when the broker is unreachable (workers exit, the engine cannot connect)', () => {
  // Port 1: nothing listens, so the engine and both tf-workers give up after their 3 retries.
  const cases: [string, string[]][] = [
    ['amqp', ['--transport', 'amqp', '--url', 'amqp://guest:guest@127.0.0.1:1//']],
    ['redis', ['--transport', 'redis', '--url', 'redis://127.0.0.1:1']],
  ];
  it.each(cases)('%s: exit 1 within seconds (not after the 60 s wait for workers), workers gone, no folder', async (name, args) => {
    const run = await runDemo([...args, '--width', '200', '--bands', '4', '--output', join(tmp, 'never.png')], { tmp, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(1);
    expect(run.ms, run.stderr).toBeLessThan(20_000);
    // Whichever notices first: the engine's connection error, or a worker's exit with its last stderr line.
    expect(run.stderr).toMatch(
      new RegExp(
        `^Demo failed: (TF_TRANSPORT_CONNECTION_FAILED: Transport '${name}' could not connect|TF_DEMO_WORKER_EXITED: tf-worker \\d \\(pid \\d+\\) exited with code 1 before the flow finished: tf-worker: TF_TRANSPORT_CONNECTION_FAILED)`,
        'm',
      ),
    );
    expect(run.stderr).toContain('127.0.0.1:1');
    const pids = workerPids(run.stdout);
    expect(pids).toHaveLength(2);
    for (const pid of pids!) expect(alive(pid), `tf-worker ${pid} outlived the demo`).toBe(false);
    expect(queueFolders(tmp)).toEqual([]);
  });
});

describe('the demo watches its workers and the signals it gets', () => {
  it('stops and exits 1 within seconds when a worker is killed mid-flow, naming it; the other worker and the folder are gone', async () => {
    let victim: number | undefined;
    let foldersBeforeKill: string[] = [];
    let killedAt = 0;
    const run = await runDemo([...LONG_RUN, '--output', join(tmp, 'never.png')], {
      tmp,
      onStdout: (stdout) => {
        const pids = workerPids(stdout);
        if (victim === undefined && pids && /band\d+ rows/.test(stdout)) {
          foldersBeforeKill = queueFolders(tmp);
          victim = pids[0]!;
          killedAt = performance.now();
          process.kill(victim, 'SIGKILL');
        }
      },
    });
    const afterKill = performance.now() - killedAt;
    expect(victim, run.stdout + run.stderr).toBeDefined();
    expect(run.code, run.stderr).toBe(1);
    expect(afterKill, run.stderr).toBeLessThan(15_000);
    expect(run.stderr).toMatch(
      new RegExp(
        `^Demo failed: TF_DEMO_WORKER_EXITED: tf-worker 1 \\(pid ${victim}\\) was killed by SIGKILL before the flow finished`,
        'm',
      ),
    );
    expect(run.stdout).not.toContain('Wrote '); // the flow did not finish
    const pids = workerPids(run.stdout)!;
    for (const pid of pids) expect(alive(pid), `tf-worker ${pid} outlived the demo`).toBe(false);
    expect(foldersBeforeKill).toHaveLength(1);
    expect(queueFolders(tmp)).toEqual([]);
  });

  it('exits 130 on SIGINT mid-flow, after stopping its workers and removing its folder', async () => {
    let signalled = false;
    let foldersBeforeSignal: string[] = [];
    let signalledAt = 0;
    const run = await runDemo([...LONG_RUN, '--output', join(tmp, 'never.png')], {
      tmp,
      onStdout: (stdout, child) => {
        if (!signalled && /band\d+ rows/.test(stdout)) {
          signalled = true;
          foldersBeforeSignal = queueFolders(tmp);
          signalledAt = performance.now();
          child.kill('SIGINT');
        }
      },
    });
    expect(signalled, run.stdout + run.stderr).toBe(true);
    expect(run.code, run.stderr).toBe(130);
    expect(performance.now() - signalledAt).toBeLessThan(15_000);
    expect(run.stderr).toMatch(/^Demo failed: TF_DEMO_INTERRUPTED: interrupted by SIGINT/m);
    for (const pid of workerPids(run.stdout)!) expect(alive(pid), `tf-worker ${pid} outlived the demo`).toBe(false);
    expect(foldersBeforeSignal).toHaveLength(1);
    expect(queueFolders(tmp)).toEqual([]);
  });
});
