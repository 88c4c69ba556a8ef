/** Starts tf-worker processes for benchmarks (from source, through tsx). */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));

export async function startWorkers(count: number, args: string[]): Promise<{ stop(): Promise<void>; pids: number[] }> {
  const children: ChildProcess[] = [];
  await Promise.all(
    Array.from({ length: count }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'packages/worker/src/cli.ts', '--log-level', 'warn', ...args], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
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
    stop: async () => {
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
    },
  };
}
