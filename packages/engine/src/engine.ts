import { randomUUID } from 'node:crypto';
import { ActionEngine, InvalidStateError, type ActionEngineOptions, type Flow, type MachineState, type Task, silentLogger } from '@tf/core';
import type { BackendInput } from '@tf/persistence';
import { PersistenceSession, type BookSelection, type OpenedBackend } from './persistence-session';

/** The engine's options: the core engine's, and a backend to open (a URL, or an object) with its logbook. */
export interface EngineOptions extends ActionEngineOptions {
  persistence?: { backend: BackendInput; book?: BookSelection | undefined };
}

/**
 * The key `await using` calls: `Symbol.asyncDispose`, or where a runtime lacks it (Node
 * before 20.4), the one TypeScript's and esbuild's downlevel helpers look up instead.
 */
export const asyncDisposeSymbol: typeof Symbol.asyncDispose =
  Symbol.asyncDispose ?? (Symbol.for('Symbol.asyncDispose') as typeof Symbol.asyncDispose);

/**
 * An engine ready to run one flow: `run()`, `runIter()`, `suspend()`, `storage`, the
 * notifiers; and `close()` (or `await using`), which releases what it holds. The serial and
 * parallel engines hold nothing between runs; the worker-based engine holds its transport
 * connection after `waitForWorkers()`.
 */
export class Engine extends ActionEngine implements AsyncDisposable {
  #closing: Promise<void> | undefined;
  readonly #persistence: PersistenceSession | undefined;

  constructor(flow: Flow | Task, options: EngineOptions = {}) {
    const { persistence, ...rest } = options;
    // The lock is taken before storage exists: the flow detail's id must be known by then.
    if (persistence && rest.flowUuid === undefined) rest.flowUuid = randomUUID();
    super(flow, rest);
    if (persistence) this.#persistence = new PersistenceSession(persistence.backend, persistence.book, rest.logger ?? silentLogger);
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * Releases what the engine holds (connections, timers) so the process can exit. Idempotent:
   * later calls return the first call's promise. A closed engine cannot run again (its
   * storage stays readable); a run in progress is cut short where the engine can (the
   * worker-based engine fails its requests in flight with `TF_ENGINE_STOPPED`).
   */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  async #closeAll(): Promise<void> {
    try {
      await this.release();
    } finally {
      // What storage still has to write goes to the backend before it closes.
      await this.storageIfOpen?.flush().catch(() => undefined);
      await this.#persistence?.close();
    }
  }

  /**
   * Opens the backend (from its URL), finds or creates the logbook and locks the flow detail
   * (`FlowLockedError`, `TF_FLOW_LOCKED`, when another engine holds it) before storage loads it.
   */
  protected override async openBackend(): Promise<OpenedBackend | { backend?: undefined }> {
    if (!this.#persistence) return super.openBackend();
    this.assertOpen('open the backend');
    return this.#persistence.open(this.options.flowUuid!);
  }

  protected override needsOpen(): boolean {
    return this.#persistence !== undefined || super.needsOpen();
  }

  /** `await using engine = load(...)` closes the engine at the end of the block. */
  [asyncDisposeSymbol](): Promise<void> {
    return this.close();
  }

  /**
   * Stops the run as soon as it can: no new task starts (as `suspend()`), and tasks running
   * on workers are aborted (their `context.signal` fires) instead of awaited. The run ends
   * SUSPENDED; the aborted tasks are PENDING again, and a later `run()` resumes the flow
   * (they run again). The serial and parallel engines cannot abort a task in this process:
   * there it is `suspend()`.
   */
  cancel(): void {
    this.suspend();
    this.abortRunning();
  }

  /** What `cancel()` does beyond suspending; the worker-based engine aborts its requests. */
  protected abortRunning(): void {}

  /** What `close()` does once; an engine that holds something overrides it. */
  protected release(): Promise<void> {
    return Promise.resolve();
  }

  /** Refuses to run a closed engine (InvalidStateError, `TF_INVALID_STATE`). */
  protected assertOpen(what: string): void {
    if (this.closed) throw new InvalidStateError(`Cannot ${what}: the engine of flow '${this.flow.name}' is closed`);
  }

  override async *runIter(): AsyncGenerator<MachineState, void, undefined> {
    this.assertOpen('run');
    yield* super.runIter();
  }
}
