import type { AtomNode, CompiledFlow, RetryNode } from '../compiler/types';
import { adjacencyOf } from '../compiler/edge-index';
import { TfError } from '../errors';
import { Failure } from '../failure/failure';
import type { Logger } from '../logger';
import { AtomRunner } from './atom-runner';
import { Completions, type Completion, type Job } from './completions';
import { DeciderGate } from './decider-gate';
import type { AtomEventDetails, FlowEventDetails } from './events';
import type { TaskExecutor } from './executor';
import { FailureResolver } from './failure-resolution';
import { outcomeError } from './final-outcome';
import type { Notifier } from './notifier';
import { Readiness } from './readiness';
import type { FlowState, Intention } from './states';
import type { Storage } from './storage';
import { Successors } from './successors';
import { Transitions } from './transitions';
import { NO_ATOM_SPAN, RunTracer } from '../telemetry/run-tracer';
import { isPromiseLike } from './executor';
import type { TaskClass } from '../atoms/task';

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

/** Synchronous completions in a row before the loop yields to the event loop. */
const SYNC_BURST = 512;

/**
 * The scheduler: runs every atom whose inputs are ready (see `Readiness`), reverts
 * in reverse dependency order on failure, asks retry controllers what to do
 * (`FailureResolver`), applies deciders (`DeciderGate`). It is the same for every
 * engine; only the executor differs.
 */
export class Runtime {
  readonly #compiled: CompiledFlow;
  readonly #storage: Storage;
  readonly #max: number;
  readonly #logger: Logger;
  readonly #transitions: Transitions;
  readonly #readiness: Readiness;
  readonly #deciders: DeciderGate;
  readonly #resolver: FailureResolver;
  readonly #runner: AtomRunner;
  readonly #executor: TaskExecutor;
  readonly #completions = new Completions();
  /** Every completion so far, as a storage change mark: the backend has it before another atom starts. */
  #completedMark = 0;
  readonly #tracer = new RunTracer();
  /** Failures no strategy resolves (a revert that failed, a broken listener-free internal error). */
  #failures: Failure[] = [];
  readonly statistics: RuntimeStatistics = { completed: 0, discardedFailures: 0, activeForMs: 0 };

  constructor(options: RuntimeOptions) {
    const { compiled, storage, logger } = options;
    this.#compiled = compiled;
    this.#storage = storage;
    this.#max = Math.max(1, Math.floor(options.maxConcurrency));
    this.#logger = logger;
    this.#transitions = new Transitions(storage, options.notifier, options.atomNotifier);
    this.#readiness = new Readiness(compiled, storage);
    const successors = new Successors(compiled.nodes, adjacencyOf(compiled));
    this.#deciders = new DeciderGate(storage, this.#transitions, this.#readiness, successors);
    const onUndecided = (failure: Failure): void => {
      this.#failures.push(failure);
    };
    this.#resolver = new FailureResolver(storage, compiled.atoms, this.#readiness, successors, this.#transitions, logger, onUndecided);
    this.#executor = options.executor;
    this.#runner = new AtomRunner(storage, options.executor, this.#transitions);
  }

  /** Asks the run to stop scheduling new atoms; running ones finish and the flow ends SUSPENDED. */
  suspend(): void {
    const state = this.#storage.flowState;
    if (state === 'RUNNING') this.#transitions.setFlowState('SUSPENDING');
  }

  /** Runs the flow, yielding the machine's states; the last is the flow's final state. Throws on failure. */
  async *run(): AsyncGenerator<MachineState, void, undefined> {
    const started = performance.now();
    const completions = this.#completions;
    this.#failures = [];
    completions.reset();
    this.#prepareFlowForRun();
    this.#tracer.startFlow(this.#storage.flowName, this.#storage.flowUuid);
    yield 'RESUMING';
    this.#readiness.initialise();
    try {
      await this.#resumeInterrupted();
      for (;;) {
        yield 'SCHEDULING';
        await this.#schedule();
        if (completions.running === 0 && !completions.hasCompletions) break;
        yield 'WAITING';
        if (!completions.hasCompletions) await completions.arrival();
        yield 'ANALYZING';
        await this.#completeAll();
      }
    } catch (error) {
      this.#failures.push(Failure.fromError(error));
      this.#logger.error({ err: error }, 'scheduler failed');
      await this.#drain();
    }
    const final = this.#gameOver();
    this.statistics.activeForMs = performance.now() - started;
    this.#transitions.setFlowState(final);
    let raised: { error: unknown } | undefined;
    try {
      this.#raiseFor(final);
    } catch (error) {
      raised = { error };
    }
    this.#tracer.endFlow(final, raised?.error);
    yield final;
    if (raised) throw raised.error;
  }

