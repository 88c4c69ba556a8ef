import { errorMessage } from './error-message';

/** Where a command writes: its context's functions, or the process's streams. */
export interface CommandIoContext {
  stdout?: ((text: string) => void) | undefined;
  stderr?: ((text: string) => void) | undefined;
}

/** The command's stdout and stderr, and `fail`: one line `<name>: <error>` on stderr, returning exit code 1. */
export function commandIo(name: string, context: CommandIoContext) {
  const stdout = context.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = context.stderr ?? ((text: string) => void process.stderr.write(text));
  const fail = (error: unknown): number => {
    stderr(`${name}: ${errorMessage(error)}\n`);
    return 1;
  };
  return { stdout, stderr, fail };
}
