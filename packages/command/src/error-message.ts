/** Text on one line: a command's errors are one line on stderr. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** An error as one line, led by its `TF_` code when it has one. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const prefix = typeof code === 'string' && code.startsWith('TF_') ? `${code}: ` : '';
    return oneLine(prefix + error.message);
  }
  return oneLine(String(error));
}
