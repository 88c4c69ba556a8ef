import type { Flow } from '../patterns/flow';
import type { Task } from '../atoms/task';
import type { CompiledFlow } from '../compiler/types';
import { compile } from '../compiler/compile';
import { InvalidStateError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import type { FlowRecord, StorageBackend } from './backend';
import { outcomeError } from './final-outcome';
import type { AtomEventDetails, FlowEventDetails } from './events';
import { LocalTaskExecutor, type TaskExecutor } from './executor';
import { Notifier } from './notifier';
import { Runtime, type MachineState, type RuntimeStatistics } from './runtime';
import { Storage, type LoadedFlowDetail, type StorageOptions } from './storage';

export interface ActionEngineOptions {
  /** Values atoms can read (TaskFlow's `store`). */
  store?: Record<string, unknown>;
  /** Runs the tasks; defaults to in-process execution. */
  executor?: TaskExecutor;
  /** Most atoms running at once (1 = serial, the default). */
  maxConcurrency?: number;
  /** Where storage writes through to. With `flowUuid`, a flow detail it holds is resumed. */
  backend?: StorageBackend;
  /** The flow run's uuid, TaskFlow's flow detail id (a random one by default). */
  flowUuid?: string;
  /** Kept in a new flow detail: its logbook and metadata. */
  flowDetail?: Pick<FlowRecord, 'logbookUuid' | 'meta'>;
  /** Coalesce backend writes into `saveBatch` calls (default true). */
  batchWrites?: boolean;
  logger?: Logger;
}

/**
 * Compiles a flow, keeps its storage and runs it with the shared scheduler; the
 * executor decides where tasks run. `@tf/engine`'s `load()` builds these.
 */
export class ActionEngine {
  readonly flow: Flow | Task;
  /** Flow transitions: PENDING, RUNNING, SUCCESS, REVERTED, FAILURE, SUSPENDING, SUSPENDED... */
  readonly notifier = new Notifier<FlowEventDetails>();
  /** Atom transitions and progress (`update_progress`). */
  readonly atomNotifier = new Notifier<AtomEventDetails>();
  readonly options: Readonly<ActionEngineOptions>;
  readonly #executor: TaskExecutor;
  readonly #logger: Logger;
  #compiled: CompiledFlow | undefined;
  #storage: Storage | undefined;
  #opening: Promise<Storage> | undefined;
  #runtime: Runtime | undefined;
  #running = false;
  /** Set once the first run of a flow detail loaded in a final state has settled. */
  #loadedOutcomeGiven = false;

  constructor(flow: Flow | Task, options: ActionEngineOptions = {}) {
    this.flow = flow;
    this.options = options;
    this.#executor = options.executor ?? new LocalTaskExecutor();
    this.#logger = options.logger ?? silentLogger;
    const report = (which: string) => (error: unknown, event: string) =>
      this.#logger.warn({ err: error, event }, `${which} listener threw`);
    this.notifier.onListenerError = report('flow');
    this.atomNotifier.onListenerError = report('atom');
  }

  /** Compiles the flow (once); throws the compiler's typed errors. */
  compile(): CompiledFlow {
    return (this.#compiled ??= compile(this.flow));
  }

  /**
   * Creates the storage for this run (once), with the store given at load. An engine that must
   * first open its backend or load a flow detail from it (see `needsOpen`) throws
   * InvalidStateError until `open()` (or `run()`) has done so.
   */
  prepare(): Storage {
    if (!this.#storage) {
      if (this.needsOpen()) {
        throw new InvalidStateError(
          `The storage of flow '${this.flow.name}' comes from its backend: await engine.open() (or run()) before reading it`,
        );
      }
      this.#storage = new Storage(this.compile(), this.#storageOptions(this.options.backend, undefined));
    }
    return this.#storage;
  }

  /**
   * Opens the backend and builds the storage (once): from the flow detail the backend holds
   * under `flowUuid` when there is one (resuming it: FlowMismatchError, `TF_FLOW_MISMATCH`, when
   * its atoms are not the flow's), else a new one. `run()` calls it first.
   */
  open(): Promise<Storage> {
    if (this.#storage) return Promise.resolve(this.#storage);
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<Storage> {
    const compiled = this.compile();
    const { backend, flowDetail } = await this.openBackend();
    const uuid = this.options.flowUuid;
    let loaded: LoadedFlowDetail | undefined;
    if (backend && uuid !== undefined) {
      const flow = await backend.loadFlow(uuid);
      if (flow) loaded = { flow, atoms: await backend.loadAtoms(uuid) };
    }
    const options = this.#storageOptions(backend, loaded);
    if (flowDetail) options.flowDetail = { ...options.flowDetail, ...flowDetail };
    this.#storage ??= new Storage(compiled, options);
    if (loaded) this.#logger.info({ flowUuid: uuid, state: loaded.flow.state }, 'resuming flow detail');
    return this.#storage;
  }

  #storageOptions(backend: StorageBackend | undefined, loaded: LoadedFlowDetail | undefined): StorageOptions {
    const options: StorageOptions = { store: this.options.store ?? {} };
    if (backend) options.backend = backend;
    if (this.options.flowUuid) options.flowUuid = this.options.flowUuid;
    if (this.options.flowDetail) options.flowDetail = this.options.flowDetail;
    if (this.options.batchWrites !== undefined) options.batchWrites = this.options.batchWrites;
    if (loaded) options.loaded = loaded;
    return options;
  }

  /** Whether storage needs `open()` first: a backend that may hold the flow detail `flowUuid` names. */
  protected needsOpen(): boolean {
    return this.options.backend !== undefined && this.options.flowUuid !== undefined;
  }

  /**
   * The backend storage writes through to, and what a new flow detail records; an engine that
   * opens a backend (from a URL), locks the flow detail or files it in a logbook overrides it.
   */
  protected openBackend(): Promise<{ backend?: StorageBackend | undefined; flowDetail?: Pick<FlowRecord, 'logbookUuid' | 'meta'> }> {
    return Promise.resolve({ backend: this.options.backend });
  }

  /** Checks that every requirement is satisfied by a provider or the store (MissingRequirementsError). */
  validate(): void {
    const storage = this.prepare();
    this.compile().validate(storage.storeKeys);
  }

  #settlesAsLoaded(storage: Storage): boolean {
    if (this.#loadedOutcomeGiven) return false;
    this.#loadedOutcomeGiven = true;
    const state = storage.loadedFlowState;
    return (state === 'REVERTED' || state === 'FAILURE') && storage.flowState === state;
  }

  /** The storage if it exists yet (`storage` builds it, or throws before `open()`). */
  protected get storageIfOpen(): Storage | undefined {
    return this.#storage;
  }

  get storage(): Storage {
    return this.prepare();
  }

  get compiled(): CompiledFlow {
    return this.compile();
  }

  get statistics(): Readonly<RuntimeStatistics> {
    return this.#runtime?.statistics ?? { completed: 0, discardedFailures: 0, activeForMs: 0 };
  }

  /** Stops scheduling new atoms; the run ends SUSPENDED once running atoms finish. Run again to resume. */
  suspend(): void {
    this.#runtime?.suspend();
  }

  /** Resolves on SUCCESS (or SUSPENDED); rejects after reverting, with the task's own error or a WrappedFailure. */
  async run(): Promise<void> {
    for await (const _state of this.runIter()) {
      // the states are for runIter's callers
    }
  }

  /** Runs, yielding the engine's states (RESUMING, SCHEDULING, WAITING, ANALYZING, then the final flow state). */
  async *runIter(): AsyncGenerator<MachineState, void, undefined> {
    if (this.#running) throw new InvalidStateError(`Flow '${this.prepare().flowName}' is already running`);
    this.#running = true;
    try {
      const storage = await this.open();
      if (this.#settlesAsLoaded(storage)) {
        // A flow detail loaded after it reverted (or failed to) is not run again by its first run:
        // it settles as the run that left it did.
        yield storage.flowState;
        const error = outcomeError([...Object.values(storage.getFailures()), ...Object.values(storage.getRevertFailures())]);
        if (error) throw error;
        return;
      }
      this.validate();
      this.#runtime ??= new Runtime({
        compiled: this.compile(),
        storage,
        executor: this.#executor,
        notifier: this.notifier,
        atomNotifier: this.atomNotifier,
        maxConcurrency: this.options.maxConcurrency ?? 1,
        logger: this.#logger,
      });
      await this.#executor.start?.();
      try {
        yield* this.#runtime.run();
      } finally {
        await this.#executor.stop?.();
        await storage.flush();
      }
    } finally {
      this.#running = false;
    }
  }
}
