import type { AtomEventDetails, AtomState, CompiledFlow, Failure, FlowEventDetails, FlowState } from '@tf/core';
import { type AtomView, failureView } from './atom-view';
import { flowGraph, type FlowGraph } from './graph-model';
import type { ViewSource, ViewUpdate } from './source';

/** The request events of `@tf/engine`'s worker-based engine (`engine.requestNotifier`), as far as the view reads them. */
export interface RequestEvent {
  readonly atomName: string;
  readonly state: string;
  readonly attempt: number;
  readonly topic?: string;
  readonly worker?: string;
}

/** What the view needs of a notifier (`@tf/core`'s `Notifier`): subscribe to everything, unsubscribe. */
export interface Subscribable<D> {
  on(event: string, listener: (event: string, details: D) => void): () => void;
}

/** What the live view needs of an engine: any `@tf/engine` engine has it. */
export interface ObservedEngine {
  readonly notifier: Subscribable<FlowEventDetails>;
  readonly atomNotifier: Subscribable<AtomEventDetails>;
  /** The worker-based engine's; the others have none. */
  readonly requestNotifier?: Subscribable<RequestEvent>;
  readonly storage: {
    readonly flowName: string;
    readonly flowState: FlowState;
    getStates(): Record<string, AtomState>;
    getFailures(): Record<string, Failure>;
  };
  compile(): CompiledFlow;
}

/**
 * Every field present from the start, cleared by `undefined` (JSON leaves it out), never by
 * `delete`: a deleted property turns the object into a slow dictionary, and an engine event
 * per atom transition and request state must stay a few cheap stores.
 */
function newView(state: string): AtomView {
  return {
    state,
    progress: undefined,
    request: undefined,
    topic: undefined,
    worker: undefined,
    attempt: undefined,
    startedAt: undefined,
    finishedAt: undefined,
    failure: undefined,
  };
}

const FINISHED = new Set(['SUCCESS', 'FAILURE', 'REVERTED', 'REVERT_FAILURE', 'IGNORE']);

/**
 * Follows an engine's notifiers into one view per atom. Each event costs a map look-up and
 * marks its atom changed; the server takes the changes in batches (a page is sent what
 * changed, never everything again).
 */
export class EngineSource implements ViewSource {
  readonly graph: FlowGraph;
  readonly #atoms = new Map<string, AtomView>();
  readonly #changed = new Set<string>();
  readonly #off: (() => void)[] = [];
  #flowState: string;
  #flowChanged = false;
  #listener: (() => void) | undefined;

  constructor(engine: ObservedEngine) {
    this.graph = flowGraph(engine.compile());
    const storage = engine.storage;
    this.#flowState = storage.flowState;
    const failures = storage.getFailures();
    for (const [name, state] of Object.entries(storage.getStates())) {
      const view = newView(state);
      if (failures[name]) view.failure = failureView(failures[name]);
      this.#atoms.set(name, view);
    }
    this.#off.push(engine.atomNotifier.on('*', (event, details) => this.#onAtom(event, details)));
    this.#off.push(engine.notifier.on('*', (_event, details) => this.#onFlow(details)));
    if (engine.requestNotifier) this.#off.push(engine.requestNotifier.on('*', (_event, details) => this.#onRequest(details)));
  }

  onChange(listener: () => void): void {
    this.#listener = listener;
  }

  #view(name: string): AtomView {
    let view = this.#atoms.get(name);
    if (!view) this.#atoms.set(name, (view = newView('PENDING')));
    if (!this.#changed.has(name)) {
      this.#changed.add(name);
      this.#listener?.();
    }
    return view;
  }

  #onAtom(event: string, details: AtomEventDetails): void {
    const view = this.#view(details.atomName);
    if (details.progress !== undefined) {
      view.progress = details.progress;
      return;
    }
    const state = details.state ?? event;
    view.state = state;
    const now = Date.now();
    // startedAt..finishedAt is the execution; a revert afterwards keeps it.
    if (state === 'RUNNING') {
      view.startedAt = now;
      view.finishedAt = undefined;
      view.progress = 0;
      view.failure = undefined;
    } else if (FINISHED.has(state)) {
      if (view.startedAt !== undefined && view.finishedAt === undefined) view.finishedAt = now;
      view.request = undefined;
      if (state === 'SUCCESS') view.progress = 1;
      if (state === 'FAILURE' && details.result !== undefined) view.failure = failureView(details.result);
    } else if (state === 'PENDING') {
      for (const key of ['progress', 'request', 'startedAt', 'finishedAt', 'failure', 'worker', 'topic'] as const) view[key] = undefined;
    }
  }

  #onRequest(details: RequestEvent): void {
    const view = this.#view(details.atomName);
    view.request = details.state;
    view.attempt = details.attempt;
    if (details.topic !== undefined) view.topic = details.topic;
    if (details.worker !== undefined) view.worker = details.worker;
    if (details.state === 'WAITING') {
      view.topic = undefined;
      view.worker = undefined;
    }
  }

  #onFlow(details: FlowEventDetails): void {
    this.#flowState = details.state;
    if (!this.#flowChanged) {
      this.#flowChanged = true;
      this.#listener?.();
    }
  }

  #flow(): ViewUpdate['flow'] {
    return { name: this.graph.name, state: this.#flowState };
  }

  snapshot(): ViewUpdate {
    return { now: Date.now(), flow: this.#flow(), atoms: Object.fromEntries(this.#atoms) };
  }

  takeChanges(): ViewUpdate | undefined {
    if (this.#changed.size === 0 && !this.#flowChanged) return undefined;
    const atoms: Record<string, AtomView> = {};
    for (const name of this.#changed) atoms[name] = this.#atoms.get(name)!;
    this.#changed.clear();
    this.#flowChanged = false;
    return { now: Date.now(), flow: this.#flow(), atoms };
  }

  dispose(): void {
    for (const off of this.#off.splice(0)) off();
  }
}
