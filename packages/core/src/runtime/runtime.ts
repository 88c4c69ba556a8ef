import type { RetryNode, TaskNode, AtomNode, CompiledFlow, ExecNode, EdgeDecider } from '../compiler/types';

/** An atom node, or a join node. */
type AnyNode = ExecNode | AtomNode;
import type { DeciderDepth } from '../patterns/flow';
import { Decision } from '../atoms/retry';
import { Failure, WrappedFailure } from '../failure/failure';
import type { Logger } from '../logger';
import { isPromiseLike, type TaskExecutor } from './executor';
import type { Notifier } from './notifier';
import type { Storage } from './storage';
import { checkFlowTransition, checkRetryTransition, checkTaskTransition, type AtomState, type FlowState, type Intention } from './states';

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

/** The event type of progress reports on `engine.atomNotifier` (TaskFlow's). */
export const PROGRESS_EVENT = 'update_progress';

/** What the scheduler loop passes through; the last one yielded is the flow's final state. */
export type MachineState = 'RESUMING' | 'SCHEDULING' | 'WAITING' | 'ANALYZING' | FlowState;

export interface RuntimeStatistics {
  /** Atoms executed or reverted to completion. */
  completed: number;
  /** Failures resolved by reverting or retrying. */
  discardedFailures: number;
  /** Run time of the last run, in milliseconds. */
  activeForMs: number;
}

export interface RuntimeOptions {
  compiled: CompiledFlow;
  storage: Storage;
  executor: TaskExecutor;
  notifier: Notifier<FlowEventDetails>;
  atomNotifier: Notifier<AtomEventDetails>;
  /** Most atoms running at once (1 = serial). */
  maxConcurrency: number;
  logger: Logger;
}

type Job = 'execute' | 'revert';

interface Completion {
  node: AtomNode;
  job: Job;
  ok: boolean;
  value: unknown;
}

type Resolution =
  | { kind: 'UNDEFINED' }
  | { kind: 'REVERT_ALL' }
  | { kind: 'REVERT'; retry: RetryNode }
  | { kind: 'RETRY'; retry: RetryNode };

const DEPTH_WIDTH: Record<DeciderDepth, number> = { ATOM: 0, NEIGHBORS: 1, FLOW: 2, ALL: 3 };
/** Synchronous completions in a row before the loop yields to the event loop. */
const SYNC_BURST = 512;

/**
 * The scheduler: runs every atom whose inputs are ready, reverts in reverse dependency
 * order on failure, asks retry controllers what to do, applies deciders. It is the same
 * for every engine; only the executor differs.
 *
 * Readiness is kept by counters, so a run costs time linear in atoms + edges:
 * `execPending[n]` counts predecessors of node `n` that are not done (an atom is done
 * when it SUCCEEDED or was IGNORED with an execute intention; a join node when all its
 * predecessors are); `revPending[n]` counts successors that are not clear (an atom is
 * clear when PENDING, REVERTED or IGNORED and everything after it is clear). An atom may
 * execute when its `execPending` is 0, and revert when its `revPending` is 0.
 */
export class Runtime {
  readonly #compiled: CompiledFlow;
  readonly #storage: Storage;
  readonly #executor: TaskExecutor;
  readonly #notifier: Notifier<FlowEventDetails>;
  readonly #atomNotifier: Notifier<AtomEventDetails>;
  readonly #max: number;
  readonly #logger: Logger;
  readonly #nodes: readonly ExecNode[];

  #execPending: Int32Array;
  #revPending: Int32Array;
  #done: Uint8Array;
  #clear: Uint8Array;
  #readyExec: ReadyQueue;
  #readyRevert: ReadyQueue;
  #running = 0;
  #inbox: Completion[] = [];
  #wake: (() => void) | undefined;
  /** Failures no strategy resolves (a revert that failed, a broken listener-free internal error). */
  #failures: Failure[] = [];
  #forwardCache = new Map<number, AtomNode[]>();
  readonly statistics: RuntimeStatistics = { completed: 0, discardedFailures: 0, activeForMs: 0 };

