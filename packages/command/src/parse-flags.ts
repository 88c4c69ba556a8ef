import { type Command, CommanderError } from 'commander';

/**
 * Parses `argv` with `command` (set up with `exitOverride()`): the flags, or the exit code when
 * the command ends here (`--help` and `--version`: 0; a bad flag: 1 after `fail` wrote one line).
 */
export function parseFlags<Flags>(
  command: Command,
  argv: readonly string[],
  fail: (error: unknown) => number,
): { flags: Flags } | { exitCode: number } {
  try {
    command.parse([...argv], { from: 'user' });
    return { flags: command.opts<Flags & Record<string, unknown>>() };
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return { exitCode: 0 };
      return { exitCode: fail(error.message.replace(/^error:\s*/, '')) };
    }
    return { exitCode: fail(error) };
  }
}
