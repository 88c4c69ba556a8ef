/** Python TaskFlow processes for the interop tests (scripts in ./python). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PYTHON } from './services';

export const pythonDir = fileURLToPath(new URL('./python/', import.meta.url));
/** No __pycache__ in the source tree. */
const pythonEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1' };

export interface PythonProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** SIGTERM and wait for the exit code (SIGKILL after 10 s). */
  stop(): Promise<number | null>;
}

/** Starts `python/worker.py` (a TaskFlow Worker serving interop_tasks.py) and resolves once it consumes. */
export async function startPythonWorker(
  opts: { url: string; exchange: string; topic: string },
  timeoutMs = 60_000,
): Promise<PythonProcess> {
  const child = spawn(PYTHON, ['-u', `${pythonDir}worker.py`, '--url', opts.url, '--exchange', opts.exchange, '--topic', opts.topic], {
    cwd: pythonDir,
    env: pythonEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      out += `\nspawn error: ${err.message}`;
      resolve(null);
    });
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // nobody will stop it otherwise
      reject(new Error(`the Python worker did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const check = () => {
      if (out.includes('PYWORKER READY')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the Python worker exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        void exited.finally(() => clearTimeout(timer));
      }
      return exited;
    },
  };
}

/** What python/engine.py prints. */
export interface PythonEngineResult {
  ok: boolean;
  raised: string | null;
  results: Record<string, unknown>;
  failures: Record<string, unknown>[];
  progress: { task: string; event: string; details: Record<string, unknown> }[];
  states: [string, string][];
  /** What the Python process logged (level WARNING and up). */
  stderr: string;
}

export interface PythonEngineSpec {
  url: string;
  exchange: string;
  topics: string[];
  transition_timeout?: number;
  store?: Record<string, unknown>;
  flow: {
    kind?: 'linear' | 'unordered';
    name?: string;
    tasks: { cls: string; name: string; provides?: string; rebind?: Record<string, string>; inject?: Record<string, unknown> }[];
  };
}

/** Runs python/engine.py (a worker-based TaskFlow engine) on `spec` to the end and returns what it printed. */
export async function runPythonEngine(spec: PythonEngineSpec, timeoutMs = 90_000): Promise<PythonEngineResult> {
  const child = spawn(PYTHON, ['-u', `${pythonDir}engine.py`, JSON.stringify(spec)], {
    cwd: pythonDir,
    env: pythonEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the Python engine did not finish in ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  const line = stdout.split('\n').find((l) => l.startsWith('PYENGINE RESULT '));
  if (code !== 0 || !line) throw new Error(`the Python engine exited with ${code} without a result:\n${stdout}\n${stderr}`);
  return { ...(JSON.parse(line.slice('PYENGINE RESULT '.length)) as Omit<PythonEngineResult, 'stderr'>), stderr };
}