  constructor(options: RuntimeOptions) {
    this.#compiled = options.compiled;
    this.#storage = options.storage;
    this.#executor = options.executor;
    this.#notifier = options.notifier;
    this.#atomNotifier = options.atomNotifier;
    this.#max = Math.max(1, Math.floor(options.maxConcurrency));
    this.#logger = options.logger;
    this.#nodes = options.compiled.nodes;
    const n = this.#nodes.length;
    this.#execPending = new Int32Array(n);
    this.#revPending = new Int32Array(n);
    this.#done = new Uint8Array(n);
    this.#clear = new Uint8Array(n);
    this.#readyExec = new ReadyQueue(options.compiled.atoms.length);
    this.#readyRevert = new ReadyQueue(options.compiled.atoms.length);
  }

  /** Asks the run to stop scheduling new atoms; running ones finish and the flow ends SUSPENDED. */
  suspend(): void {
    const state = this.#storage.flowState;
    if (state === 'RUNNING') this.#setFlowState('SUSPENDING');
  }

  /** Runs the flow, yielding the machine's states; the last is the flow's final state. Throws on failure. */
  async *run(): AsyncGenerator<MachineState, void, undefined> {
    const started = performance.now();
    this.#failures = [];
    this.#inbox = [];
    this.#running = 0;
    this.#prepareFlowForRun();
    yield 'RESUMING';
    this.#initialise();
    try {
      for (;;) {
        yield 'SCHEDULING';
        await this.#schedule();
        if (this.#running === 0 && this.#inbox.length === 0) break;
        yield 'WAITING';
        if (this.#inbox.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
        yield 'ANALYZING';
        while (this.#inbox.length > 0) await this.#complete(this.#inbox.shift()!);
      }
    } catch (error) {
      this.#failures.push(Failure.fromError(error));
      this.#logger.error({ err: error }, 'scheduler failed');
      await this.#drain();
    }
    const final = this.#gameOver();
    this.statistics.activeForMs = performance.now() - started;
    this.#setFlowState(final);
    yield final;
    this.#raiseFor(final);
  }

  // --- set-up -----------------------------------------------------------------------

  #prepareFlowForRun(): void {
    const state = this.#storage.flowState;
    if (state === 'REVERTED') {
      this.#setFlowState('PENDING');
      for (const node of this.#compiled.atoms) {
        this.#storage.setState(node.name, 'PENDING');
        this.#storage.setIntention(node.name, 'EXECUTE');
        if (node.kind === 'retry') this.#storage.clearHistory(node.name);
      }
    }
    this.#setFlowState('RUNNING');
    // Atoms left mid-flight by an earlier run that stopped abruptly start over.
    for (const node of this.#compiled.atoms) {
      const s = this.#storage.getState(node.name);
      if (s === 'RUNNING') this.#storage.setState(node.name, 'PENDING');
      else if (s === 'REVERTING') this.#storage.setState(node.name, 'FAILURE');
    }
  }

  /** Computes every counter from the stored states (a fresh run and a resumed one alike). */
  #initialise(): void {
    const nodes = this.#nodes;
    for (const node of nodes) {
      let pending = 0;
      for (const e of node.in) if (!this.#done[e.from.id]) pending++;
      this.#execPending[node.id] = pending;
      this.#done[node.id] = this.#isDone(node) ? 1 : 0;
    }
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i]!;
      let pending = 0;
      for (const e of node.out) if (!this.#clear[e.to.id]) pending++;
      this.#revPending[node.id] = pending;
      this.#clear[node.id] = this.#isClear(node) ? 1 : 0;
    }
    this.#readyExec = new ReadyQueue(this.#compiled.atoms.length);
    this.#readyRevert = new ReadyQueue(this.#compiled.atoms.length);
    for (const node of this.#compiled.atoms) this.#checkReady(node);
  }

  // --- readiness bookkeeping --------------------------------------------------------

  #isDone(node: AnyNode): boolean {
    if (node.kind === 'flow' || node.kind === 'flow_end') return this.#execPending[node.id] === 0;
    const s = this.#storage.getState(node.name);
    if (s !== 'SUCCESS' && s !== 'IGNORE') return false;
    const i = this.#storage.getIntention(node.name);
    return i === 'EXECUTE' || i === 'IGNORE';
  }

  #isClear(node: AnyNode): boolean {
    if (this.#revPending[node.id] !== 0) return false;
    if (node.kind === 'flow' || node.kind === 'flow_end') return true;
    const s = this.#storage.getState(node.name);
    return s === 'PENDING' || s === 'REVERTED' || s === 'IGNORE';
  }

  /** Re-evaluates a node after its state, intention or counters changed, propagating flips. */
  #refresh(start: AnyNode): void {
    const stack: AnyNode[] = [start];
    while (stack.length > 0) {
      const node = stack.pop()!;
      const done = this.#isDone(node) ? 1 : 0;
      if (done !== this.#done[node.id]) {
        this.#done[node.id] = done;
        const delta = done ? -1 : 1;
        for (const e of node.out) {
          this.#execPending[e.to.id]! += delta;
          stack.push(e.to);
        }
      }
      const clear = this.#isClear(node) ? 1 : 0;
      if (clear !== this.#clear[node.id]) {
        this.#clear[node.id] = clear;
        const delta = clear ? -1 : 1;
        for (const e of node.in) {
          this.#revPending[e.from.id]! += delta;
          stack.push(e.from);
        }
      }
      if (node.kind === 'task' || node.kind === 'retry') this.#checkReady(node as AtomNode);
    }
  }

