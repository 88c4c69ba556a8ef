import { InvalidStateError } from '../errors';

/** The states an atom (task or retry) and a flow pass through, as TaskFlow names them. */
export const States = {
  PENDING: 'PENDING',
  RUNNING: 'RUNNING',
  SUCCESS: 'SUCCESS',
  FAILURE: 'FAILURE',
  REVERTING: 'REVERTING',
  REVERTED: 'REVERTED',
  REVERT_FAILURE: 'REVERT_FAILURE',
  RETRYING: 'RETRYING',
  IGNORE: 'IGNORE',
  SUSPENDING: 'SUSPENDING',
  SUSPENDED: 'SUSPENDED',
  RESUMING: 'RESUMING',
} as const;

export type AtomState = 'PENDING' | 'RUNNING' | 'SUCCESS' | 'FAILURE' | 'REVERTING' | 'REVERTED' | 'REVERT_FAILURE' | 'RETRYING' | 'IGNORE';

export type FlowState = 'PENDING' | 'RUNNING' | 'SUCCESS' | 'FAILURE' | 'REVERTED' | 'SUSPENDING' | 'SUSPENDED' | 'RESUMING';

/** What the runtime means to do next with an atom. */
export type Intention = 'EXECUTE' | 'REVERT' | 'RETRY' | 'IGNORE';

const pairs = (list: ReadonlyArray<readonly [string, string]>) => new Set(list.map(([a, b]) => `${a}>${b}`));

const TASK_TRANSITIONS = [
  ['PENDING', 'RUNNING'],
  ['PENDING', 'IGNORE'],
  ['RUNNING', 'SUCCESS'],
  ['RUNNING', 'FAILURE'],
  ['FAILURE', 'REVERTING'],
  ['SUCCESS', 'REVERTING'],
  ['REVERTING', 'REVERTED'],
  ['REVERTING', 'REVERT_FAILURE'],
  ['REVERTED', 'PENDING'],
  ['IGNORE', 'PENDING'],
] as const;

const taskTransitions = pairs(TASK_TRANSITIONS);
const retryTransitions = pairs([...TASK_TRANSITIONS, ['SUCCESS', 'RETRYING'], ['RETRYING', 'RUNNING']]);

const flowTransitions = pairs([
  ['PENDING', 'RUNNING'],
  ['RUNNING', 'SUCCESS'],
  ['RUNNING', 'FAILURE'],
  ['RUNNING', 'REVERTED'],
  ['RUNNING', 'SUSPENDING'],
  ['RUNNING', 'RESUMING'],
  ['SUCCESS', 'RUNNING'],
  ['FAILURE', 'RUNNING'],
  ['REVERTED', 'PENDING'],
  ['SUCCESS', 'PENDING'],
  ['SUSPENDING', 'SUSPENDED'],
  ['SUSPENDING', 'SUCCESS'],
  ['SUSPENDING', 'FAILURE'],
  ['SUSPENDING', 'REVERTED'],
  ['SUSPENDING', 'RESUMING'],
  ['SUSPENDED', 'RUNNING'],
  ['RESUMING', 'SUSPENDED'],
]);
const ignoredFlowTransitions = new Set<string>();
for (const a of ['PENDING', 'FAILURE', 'SUCCESS', 'SUSPENDED', 'REVERTED']) {
  for (const b of ['SUSPENDING', 'SUSPENDED', 'RESUMING']) if (a !== b) ignoredFlowTransitions.add(`${a}>${b}`);
}

/** An atom or flow asked to move along a transition TaskFlow does not allow. */
export class InvalidTransitionError extends InvalidStateError {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  constructor(subject: string, from: string, to: string) {
    super(`${subject} cannot go from ${from} to ${to}`);
    this.subject = subject;
    this.from = from;
    this.to = to;
  }
}

/**
 * Whether a task may move from `from` to `to`: true when legal, false when it is a
 * no-op (same state); throws InvalidTransitionError otherwise.
 */
export function checkTaskTransition(from: AtomState, to: AtomState, subject = 'task'): boolean {
  if (from === to) return false;
  if (taskTransitions.has(`${from}>${to}`)) return true;
  throw new InvalidTransitionError(subject, from, to);
}

/** As checkTaskTransition, for retry controllers (which may also go SUCCESS -> RETRYING -> RUNNING). */
export function checkRetryTransition(from: AtomState, to: AtomState, subject = 'retry'): boolean {
  if (from === to) return false;
  if (retryTransitions.has(`${from}>${to}`)) return true;
  throw new InvalidTransitionError(subject, from, to);
}

/** Whether a flow may move: true when legal, false when TaskFlow ignores it; throws otherwise. */
export function checkFlowTransition(from: FlowState, to: FlowState, subject = 'flow'): boolean {
  if (from === to) return false;
  const key = `${from}>${to}`;
  if (flowTransitions.has(key)) return true;
  if (ignoredFlowTransitions.has(key)) return false;
  throw new InvalidTransitionError(subject, from, to);
}
