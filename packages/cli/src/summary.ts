import { Failure } from '@tf/core';

/** A value in one line of at most `max` characters (JSON, cut with an ellipsis). */
export function summarise(value: unknown, max = 60): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  text = text.replace(/\s+/g, ' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Text in one line of at most `max` characters. */
export function oneLine(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** A failure and its causes, one line each: `TypeError: message`, indented per cause depth. */
export function failureLines(failure: unknown, indent: string): string[] {
  if (!Failure.is(failure)) return [`${indent}${summarise(failure)}`];
  const lines: string[] = [];
  const visit = (f: Failure, depth: number) => {
    const prefix = depth === 0 ? '' : 'caused by ';
    lines.push(`${indent}${'  '.repeat(depth)}${prefix}${f.excTypeNames[0] ?? 'Error'}: ${oneLine(f.exceptionStr)}`);
    for (const cause of f.causes) visit(cause, depth + 1);
  };
  visit(failure, 0);
  return lines;
}

/** Rows as aligned columns. */
export function table(rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    `${indent}${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}`.trimEnd(),
  );
}