  #checkReady(node: AtomNode): void {
    if (this.#canExecute(node)) this.#readyExec.push(node);
    if (this.#canRevert(node)) this.#readyRevert.push(node);
  }

  #canExecute(node: AtomNode): boolean {
    if (this.#execPending[node.id] !== 0 || this.#storage.getIntention(node.name) !== 'EXECUTE') return false;
    const s = this.#storage.getState(node.name);
    return s === 'PENDING' || s === 'RETRYING';
  }

  #canRevert(node: AtomNode): boolean {
    if (this.#revPending[node.id] !== 0) return false;
    const i = this.#storage.getIntention(node.name);
    if (i !== 'REVERT' && i !== 'RETRY') return false;
    const s = this.#storage.getState(node.name);
    return s === 'SUCCESS' || s === 'FAILURE';
  }

  // --- scheduling -------------------------------------------------------------------

  async #schedule(): Promise<void> {
    let burst = 0;
    while (this.#storage.flowState === 'RUNNING' && this.#failures.length === 0 && this.#running < this.#max) {
      const node = this.#takeReady();
      if (!node) break;
      const outcome = node.job === 'execute' ? this.#startExecute(node.node) : this.#startRevert(node.node);
      if (outcome !== undefined) {
        await this.#complete(outcome);
        if (++burst >= SYNC_BURST) {
          burst = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
          while (this.#inbox.length > 0) await this.#complete(this.#inbox.shift()!);
        }
      }
    }
  }

  #takeReady(): { node: AtomNode; job: Job } | undefined {
    // Reverting first: it releases what a failure holds and keeps revert order tight.
    for (let node = this.#readyRevert.shift(); node; node = this.#readyRevert.shift()) {
      if (this.#canRevert(node)) return { node, job: 'revert' };
    }
    for (let node = this.#readyExec.shift(); node; node = this.#readyExec.shift()) {
      if (this.#canExecute(node) && this.#decide(node)) return { node, job: 'execute' };
    }
    return undefined;
  }

  /** Applies the deciders gating an atom: true to run it; false when it was ignored. */
  #decide(node: AtomNode): boolean {
    if (node.deciders.length === 0) return true;
    const history: Record<string, unknown> = {};
    const voters: EdgeDecider[] = [];
    for (const d of node.deciders) {
      if (d.from.kind === 'task' || d.from.kind === 'retry') {
        if (this.#storage.getState(d.from.name) === 'IGNORE') continue;
        history[d.from.name] = this.#storage.get(d.from.name);
      }
      voters.push(d);
    }
    let widest: DeciderDepth | undefined;
    for (const d of voters) {
      if (!d.decider({ ...history })) {
        if (widest === undefined || DEPTH_WIDTH[d.depth] > DEPTH_WIDTH[widest]) widest = d.depth;
      }
    }
    if (widest === undefined) return true;
    this.#ignore(node, widest);
    return false;
  }

  #ignore(node: AtomNode, depth: DeciderDepth): void {
    const affected: AtomNode[] = [node];
    if (depth === 'ALL') affected.push(...this.#forward(node));
    else if (depth === 'FLOW') affected.push(...this.#forward(node, true));
    else if (depth === 'NEIGHBORS') {
      for (const e of node.out) if (e.to.kind === 'task') affected.push(e.to);
    }
    for (const atom of affected) {
      if (this.#storage.getState(atom.name) !== 'PENDING') continue;
      this.#changeState(atom, 'IGNORE');
      this.#storage.setIntention(atom.name, 'IGNORE');
    }
    for (const atom of affected) this.#refresh(atom);
  }

  /**
   * Every atom after `node` (its transitive successors). With `sameFlow`, only atoms
   * reached without crossing a flow boundary or a retry (TaskFlow's FLOW depth).
   */
  #forward(node: AnyNode, sameFlow = false): AtomNode[] {
    if (!sameFlow) {
      const cached = this.#forwardCache.get(node.id);
      if (cached) return cached;
    }
    const seen = new Uint8Array(this.#nodes.length);
    const out: AtomNode[] = [];
    const stack: AnyNode[] = [node];
    seen[node.id] = 1;
    while (stack.length > 0) {
      const current = stack.pop()!;
      for (const e of current.out) {
        const next = e.to;
        if (seen[next.id]) continue;
        seen[next.id] = 1;
        if (sameFlow && next.kind !== 'task') continue;
        if (next.kind === 'task' || next.kind === 'retry') out.push(next as AtomNode);
        stack.push(next);
      }
    }
    out.sort((a, b) => a.index - b.index);
    if (!sameFlow) this.#forwardCache.set(node.id, out);
    return out;
  }

  /** Starts executing an atom; returns its completion when it finished synchronously. */
  #startExecute(node: AtomNode): Completion | undefined {
    this.#changeState(node, 'RUNNING');
    this.#refresh(node);
    let outcome: unknown;
    try {
      const args = this.#storage.fetchArgs(node);
      if (node.kind === 'retry') {
        const retry = node as RetryNode;
        outcome = retry.atom.execute(this.#storage.getHistory(node.name), args);
      } else {
        const task = node as TaskNode;
        outcome = this.#executor.execute(task.atom, args, {
          node: task,
          flowUuid: this.#storage.flowUuid,
          onProgress: (progress, details) => this.#progress(node, progress, details),
        });
      }
    } catch (error) {
      return { node, job: 'execute', ok: false, value: error };
    }
    return this.#settle(node, 'execute', outcome);
  }

  #startRevert(node: AtomNode): Completion | undefined {
    const intention = this.#storage.getIntention(node.name);
    if (node.kind === 'retry' && intention === 'RETRY') {
      this.#retrySubflow(node as RetryNode);
      return undefined;
    }
    this.#changeState(node, 'REVERTING');
    this.#refresh(node);
    let outcome: unknown;
    try {
      const args = this.#revertArgs(node);
      if (node.kind === 'retry') {
        outcome = (node as RetryNode).atom.revert(this.#storage.getHistory(node.name), args);
      } else {
        const task = node as TaskNode;
        outcome = this.#executor.revert(task.atom, args, {
          node: task,
          flowUuid: this.#storage.flowUuid,
          onProgress: (progress, details) => this.#progress(node, progress, details),
          result: this.#storage.get(node.name),
          flowFailures: this.#storage.getFailures(),
        });
      }
    } catch (error) {
      return { node, job: 'revert', ok: false, value: error };
    }
    return this.#settle(node, 'revert', outcome);
  }

