import type { AtomNode } from '../compiler/types';
import type { AtomEventDetails, FlowEventDetails } from './events';
import type { Notifier } from './notifier';
import { type AtomState, type FlowState } from './states';
import type { Storage } from './storage';
/** State changes of the flow and its atoms, checked, stored and announced to the notifiers' listeners. */
export declare class Transitions {
    private readonly storage;
    private readonly notifier;
    private readonly atomNotifier;
    constructor(storage: Storage, notifier: Notifier<FlowEventDetails>, atomNotifier: Notifier<AtomEventDetails>);
    /** Moves an atom to `state` (ignored when the transition is not legal); `result` goes to listeners. */
    changeState(node: AtomNode, state: AtomState, result?: unknown): void;
    /** Records a task's progress and announces it. */
    progress(node: AtomNode, progress: number, details: Record<string, unknown> | undefined): void;
    /** Moves the flow to `state` (ignored when the transition is not legal). */
    setFlowState(state: FlowState): void;
}
