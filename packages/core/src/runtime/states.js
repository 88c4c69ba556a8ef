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
};
const pairs = (list) => new Set(list.map(([a, b]) => `${a}>${b}`));
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
];
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
const ignoredFlowTransitions = new Set();
for (const a of ['PENDING', 'FAILURE', 'SUCCESS', 'SUSPENDED', 'REVERTED']) {
    for (const b of ['SUSPENDING', 'SUSPENDED', 'RESUMING'])
        if (a !== b)
            ignoredFlowTransitions.add(`${a}>${b}`);
}
/** An atom or flow asked to move along a transition TaskFlow does not allow. */
export class InvalidTransitionError extends InvalidStateError {
    from;
    to;
    subject;
    constructor(subject, from, to) {
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
export function checkTaskTransition(from, to, subject = 'task') {
    if (from === to)
        return false;
    if (taskTransitions.has(`${from}>${to}`))
        return true;
    throw new InvalidTransitionError(subject, from, to);
}
/** As checkTaskTransition, for retry controllers (which may also go SUCCESS -> RETRYING -> RUNNING). */
export function checkRetryTransition(from, to, subject = 'retry') {
    if (from === to)
        return false;
    if (retryTransitions.has(`${from}>${to}`))
        return true;
    throw new InvalidTransitionError(subject, from, to);
}
/** Whether a flow may move: true when legal, false when TaskFlow ignores it; throws otherwise. */
export function checkFlowTransition(from, to, subject = 'flow') {
    if (from === to)
        return false;
    const key = `${from}>${to}`;
    if (flowTransitions.has(key))
        return true;
    if (ignoredFlowTransitions.has(key))
        return false;
    throw new InvalidTransitionError(subject, from, to);
}
//# sourceMappingURL=states.js.map