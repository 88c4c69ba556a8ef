import type { Logger } from '../logger';
import { PROGRESS_EVENT } from '../protocol/constants';
import type { AtomEventDetails, FlowEventDetails } from './events';
import type { Notifier } from './notifier';

/** Anything with the two notifiers of an engine. */
export interface Observable {
  readonly notifier: Notifier<FlowEventDetails>;
  readonly atomNotifier: Notifier<AtomEventDetails>;
}

/**
 * The base of the ready-made listeners: `attach(engine)` subscribes, `detach()`
 * unsubscribes; `using` (or try/finally) works too.
 */
export abstract class Listener {
  #off: (() => void)[] = [];

  attach(engine: Observable): this {
    this.detach();
    this.#off.push(engine.notifier.on('*', (state, details) => this.onFlow(state, details)));
    this.#off.push(engine.atomNotifier.on('*', (event, details) => this.onAtom(event, details)));
    return this;
  }

  detach(): void {
    for (const off of this.#off.splice(0)) off();
  }

  [Symbol.dispose](): void {
    this.detach();
  }

  protected onFlow(_state: string, _details: FlowEventDetails): void {}
  protected onAtom(_event: string, _details: AtomEventDetails): void {}
}

/** Logs every flow and atom transition (and progress) through a pino-compatible logger. */
export class LoggingListener extends Listener {
  readonly #logger: Logger;
  readonly #level: 'info' | 'debug' | 'trace';

  constructor(logger: Logger, options: { level?: 'info' | 'debug' | 'trace' } = {}) {
    super();
    this.#logger = logger;
    this.#level = options.level ?? 'debug';
  }

  protected override onFlow(state: string, d: FlowEventDetails): void {
    this.#logger[this.#level]({ flow: d.flowName, flowUuid: d.flowUuid, from: d.oldState, to: state }, `flow '${d.flowName}' ${state}`);
  }

  protected override onAtom(event: string, d: AtomEventDetails): void {
    if (event === PROGRESS_EVENT) {
      this.#logger[this.#level]({ atom: d.atomName, progress: d.progress }, `${d.atomKind} '${d.atomName}' progress ${d.progress}`);
      return;
    }
    this.#logger[this.#level]({ atom: d.atomName, from: d.oldState, to: event }, `${d.atomKind} '${d.atomName}' ${event}`);
  }
}

/** Prints one line per transition (to stdout by default). */
export class PrintingListener extends Listener {
  readonly #write: (line: string) => void;

  constructor(options: { write?: (line: string) => void } = {}) {
    super();
    this.#write = options.write ?? ((line) => process.stdout.write(`${line}\n`));
  }

  protected override onFlow(state: string, d: FlowEventDetails): void {
    this.#write(`Flow '${d.flowName}' (${d.flowUuid}) transitioned into state '${state}' from state '${d.oldState}'`);
  }

  protected override onAtom(event: string, d: AtomEventDetails): void {
    if (event === PROGRESS_EVENT) {
      this.#write(`${capitalise(d.atomKind)} '${d.atomName}' progress ${Math.round((d.progress ?? 0) * 100)}%`);
      return;
    }
    this.#write(`${capitalise(d.atomKind)} '${d.atomName}' transitioned into state '${event}' from state '${d.oldState}'`);
  }
}

/** Measures how long each atom ran (RUNNING to its end), in milliseconds. */
export class TimingListener extends Listener {
  readonly durations = new Map<string, number>();
  readonly #started = new Map<string, number>();

  protected override onAtom(event: string, d: AtomEventDetails): void {
    if (event === 'RUNNING' || event === 'REVERTING') {
      this.#started.set(d.atomName, performance.now());
    } else if (event === 'SUCCESS' || event === 'FAILURE' || event === 'REVERTED' || event === 'REVERT_FAILURE') {
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
  readonly values: string[] = [];
  readonly #flow: boolean;
  readonly #atoms: boolean;
  readonly #progress: boolean;

  constructor(options: { flow?: boolean; atoms?: boolean; progress?: boolean } = {}) {
    super();
    this.#flow = options.flow ?? true;
    this.#atoms = options.atoms ?? true;
    this.#progress = options.progress ?? false;
  }

  protected override onFlow(state: string, d: FlowEventDetails): void {
    if (this.#flow) this.values.push(`flow.${d.flowName} ${state}`);
  }

  protected override onAtom(event: string, d: AtomEventDetails): void {
    if (event === PROGRESS_EVENT) {
      if (this.#progress) this.values.push(`${d.atomName} progress ${d.progress}`);
      return;
    }
    if (this.#atoms) this.values.push(`${d.atomName} ${event}`);
  }
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
