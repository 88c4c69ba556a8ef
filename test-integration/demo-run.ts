/** Runs the Mandelbrot demo (examples/mandelbrot/main.ts) as a separate process, for the demo tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { root } from './helpers';

export interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From spawn to exit. */
  ms: number;
}

export interface DemoRunOptions {
  /** The demo's TMPDIR: where it creates its `tf-mandelbrot-*` folder (a private one per test file). */
  tmp: string;
  /** Called on every stdout chunk with everything so far, and the demo process (to signal it). */
  onStdout?: (stdout: string, child: ChildProcess) => void;
  /** The demo is SIGKILLed and the promise rejects after this long. */
  timeoutMs?: number;
}

/** Spawns `node --import tsx examples/mandelbrot/main.ts ...args` from the repository root. */
export function runDemo(args: readonly string[], options: DemoRunOptions): Promise<DemoRun> {
  const { tmp, onStdout, timeoutMs = 90_000 } = options;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/mandelbrot/main.ts', ...args], {
      cwd: root,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the demo did not exit within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout?.(stdout, child);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** The demo's queue folders in `tmp`. */
export function queueFolders(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('tf-mandelbrot-'));
}

/** The worker pids the demo prints (`  tf-worker pids: 123, 456`), once it has. */
export function workerPids(stdout: string): number[] | undefined {
  const m = /tf-worker pids: ([\d, ]+)\n/.exec(stdout);
  return m ? m[1]!.split(',').map((p) => Number(p.trim())) : undefined;
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