  /** The intention of every atom (for inspection and tests). */
  intentions(): Record<string, Intention> {
    const out: Record<string, Intention> = {};
    for (const node of this.#compiled.atoms) out[node.name] = this.#storage.getIntention(node.name);
    return out;
  }

  #prepareFlowForRun(): void {
    const storage = this.#storage;
    const left = storage.flowState;
    if (left === 'RUNNING' || left === 'SUSPENDING' || left === 'RESUMING') {
      // An engine died during a run: as TaskFlow's prepare(), RESUMING then SUSPENDED, then it runs.
      this.#transitions.setFlowState('RESUMING');
      this.#transitions.setFlowState('SUSPENDED');
    }
    if (storage.flowState === 'REVERTED') {
      this.#transitions.setFlowState('PENDING');
      for (const node of this.#compiled.atoms) {
        storage.setState(node.name, 'PENDING');
        storage.setIntention(node.name, 'EXECUTE');
        if (node.kind === 'retry') storage.clearHistory(node.name);
      }
    }
    this.#transitions.setFlowState('RUNNING');
    // Atoms left mid-flight by an earlier run that stopped abruptly start over: an execution
    // runs again (or is reverted), a revert reverts again (from the state it reverted from).
    for (const node of this.#compiled.atoms) {
      const s = storage.getState(node.name);
      if (s === 'RUNNING') {
        // One the flow meant to revert may have run its side effects: as TaskFlow, it is
        // reverted (its result unknown); else it runs again.
        storage.setState(node.name, 'PENDING');
        if (storage.getIntention(node.name) === 'REVERT') storage.setState(node.name, 'SUCCESS');
      } else if (s === 'REVERTING') storage.setState(node.name, storage.atom(node.name).failure === undefined ? 'SUCCESS' : 'FAILURE');
    }
  }

