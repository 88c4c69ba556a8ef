import { TfError } from '../errors';

/**
 * How deep a message body may nest (arrays and objects, the body itself being level 1).
 * Checked without recursion when a message is decoded and when a body is encoded, so a
 * hostile or runaway value can neither overflow the stack nor cost a deep walk later.
 */
export const MAX_NESTING_DEPTH = 64;

/** A value nested deeper than `MAX_NESTING_DEPTH`: it is not sent (`TF_NESTING_TOO_DEEP`). */
export class NestingTooDeepError extends TfError {
  readonly limit: number;
  constructor(limit: number) {
    super('TF_NESTING_TOO_DEEP', `Value cannot be sent: it nests deeper than ${limit} levels of arrays and objects.`);
    this.limit = limit;
  }
}

/** True when JSON `text` nests deeper than `limit` (a scan that skips strings; `text` is assumed to be JSON). */
export function jsonTextTooDeep(text: string, limit: number = MAX_NESTING_DEPTH): boolean {
  if (text.length <= limit * 2) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** True when a parsed JSON value nests deeper than `limit`; iterative, so any depth is safe to ask about. */
export function valueTooDeep(value: unknown, limit: number = MAX_NESTING_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: { value: object; depth: number }[] = [{ value, depth: 1 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (top.depth > limit) return true;
    const children: unknown[] = Array.isArray(top.value) ? top.value : Object.values(top.value);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push({ value: child, depth: top.depth + 1 });
    }
  }
  return false;
}