  /** Revert gets the same arguments as execute, as far as they can still be found. */
  #revertArgs(node: AtomNode): Record<string, unknown> {
    try {
      return this.#storage.fetchArgs(node);
    } catch {
      const args: Record<string, unknown> = {};
      for (const binding of node.args.values()) {
        try {
          args[binding.arg] = binding.injected ? node.atom.inject[binding.symbol] : this.#storage.fetch(binding.symbol);
        } catch {
          // a value that is gone stays out
        }
      }
      return args;
    }
  }

  #settle(node: AtomNode, job: Job, outcome: unknown): Completion | undefined {
    if (!isPromiseLike(outcome)) return { node, job, ok: true, value: outcome };
    this.#running++;
    Promise.resolve(outcome).then(
      (value) => this.#deliver({ node, job, ok: true, value }),
      (error: unknown) => this.#deliver({ node, job, ok: false, value: error }),
    );
    return undefined;
  }

  #deliver(completion: Completion): void {
    this.#running--;
    this.#inbox.push(completion);
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async #drain(): Promise<void> {
    while (this.#running > 0 || this.#inbox.length > 0) {
      if (this.#inbox.length === 0) await new Promise<void>((resolve) => (this.#wake = resolve));
      const completion = this.#inbox.shift();
      if (completion) {
        try {
          await this.#complete(completion);
        } catch (error) {
          this.#failures.push(Failure.fromError(error));
        }
      }
    }
  }

  // --- completion -------------------------------------------------------------------

  async #complete(c: Completion): Promise<void> {
    const { node, job } = c;
    this.statistics.completed++;
    if (job === 'execute') {
      if (c.ok) {
        if (node.kind === 'retry') this.#storage.addRetryAttempt(node.name, c.value);
        this.#storage.saveResult(node.name, c.value);
        this.#changeState(node, 'SUCCESS', c.value);
        this.#refresh(node);
        return;
      }
      const failure = Failure.fromError(c.value);
      this.#storage.saveFailure(node.name, failure);
      this.#changeState(node, 'FAILURE', failure);
      this.#logger.debug({ atom: node.name, failure: failure.pformat() }, 'atom failed');
      await this.#resolveFailure(node, failure);
      this.statistics.discardedFailures++;
      return;
    }
    if (c.ok) {
      this.#storage.saveRevertResult(node.name, c.value);
      if (node.kind === 'retry') this.#storage.clearHistory(node.name);
      this.#changeState(node, 'REVERTED');
      this.#refresh(node);
      return;
    }
    const failure = Failure.fromError(c.value);
    this.#storage.saveRevertFailure(node.name, failure);
    this.#changeState(node, 'REVERT_FAILURE', failure);
    this.#refresh(node);
    this.#failures.push(failure);
  }

  // --- failure resolution -----------------------------------------------------------

  async #resolveFailure(node: AtomNode, failure: Failure): Promise<void> {
    let resolution: Resolution;
    try {
      resolution = await this.#determineResolution(node, failure);
    } catch (error) {
      // A retry controller that cannot decide: revert everything, and report why.
      this.#failures.push(Failure.fromError(error));
      resolution = { kind: 'REVERT_ALL' };
    }
    this.#logger.debug({ atom: node.name, resolution: resolution.kind }, 'resolving failure');
    let tweaked: AtomNode[];
    switch (resolution.kind) {
      case 'RETRY': {
        const retry = resolution.retry;
        if (this.#storage.getIntention(retry.name) !== 'REVERT') this.#storage.setIntention(retry.name, 'RETRY');
        tweaked = [retry];
        for (const atom of this.#forward(retry)) {
          this.#storage.setIntention(atom.name, 'REVERT');
          tweaked.push(atom);
        }
        break;
      }
      case 'REVERT': {
        tweaked = [resolution.retry, ...this.#forward(resolution.retry)];
        for (const atom of tweaked) this.#storage.setIntention(atom.name, 'REVERT');
        break;
      }
      default: {
        tweaked = [...this.#compiled.atoms];
        for (const atom of tweaked) this.#storage.setIntention(atom.name, 'REVERT');
      }
    }
    for (const atom of tweaked) this.#refresh(atom);
    this.#refresh(node);
  }

  async #determineResolution(node: AtomNode, failure: Failure): Promise<Resolution> {
    const retry = node.retry;
    if (!retry) return { kind: 'UNDEFINED' };
    this.#storage.addRetryFailure(retry.name, node.name, failure);
    const args = this.#revertArgs(retry);
    const decision = await retry.atom.onFailure(this.#storage.getHistory(retry.name), args);
    switch (decision) {
      case Decision.RETRY:
        return { kind: 'RETRY', retry };
      case Decision.REVERT: {
        const parent = await this.#determineResolution(retry, failure);
        if (parent.kind !== 'UNDEFINED' && parent.kind !== 'REVERT') return parent;
        return { kind: 'REVERT', retry };
      }
      case Decision.REVERT_ALL:
        return { kind: 'REVERT_ALL' };
      default:
        throw new TypeError(`Retry '${retry.name}' returned an unknown decision ${JSON.stringify(decision)}`);
    }
  }

  /** A retry whose scope has reverted runs again: its subflow goes back to PENDING. */
  #retrySubflow(retry: RetryNode): void {
    this.#changeState(retry, 'RETRYING');
    this.#storage.setIntention(retry.name, 'EXECUTE');
    const reset = this.#forward(retry);
    for (const atom of reset) {
      const s = this.#storage.getState(atom.name);
      if (s !== 'PENDING') this.#changeState(atom, 'PENDING');
      this.#storage.setIntention(atom.name, 'EXECUTE');
    }
    for (const atom of reset) this.#refresh(atom);
    this.#refresh(retry);
  }

  // --- the end ----------------------------------------------------------------------

  #gameOver(): FlowState {
    if (this.#failures.length > 0) return 'FAILURE';
    if (this.#readyExec.some((n) => this.#canExecute(n)) || this.#readyRevert.some((n) => this.#canRevert(n))) {
      return 'SUSPENDED';
    }
    for (const node of this.#compiled.atoms) {
      const s = this.#storage.getState(node.name);
      if (s !== 'SUCCESS' && s !== 'IGNORE') return 'REVERTED';
    }
    return 'SUCCESS';
  }

  #raiseFor(final: FlowState): void {
    if (final === 'SUCCESS' || final === 'SUSPENDED') return;
    const failures =
      final === 'FAILURE'
        ? this.#failures
        : [...Object.values(this.#storage.getFailures()), ...Object.values(this.#storage.getRevertFailures())];
    if (failures.length === 1) throw failures[0]!.toError();
    if (failures.length > 1) throw new WrappedFailure(failures);
  }

  // --- transitions and notifications ------------------------------------------------

  #changeState(node: AtomNode, state: AtomState, result?: unknown): void {
    const old = this.#storage.getState(node.name);
    const legal =
      node.kind === 'retry' ? checkRetryTransition(old, state, `retry '${node.name}'`) : checkTaskTransition(old, state, `task '${node.name}'`);
    if (!legal) return;
    this.#storage.setState(node.name, state);
    if (this.#atomNotifier.hasListeners) {
      const details: AtomEventDetails = {
        atomName: node.name,
        atomKind: node.kind,
        flowUuid: this.#storage.flowUuid,
        state,
        oldState: old,
      };
      if (result !== undefined) details.result = result;
      this.#atomNotifier.notify(state, details);
    }
  }

  #progress(node: AtomNode, progress: number, details: Record<string, unknown> | undefined): void {
    this.#storage.setProgress(node.name, progress);
    if (!this.#atomNotifier.hasListeners) return;
    const event: AtomEventDetails = { atomName: node.name, atomKind: node.kind, flowUuid: this.#storage.flowUuid, progress };
    if (details !== undefined) event.details = details;
    this.#atomNotifier.notify(PROGRESS_EVENT, event);
  }

  #setFlowState(state: FlowState): void {
    const old = this.#storage.flowState;
    if (!checkFlowTransition(old, state, `flow '${this.#storage.flowName}'`)) return;
    this.#storage.setFlowState(state);
    this.#notifier.notify(state, { flowName: this.#storage.flowName, flowUuid: this.#storage.flowUuid, oldState: old, state });
  }

  /** The intention of every atom (for inspection and tests). */
  intentions(): Record<string, Intention> {
    const out: Record<string, Intention> = {};
    for (const node of this.#compiled.atoms) out[node.name] = this.#storage.getIntention(node.name);
    return out;
  }
}

/**
 * A FIFO of atoms that may be ready, each queued at most once. Entries are checked again
 * when taken (readiness can be lost meanwhile), which keeps every operation O(1).
 */
class ReadyQueue {
  #items: AtomNode[] = [];
  #head = 0;
  readonly #queued: Uint8Array;

  constructor(size: number) {
    this.#queued = new Uint8Array(size);
  }

  push(node: AtomNode): void {
    if (this.#queued[node.index]) return;
    this.#queued[node.index] = 1;
    this.#items.push(node);
  }

  shift(): AtomNode | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const node = this.#items[this.#head++]!;
    this.#queued[node.index] = 0;
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return node;
  }

  some(predicate: (node: AtomNode) => boolean): boolean {
    for (let i = this.#head; i < this.#items.length; i++) if (predicate(this.#items[i]!)) return true;
    return false;
  }
}
