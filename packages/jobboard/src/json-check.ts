/** How deep job details and outcomes may nest (arrays and objects; the value itself is level 1). */
export const MAX_JSON_DEPTH = 64;

/**
 * The first reason `value` is not a JSON value of at most `maxDepth` levels, with its path, or
 * undefined when it is one. Plain objects, arrays, strings, finite numbers, booleans and null
 * are; `undefined` object properties are dropped as JSON.stringify drops them. The walk stops
 * at `maxDepth`, so any value is safe to ask about.
 */
export function findNonJson(value: unknown, path: string, maxDepth = MAX_JSON_DEPTH): { path: string; problem: string } | undefined {
  const seen = new Set<object>();
  const visit = (v: unknown, at: string, depth: number): { path: string; problem: string } | undefined => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
      case 'undefined':
        return undefined;
      case 'number':
        return Number.isFinite(v) ? undefined : { path: at, problem: `is ${v} (not a finite number)` };
      case 'bigint':
        return { path: at, problem: 'is a bigint' };
      case 'function':
        return { path: at, problem: 'is a function' };
      case 'symbol':
        return { path: at, problem: 'is a symbol' };
    }
    if (v === null) return undefined;
    if (depth > maxDepth) return { path: at, problem: `nests deeper than ${maxDepth} levels` };
    const object = v as object;
    if (seen.has(object)) return { path: at, problem: 'is a circular reference' };
    seen.add(object);
    let found: { path: string; problem: string } | undefined;
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length && !found; i++) found = visit(object[i], `${at}[${i}]`, depth + 1);
    } else {
      const proto = Object.getPrototypeOf(object) as object | null;
      if (proto !== Object.prototype && proto !== null) {
        const name = (object as { constructor?: { name?: string } }).constructor?.name ?? 'object';
        found = { path: at, problem: `is a ${name} (not a plain object)` };
      } else {
        for (const [key, item] of Object.entries(object)) {
          found = visit(item, `${at}.${key}`, depth + 1);
          if (found) break;
        }
      }
    }
    seen.delete(object);
    return found;
  };
  return visit(value, path, 1);
}

/** True for a plain object (not an array, not a class instance). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === Object.prototype || proto === null;
}