  /**
   * What an engine that died may have left half done, finished as TaskFlow's `resume()` does:
   * a retry left RETRYING has its subflow reset again, and a failure stored but not resolved
   * (the atom FAILURE, its intention still EXECUTE) is resolved now.
   */
  async #resumeInterrupted(): Promise<void> {
    const storage = this.#storage;
    for (const node of this.#compiled.atoms) {
      if (node.kind === 'retry' && storage.getState(node.name) === 'RETRYING') this.#resolver.retrySubflow(node as RetryNode);
    }
    for (const node of this.#compiled.atoms) {
      if (storage.getState(node.name) !== 'FAILURE' || storage.getIntention(node.name) !== 'EXECUTE') continue;
      // Storage holds Failure objects only (it converts what a backend gives back).
      await this.#resolver.resolve(node, storage.atom(node.name).failure as Failure);
    }
  }

  // --- scheduling -------------------------------------------------------------------

  async #schedule(): Promise<void> {
    let burst = 0;
    while (this.#storage.flowState === 'RUNNING' && this.#failures.length === 0 && this.#completions.running < this.#limit()) {
      // Write-ahead: what finished is in the backend before anything else starts, so an engine
      // that dies runs again at most what was in flight (docs/resuming.md).
      if (!this.#storage.isDurable(this.#completedMark)) {
        await this.#storage.durable(this.#completedMark);
        continue;
      }
      const next = this.#takeReady();
      if (!next) break;
      const outcome = next.job === 'execute' ? this.#startExecute(next.node) : this.#startRevert(next.node);
      if (outcome !== undefined) {
        const settling = this.#complete(outcome);
        if (settling) await settling;
        if (++burst >= SYNC_BURST) {
          burst = 0;
          await new Promise<void>((resolve) => setImmediate(resolve));
          await this.#completeAll();
        }
      }
    }
  }

  /** The most atoms running at once: the engine's bound, or less when the executor says so (never under 1; a hint that is not a number is ignored). */
  #limit(): number {
    const hint = this.#executor.concurrency?.();
    return typeof hint !== 'number' || Number.isNaN(hint) ? this.#max : Math.min(this.#max, Math.max(1, Math.floor(hint)));
  }

  #takeReady(): { node: AtomNode; job: Job } | undefined {
    // Reverting first: it releases what a failure holds and keeps revert order tight.
    const revert = this.#readiness.nextToRevert();
    if (revert) return { node: revert, job: 'revert' };
    for (let node = this.#readiness.nextToExecute(); node; node = this.#readiness.nextToExecute()) {
      if (this.#deciders.allows(node)) return { node, job: 'execute' };
    }
    return undefined;
  }

  /** Starts executing an atom; returns its completion when it finished synchronously. */
  #startExecute(node: AtomNode): Completion | undefined {
    this.#transitions.changeState(node, 'RUNNING');
    this.#readiness.refresh(node);
    return this.#start(node, 'execute');
  }

  #startRevert(node: AtomNode): Completion | undefined {
    if (node.kind === 'retry' && this.#storage.getIntention(node.name) === 'RETRY') {
      this.#resolver.retrySubflow(node as RetryNode);
      return undefined;
    }
    this.#transitions.changeState(node, 'REVERTING');
    this.#readiness.refresh(node);
    return this.#start(node, 'revert');
  }

  #start(node: AtomNode, job: Job): Completion | undefined {
    const tracer = this.#tracer;
    const span = tracer.tracing
      ? tracer.startAtom(node.name, node.kind === 'task' ? (node.atom.constructor as TaskClass).taskName : undefined, job)
      : NO_ATOM_SPAN;
    let outcome: unknown;
    try {
      outcome = span.run(() => (job === 'execute' ? this.#runner.execute(node) : this.#runner.revert(node)));
    } catch (error) {
      span.end(error);
      return { node, job, ok: false, value: error };
    }
    if (span.live) {
      if (isPromiseLike(outcome)) {
        outcome = Promise.resolve(outcome).then(
          (value) => {
            span.end();
            return value;
          },
          (error: unknown) => {
            span.end(error);
            throw error;
          },
        );
      } else span.end();
    }
    return this.#completions.settle(node, job, outcome);
  }

  // --- completion -------------------------------------------------------------------

  /** Handles every completion that arrived, and those arriving meanwhile. */
  async #completeAll(): Promise<void> {
    for (let c = this.#completions.take(); c; c = this.#completions.take()) {
      const settling = this.#complete(c);
      if (settling) await settling;
    }
  }

  async #drain(): Promise<void> {
    const completions = this.#completions;
    while (completions.running > 0 || completions.hasCompletions) {
      if (!completions.hasCompletions) await completions.arrival();
      const completion = completions.take();
      if (completion) {
        try {
          await this.#complete(completion);
        } catch (error) {
          this.#failures.push(Failure.fromError(error));
        }
      }
    }
  }

  /**
   * Settles a completion; a promise only when settling waits (a failure being resolved): the
   * common case makes no promise per completion.
   */
  #complete(c: Completion): Promise<void> | undefined {
    let settling: Promise<void> | undefined;
    try {
      settling = this.#settle(c);
    } finally {
      if (!settling) this.#completedMark = this.#storage.changeMark;
    }
    return settling?.finally(() => {
      this.#completedMark = this.#storage.changeMark;
    });
  }

  #settle(c: Completion): Promise<void> | undefined {
    const { node, job } = c;
    const storage = this.#storage;
    this.statistics.completed++;
    if (job === 'execute') {
      if (c.ok) {
        if (node.kind === 'retry') storage.addRetryAttempt(node.name, c.value);
        storage.saveResult(node.name, c.value);
        this.#transitions.changeState(node, 'SUCCESS', c.value);
        this.#readiness.refresh(node);
        return;
      }
      if (this.#cancelledWhileSuspending(c.value)) {
        // Cut short by engine.cancel(): not the task's failure; it runs again on resume (as an
        // atom left RUNNING by a run that stopped abruptly does).
        storage.setState(node.name, 'PENDING');
        this.#readiness.refresh(node);
        return;
      }
      const failure = Failure.fromError(c.value);
      storage.saveFailure(node.name, failure);
      this.#transitions.changeState(node, 'FAILURE', failure);
      this.#logger.debug({ atom: node.name, failure: failure.pformat() }, 'atom failed');
      return this.#resolver.resolve(node, failure).then(() => {
        this.statistics.discardedFailures++;
      });
    }
    if (c.ok) {
      storage.saveRevertResult(node.name, c.value);
      if (node.kind === 'retry') storage.clearHistory(node.name);
      this.#transitions.changeState(node, 'REVERTED');
      this.#readiness.refresh(node);
      return;
    }
    if (this.#cancelledWhileSuspending(c.value)) {
      // The revert starts over when the flow resumes.
      storage.setState(node.name, 'FAILURE');
      this.#readiness.refresh(node);
      return;
    }
    const failure = Failure.fromError(c.value);
    storage.saveRevertFailure(node.name, failure);
    this.#transitions.changeState(node, 'REVERT_FAILURE', failure);
    this.#readiness.refresh(node);
    this.#failures.push(failure);
  }

  #cancelledWhileSuspending(error: unknown): boolean {
    return this.#storage.flowState === 'SUSPENDING' && TfError.is(error, 'TF_TASK_CANCELLED');
  }

  // --- the end ----------------------------------------------------------------------

  #gameOver(): FlowState {
    if (this.#failures.length > 0) return 'FAILURE';
    if (this.#readiness.hasReadyWork()) return 'SUSPENDED';
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
    const error = outcomeError(failures);
    if (error) throw error;
  }
}
