import type { Flow } from '../patterns/flow';
import type { Task } from '../atoms/task';
import type { CompiledFlow } from '../compiler/types';
import { compile } from '../compiler/compile';
import { InvalidStateError } from '../errors';
import { silentLogger, type Logger } from '../logger';
import type { StorageBackend } from './backend';
import type { AtomEventDetails, FlowEventDetails } from './events';
import { LocalTaskExecutor, type TaskExecutor } from './executor';
import { Notifier } from './notifier';
import { Runtime, type MachineState, type RuntimeStatistics } from './runtime';
import { Storage } from './storage';

export interface ActionEngineOptions {
  /** Values atoms can read (TaskFlow's `store`). */
  store?: Record<string, unknown>;
  /** Runs the tasks; defaults to in-process execution. */
  executor?: TaskExecutor;
  /** Most atoms running at once (1 = serial, the default). */
  maxConcurrency?: number;
  backend?: StorageBackend;
  /** The flow run's uuid (a random one by default). */
  flowUuid?: string;
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
  #runtime: Runtime | undefined;
  #running = false;

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

  /** Creates the storage for this run (once), with the store given at load. */
  prepare(): Storage {
    if (!this.#storage) {
      const compiled = this.compile();
      const storageOptions: ConstructorParameters<typeof Storage>[1] = { store: this.options.store ?? {} };
      if (this.options.backend) storageOptions.backend = this.options.backend;
      if (this.options.flowUuid) storageOptions.flowUuid = this.options.flowUuid;
      this.#storage = new Storage(compiled, storageOptions);
    }
    return this.#storage;
  }

  /** Checks that every requirement is satisfied by a provider or the store (MissingRequirementsError). */
  validate(): void {
    const storage = this.prepare();
    this.compile().validate(storage.storeKeys);
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
      this.validate();
      const storage = this.prepare();
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
