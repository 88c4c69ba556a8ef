/**
 * Brands recognise our classes and errors across copies of a package: a user's module and
 * a worker may load different builds (ESM and CJS) or versions, so `instanceof` cannot be
 * trusted. `Symbol.for` returns the same symbol in every copy.
 */
export const ERROR_BRAND = Symbol.for('tf.error');
export const TRANSPORT_BRAND = Symbol.for('tf.transport');

/** True when `value` (an object or a function) carries `brand` on itself or its prototype chain. */
export function hasBrand(value: unknown, brand: symbol): boolean {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  return (value as Record<symbol, unknown>)[brand] === true;
}
