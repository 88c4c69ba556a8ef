import type { AtomRecord, FlowRecord } from '@tf/core';
import { Failure } from '@tf/core';

export function flowRecord(uuid: string, overrides: Partial<FlowRecord> = {}): FlowRecord {
  return { uuid, name: 'conformance-flow', state: 'RUNNING', store: { x: 1, nested: { list: [1, 'two', null] } }, ...overrides };
}

export function taskRecord(name: string, overrides: Partial<AtomRecord> = {}): AtomRecord {
  return { name, kind: 'task', state: 'PENDING', intention: 'EXECUTE', progress: 0, ...overrides };
}

/** A failure with a cause chain (an Error with `cause`), as the runtime captures it. */
export function failureWithCauses(message = 'card declined'): Failure {
  const root = new RangeError('limit exceeded');
  const middle = new TypeError('gateway said no', { cause: root });
  return Failure.fromError(new Error(message, { cause: middle }));
}
