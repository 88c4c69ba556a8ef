import { PROGRESS_EVENT } from '../protocol/constants';
/**
 * The base of the ready-made listeners: `attach(engine)` subscribes, `detach()`
 * unsubscribes; `using` (or try/finally) works too.
 */
export class Listener {
    #off = [];
    attach(engine) {
        this.detach();
        this.#off.push(engine.notifier.on('*', (state, details) => this.onFlow(state, details)));
        this.#off.push(engine.atomNotifier.on('*', (event, details) => this.onAtom(event, details)));
        return this;
    }
    detach() {
        for (const off of this.#off.splice(0))
            off();
    }
    [Symbol.dispose]() {
        this.detach();
    }
    onFlow(_state, _details) { }
    onAtom(_event, _details) { }
}
/** Logs every flow and atom transition (and progress) through a pino-compatible logger. */
export class LoggingListener extends Listener {
    #logger;
    #level;
    constructor(logger, options = {}) {
        super();
        this.#logger = logger;
        this.#level = options.level ?? 'debug';
    }
    onFlow(state, d) {
        this.#logger[this.#level]({ flow: d.flowName, flowUuid: d.flowUuid, from: d.oldState, to: state }, `flow '${d.flowName}' ${state}`);
    }
    onAtom(event, d) {
        if (event === PROGRESS_EVENT) {
            this.#logger[this.#level]({ atom: d.atomName, progress: d.progress }, `${d.atomKind} '${d.atomName}' progress ${d.progress}`);
            return;
        }
        this.#logger[this.#level]({ atom: d.atomName, from: d.oldState, to: event }, `${d.atomKind} '${d.atomName}' ${event}`);
    }
}
/** Prints one line per transition (to stdout by default). */
export class PrintingListener extends Listener {
    #write;
    constructor(options = {}) {
        super();
        this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
    }
    onFlow(state, d) {
        this.#write(`Flow '${d.flowName}' (${d.flowUuid}) transitioned into state '${state}' from state '${d.oldState}'`);
    }
    onAtom(event, d) {
        if (event === PROGRESS_EVENT) {
            this.#write(`${capitalise(d.atomKind)} '${d.atomName}' progress ${Math.round((d.progress ?? 0) * 100)}%`);
            return;
        }
        this.#write(`${capitalise(d.atomKind)} '${d.atomName}' transitioned into state '${event}' from state '${d.oldState}'`);
    }
}
/** Measures how long each atom ran (RUNNING to its end), in milliseconds. */
export class TimingListener extends Listener {
    durations = new Map();
    #started = new Map();
    onAtom(event, d) {
        if (event === 'RUNNING' || event === 'REVERTING') {
            this.#started.set(d.atomName, performance.now());
        }
        else if (event === 'SUCCESS' || event === 'FAILURE' || event === 'REVERTED' || event === 'REVERT_FAILURE') {
            const started = this.#started.get(d.atomName);
            if (started !== undefined) {
                this.durations.set(d.atomName, performance.now() - started);
                this.#started.delete(d.atomName);
            }
        }
    }
}
/** Captures transitions as strings (`'a.t RUNNING'`, `'flow.f SUCCESS'`), for tests and debugging. */
export class CapturingListener extends Listener {
    values = [];
    #flow;
    #atoms;
    #progress;
    constructor(options = {}) {
        super();
        this.#flow = options.flow ?? true;
        this.#atoms = options.atoms ?? true;
        this.#progress = options.progress ?? false;
    }
    onFlow(state, d) {
        if (this.#flow)
            this.values.push(`flow.${d.flowName} ${state}`);
    }
    onAtom(event, d) {
        if (event === PROGRESS_EVENT) {
            if (this.#progress)
                this.values.push(`${d.atomName} progress ${d.progress}`);
            return;
        }
        if (this.#atoms)
            this.values.push(`${d.atomName} ${event}`);
    }
}
function capitalise(s) {
    return s.charAt(0).toUpperCase() + s.slice(1);
}
//# sourceMappingURL=listeners.js.map