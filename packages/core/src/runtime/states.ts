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

/** from -> the states it may go to: looked up without building a string per transition. */
const pairs = (list: ReadonlyArray<readonly [string, string]>): ReadonlyMap<string, ReadonlySet<string>> => {
  const out = new Map<string, Set<string>>();
  for (const [a, b] of list) {
    let to = out.get(a);
    if (!to) out.set(a, (to = new Set()));
    to.add(b);
  }
  return out;
};

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
const ignoredFlowTransitions = pairs(
  ['PENDING', 'FAILURE', 'SUCCESS', 'SUSPENDED', 'REVERTED'].flatMap((a) =>
    ['SUSPENDING', 'SUSPENDED', 'RESUMING'].filter((b) => a !== b).map((b) => [a, b] as const),
  ),
);

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

/** `subject`, or `subject 'name'`: built only when a transition is refused. */
function named(subject: string, name: string | undefined): string {
  return name === undefined ? subject : `${subject} '${name}'`;
}

/**
 * Whether a task may move from `from` to `to`: true when legal, false when it is a
 * no-op (same state); throws InvalidTransitionError otherwise (naming `subject`, and `name`
 * when given).
 */
export function checkTaskTransition(from: AtomState, to: AtomState, subject = 'task', name?: string): boolean {
  if (from === to) return false;
  if (taskTransitions.get(from)?.has(to)) return true;
  throw new InvalidTransitionError(named(subject, name), from, to);
}

/** As checkTaskTransition, for retry controllers (which may also go SUCCESS -> RETRYING -> RUNNING). */
export function checkRetryTransition(from: AtomState, to: AtomState, subject = 'retry', name?: string): boolean {
  if (from === to) return false;
  if (retryTransitions.get(from)?.has(to)) return true;
  throw new InvalidTransitionError(named(subject, name), from, to);
}

/** Whether a flow may move: true when legal, false when TaskFlow ignores it; throws otherwise. */
export function checkFlowTransition(from: FlowState, to: FlowState, subject = 'flow'): boolean {
  if (from === to) return false;
  if (flowTransitions.get(from)?.has(to)) return true;
  if (ignoredFlowTransitions.get(from)?.has(to)) return false;
  throw new InvalidTransitionError(subject, from, to);
}
