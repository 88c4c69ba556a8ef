import type { AtomState, FlowState } from './states';

/** Details of a flow transition, as given to `engine.notifier` listeners. */
export interface FlowEventDetails {
  flowName: string;
  flowUuid: string;
  oldState: FlowState;
  state: FlowState;
}

/** Details of an atom transition or progress event, as given to `engine.atomNotifier` listeners. */
export interface AtomEventDetails {
  atomName: string;
  atomKind: 'task' | 'retry';
  flowUuid: string;
  /** The new state (absent on progress events). */
  state?: AtomState;
  oldState?: AtomState;
  /** On SUCCESS: the result; on FAILURE: the Failure. */
  result?: unknown;
  /** On progress events (`update_progress`). */
  progress?: number;
  details?: Record<string, unknown>;
}
