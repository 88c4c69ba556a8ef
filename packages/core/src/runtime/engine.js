import { compile } from '../compiler/compile';
import { InvalidStateError } from '../errors';
import { silentLogger } from '../logger';
import { LocalTaskExecutor } from './executor';
import { Notifier } from './notifier';
import { Runtime } from './runtime';
import { Storage } from './storage';
/**
 * Compiles a flow, keeps its storage and runs it with the shared scheduler; the
 * executor decides where tasks run. `@tf/engine`'s `load()` builds these.
 */
export class ActionEngine {
    flow;
    /** Flow transitions: PENDING, RUNNING, SUCCESS, REVERTED, FAILURE, SUSPENDING, SUSPENDED... */
    notifier = new Notifier();
    /** Atom transitions and progress (`update_progress`). */
    atomNotifier = new Notifier();
    options;
    #executor;
    #logger;
    #compiled;
    #storage;
    #runtime;
    #running = false;
    constructor(flow, options = {}) {
        this.flow = flow;
        this.options = options;
        this.#executor = options.executor ?? new LocalTaskExecutor();
        this.#logger = options.logger ?? silentLogger;
        const report = (which) => (error, event) => this.#logger.warn({ err: error, event }, `${which} listener threw`);
        this.notifier.onListenerError = report('flow');
        this.atomNotifier.onListenerError = report('atom');
    }
    /** Compiles the flow (once); throws the compiler's typed errors. */
    compile() {
        return (this.#compiled ??= compile(this.flow));
    }
    /** Creates the storage for this run (once), with the store given at load. */
    prepare() {
        if (!this.#storage) {
            const compiled = this.compile();
            const storageOptions = { store: this.options.store ?? {} };
            if (this.options.backend)
                storageOptions.backend = this.options.backend;
            if (this.options.flowUuid)
                storageOptions.flowUuid = this.options.flowUuid;
            this.#storage = new Storage(compiled, storageOptions);
        }
        return this.#storage;
    }
    /** Checks that every requirement is satisfied by a provider or the store (MissingRequirementsError). */
    validate() {
        const storage = this.prepare();
        this.compile().validate(storage.storeKeys);
    }
    get storage() {
        return this.prepare();
    }
    get compiled() {
        return this.compile();
    }
    get statistics() {
        return this.#runtime?.statistics ?? { completed: 0, discardedFailures: 0, activeForMs: 0 };
    }
    /** Stops scheduling new atoms; the run ends SUSPENDED once running atoms finish. Run again to resume. */
    suspend() {
        this.#runtime?.suspend();
    }
    /** Resolves on SUCCESS (or SUSPENDED); rejects after reverting, with the task's own error or a WrappedFailure. */
    async run() {
        for await (const _state of this.runIter()) {
            // the states are for runIter's callers
        }
    }
    /** Runs, yielding the engine's states (RESUMING, SCHEDULING, WAITING, ANALYZING, then the final flow state). */
    async *runIter() {
        if (this.#running)
            throw new InvalidStateError(`Flow '${this.prepare().flowName}' is already running`);
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
            }
            finally {
                await this.#executor.stop?.();
                await storage.flush();
            }
        }
        finally {
            this.#running = false;
        }
    }
}
//# sourceMappingURL=engine.js.map