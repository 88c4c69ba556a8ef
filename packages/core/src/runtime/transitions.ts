import type { AtomNode } from '../compiler/types';
import { PROGRESS_EVENT } from '../protocol/constants';
import type { AtomEventDetails, FlowEventDetails } from './events';
import type { Notifier } from './notifier';
import { checkFlowTransition, checkRetryTransition, checkTaskTransition, type AtomState, type FlowState } from './states';
import type { Storage } from './storage';

/** State changes of the flow and its atoms, checked, stored and announced to the notifiers' listeners. */
export class Transitions {
  constructor(
    private readonly storage: Storage,
    private readonly notifier: Notifier<FlowEventDetails>,
    private readonly atomNotifier: Notifier<AtomEventDetails>,
  ) {}

  /** Moves an atom to `state` (ignored when the transition is not legal); `result` goes to listeners. */
  changeState(node: AtomNode, state: AtomState, result?: unknown): void {
    const old = this.storage.getState(node.name);
    const legal =
      node.kind === 'retry' ? checkRetryTransition(old, state, 'retry', node.name) : checkTaskTransition(old, state, 'task', node.name);
    if (!legal) return;
    this.storage.setState(node.name, state);
    if (this.atomNotifier.hasListeners) {
      const details: AtomEventDetails = {
        atomName: node.name,
        atomKind: node.kind,
        flowUuid: this.storage.flowUuid,
        state,
        oldState: old,
      };
      if (result !== undefined) details.result = result;
      this.atomNotifier.notify(state, details);
    }
  }

  /** Records a task's progress and announces it. */
  progress(node: AtomNode, progress: number, details: Record<string, unknown> | undefined): void {
    this.storage.setProgress(node.name, progress);
    if (!this.atomNotifier.hasListeners) return;
    const event: AtomEventDetails = { atomName: node.name, atomKind: node.kind, flowUuid: this.storage.flowUuid, progress };
    if (details !== undefined) event.details = details;
    this.atomNotifier.notify(PROGRESS_EVENT, event);
  }

  /** Moves the flow to `state` (ignored when the transition is not legal). */
  setFlowState(state: FlowState): void {
    const old = this.storage.flowState;
    if (!checkFlowTransition(old, state, `flow '${this.storage.flowName}'`)) return;
    this.storage.setFlowState(state);
    this.notifier.notify(state, { flowName: this.storage.flowName, flowUuid: this.storage.flowUuid, oldState: old, state });
  }
}
