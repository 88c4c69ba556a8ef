import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { AtomEventDetails } from '@tf/core';

export const root = fileURLToPath(new URL('..', import.meta.url));

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/**
 * `tf-worker` arguments serving the integration fixtures (`fixtures/tasks.ts`) on `topic` of
 * `exchange`: `transport` first (`--transport amqp --url ...`), `extra` last (`--concurrency 2`).
 */
export function fixtureWorkerArgs(transport: readonly string[], exchange: string, topic: string, extra: readonly string[] = []): string[] {
  return [...transport, '--exchange', exchange, '--topic', topic, '--tasks', './test-integration/fixtures/tasks.ts', ...extra];
}

/**
 * Starts `tf-worker` as a separate OS process (from source, through tsx) and resolves once
 * it printed its banner (it is consuming by then). `env` is added to this process's environment.
 */
export async function startWorker(args: string[], timeoutMs = 30_000, env: Readonly<Record<string, string>> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'packages/worker/src/cli.ts', '--log-level', 'warn', ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // nobody will stop it otherwise
      reject(new Error(`tf-worker did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      if (out.includes('Supported endpoints')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tf-worker exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** What `killAtFirstProgress` saw. */
export interface KillRecord {
  /** The atom the victim was running when it was killed (undefined: it never reported). */
  readonly killedDuring: string | undefined;
  /** The atoms each worker pid reported starting (SlowSquare reports its pid first thing). */
  readonly startedBy: ReadonlyMap<number, ReadonlySet<string>>;
  /** Resolves once the victim has exited. */
  exited(): Promise<void>;
}

/**
 * Kills `victim` with SIGKILL at the first progress event it reports, i.e. in the middle
 * of a task, and records which worker started which atom.
 */
export function killAtFirstProgress(
  engine: { atomNotifier: { on(event: string, listener: (event: string, d: AtomEventDetails) => void): unknown } },
  victim: WorkerProcess,
): KillRecord {
  const startedBy = new Map<number, Set<string>>();
  let killedDuring: string | undefined;
  let killing: Promise<void> = Promise.resolve();
  engine.atomNotifier.on('update_progress', (_event, d) => {
    const pid = d.details?.['pid'];
    if (typeof pid !== 'number') return;
    if (!startedBy.has(pid)) startedBy.set(pid, new Set());
    startedBy.get(pid)!.add(d.atomName);
    if (killedDuring === undefined && pid === victim.pid) {
      killedDuring = d.atomName;
      killing = victim.kill9();
    }
  });
  return {
    get killedDuring() {
      return killedDuring;
    },
    startedBy,
    exited: () => killing,
  };
}

/**
 * Polls `condition` every `intervalMs` until it holds; throws naming `what` after `timeoutMs`
 * (`what` may be a function, for a message that says what was seen last).
 */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string | (() => string | Promise<string>),
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : await what()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
