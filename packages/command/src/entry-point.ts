import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { errorMessage } from './error-message';

/** True when the module at `moduleUrl` (its `import.meta.url`) is the script node was started with. */
export function isEntryPoint(moduleUrl: string): boolean {
  const entry = process.argv[1];
  if (entry === undefined || entry === '') return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(moduleUrl));
  } catch {
    return false;
  }
}

/** When `moduleUrl` is the entry point: runs `main` and exits with its code (1, with one line on stderr, if it throws). */
export function runIfEntryPoint(moduleUrl: string, name: string, main: () => Promise<number>): void {
  if (!isEntryPoint(moduleUrl)) return;
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${name}: ${errorMessage(error)}\n`);
      process.exit(1);
    },
  );
}
