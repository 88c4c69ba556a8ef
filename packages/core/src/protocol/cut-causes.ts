import { truncateFailureCauses } from '../failure/truncate';

type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Sets an own property, even one named `__proto__` (a plain assignment would change the prototype). */
function put(target: Dict | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

function cut(target: Dict | unknown[], key: string | number): void {
  const dict = (target as Record<string | number, unknown>)[key];
  const shorter = truncateFailureCauses(dict);
  if (shorter !== dict) put(target, key, shorter);
}

/**
 * Truncates the failure dicts' cause chains in a freshly parsed body, in place, where the
 * protocol carries failures: a FAILURE response's `data.result`, a revert request's
 * `result[1]` and `failures`. Anything malformed is left for the schema to reject.
 */
export function cutFailureCauses(type: 'NOTIFY' | 'REQUEST' | 'RESPONSE', body: unknown): void {
  if (!isDict(body)) return;
  if (type === 'RESPONSE') {
    const data = Object.hasOwn(body, 'data') ? body['data'] : undefined;
    if (body['state'] === 'FAILURE' && isDict(data) && Object.hasOwn(data, 'result')) cut(data, 'result');
    return;
  }
  if (type !== 'REQUEST') return;
  const result = Object.hasOwn(body, 'result') ? body['result'] : undefined;
  if (Array.isArray(result) && result[0] === 'failure' && result.length > 1) cut(result, 1);
  const failures = Object.hasOwn(body, 'failures') ? body['failures'] : undefined;
  if (isDict(failures)) for (const name of Object.keys(failures)) cut(failures, name);
}
