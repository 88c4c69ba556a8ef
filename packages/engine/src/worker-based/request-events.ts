import type { RequestState } from './request-book';

/** The event `requestNotifier` sends: a request changed state on the engine side. */
export const REQUEST_STATE_EVENT = 'request_state';

/**
 * Where a task's request is: WAITING for a worker (again, after a re-dispatch), PENDING on
 * a topic, RUNNING on a worker. Its end (SUCCESS, FAILURE) is the atom's transition on
 * `engine.atomNotifier`.
 */
export interface RequestEventDetails {
  readonly atomName: string;
  readonly taskName: string;
  readonly state: Extract<RequestState, 'WAITING' | 'PENDING' | 'RUNNING'>;
  /** 1 for the first send; one more per re-dispatch. */
  readonly attempt: number;
  /** The topic it was sent to (PENDING, RUNNING). */
  readonly topic?: string;
  /** The tf worker id that said it runs it (RUNNING; absent for a Python worker). */
  readonly worker?: string;
  /** Why it waits again (WAITING after a re-dispatch). */
  readonly reason?: string;
}
