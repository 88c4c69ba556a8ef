/**
 * The first reason `value` is not a JSON value, with its path, or undefined when it is one.
 * Plain objects, arrays, strings, finite numbers, booleans and null are; `undefined` object
 * properties are dropped as JSON.stringify drops them, and `undefined` array items become null.
 */
export function findNonJson(value: unknown, path: string): { path: string; problem: string } | undefined {
  const seen = new Set<object>();
  const visit = (v: unknown, at: string): { path: string; problem: string } | undefined => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
      case 'undefined':
        return undefined;
      case 'number':
        return Number.isFinite(v) ? undefined : { path: at, problem: `${v} (not a finite number)` };
      case 'bigint':
        return { path: at, problem: 'a bigint' };
      case 'function':
        return { path: at, problem: 'a function' };
      case 'symbol':
        return { path: at, problem: 'a symbol' };
    }
    if (v === null) return undefined;
    const object = v as object;
    if (seen.has(object)) return { path: at, problem: 'a circular reference' };
    const proto = Object.getPrototypeOf(object) as object | null;
    if (Array.isArray(object)) {
      seen.add(object);
      for (let i = 0; i < object.length; i++) {
        const found = visit(object[i], `${at}[${i}]`);
        if (found) return found;
      }
      seen.delete(object);
      return undefined;
    }
    if (proto !== Object.prototype && proto !== null) {
      const name = (object as { constructor?: { name?: string } }).constructor?.name ?? 'object';
      return { path: at, problem: `a ${name} (not a plain object)` };
    }
    seen.add(object);
    for (const [key, item] of Object.entries(object)) {
      const found = visit(item, `${at}.${key}`);
      if (found) return found;
    }
    seen.delete(object);
    return undefined;
  };
  return visit(value, path);
}
