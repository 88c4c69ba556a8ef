import { TaskCancelledError } from '@tf/core';

/** Why a held request stopped early: its abort reason, and whether the worker hands it back. */
export interface Stopped {
  readonly reason: unknown;
  /** The worker is shutting down: the request goes back to the broker instead of failing. */
  readonly handBack: boolean;
}

/** A request this worker took and has not answered yet: the abort switch of its run. */
export class Hold {
  readonly replyTo: string;
  readonly correlationId: string;
  /** When it started being held (`Date.now()`). */
  readonly since = Date.now();
  /** Called once by `HeldRequests.sweep` when it has been held longer than asked. */
  onLong: (() => void) | undefined;
  /** Made when first needed: most runs end without anyone reading their signal. */
  #controller: AbortController | undefined;
  #aborted = false;
  readonly #release: () => void;
  #stop: ((stopped: Stopped) => void) | undefined;
  /** Resolves when the run is aborted (timeout, cancel, shutdown); never otherwise. */
  readonly stopped: Promise<Stopped>;

  constructor(replyTo: string, correlationId: string, release: () => void) {
    this.replyTo = replyTo;
    this.correlationId = correlationId;
    this.#release = release;
    this.stopped = new Promise((resolve) => {
      this.#stop = resolve;
    });
  }

  /** Handed to the task as `context.signal`. */
  get signal(): AbortSignal {
    this.#controller ??= new AbortController();
    return this.#controller.signal;
  }

  /** True once aborted. */
  get aborted(): boolean {
    return this.#aborted;
  }

  /** Fires the signal with `reason` (first call wins). */
  abort(reason: unknown, handBack = false): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.signal;
    this.#controller!.abort(reason);
    this.#stop?.({ reason, handBack });
  }

  /** The request is answered or handed back: no longer held. */
  close(): void {
    this.#release();
  }
}

/** The most cancelled ids remembered for requests that have not arrived yet. */
const REMEMBERED_CANCELS = 10_000;

/**
 * The requests a worker holds, by the engine (reply topic) that sent them: what its
 * heartbeats list, and what a CANCEL or a shutdown aborts. Also remembers ids cancelled
 * before their request arrived (bounded), so such a request is refused instead of run.
 */
export class HeldRequests {
  readonly #byEngine = new Map<string, Map<string, Hold>>();
  readonly #cancelledEarly = new Set<string>();

  /** Starts holding a request. */
  open(replyTo: string, correlationId: string): Hold {
    let held = this.#byEngine.get(replyTo);
    if (!held) {
      held = new Map();
      this.#byEngine.set(replyTo, held);
    }
    const map = held;
    const hold = new Hold(replyTo, correlationId, () => {
      if (map.get(correlationId) === hold) map.delete(correlationId);
      if (map.size === 0 && this.#byEngine.get(replyTo) === map) this.#byEngine.delete(replyTo);
    });
    map.set(correlationId, hold);
    return hold;
  }

  /** Each engine with requests held here, and their correlation ids. */
  engines(): IterableIterator<[string, ReadonlyMap<string, Hold>]> {
    return this.#byEngine.entries();
  }

  /** How many requests are held. */
  get size(): number {
    let n = 0;
    for (const held of this.#byEngine.values()) n += held.size;
    return n;
  }

  /** Aborts the held requests named; the others are remembered as cancelled before arrival. */
  cancel(ids: readonly string[]): number {
    let aborted = 0;
    for (const id of ids) {
      const hold = this.#find(id);
      if (hold) {
        hold.abort(new TaskCancelledError(id, `Request '${id}' was cancelled by its engine`));
        aborted++;
      } else {
        this.#cancelledEarly.add(id);
        if (this.#cancelledEarly.size > REMEMBERED_CANCELS) {
          const oldest = this.#cancelledEarly.values().next().value;
          if (oldest !== undefined) this.#cancelledEarly.delete(oldest);
        }
      }
    }
    return aborted;
  }

  /** True (once) when `id` was cancelled before its request arrived. */
  takeEarlyCancel(id: string): boolean {
    return this.#cancelledEarly.delete(id);
  }

  /** Calls `onLong` (once) of every request held longer than `afterMs`. */
  sweep(now: number, afterMs: number): void {
    for (const held of this.#byEngine.values()) {
      for (const hold of held.values()) {
        if (hold.onLong !== undefined && now - hold.since > afterMs) {
          const call = hold.onLong;
          hold.onLong = undefined;
          call();
        }
      }
    }
  }

  /** Aborts every held request, handing it back to the broker (the worker is shutting down). */
  abortAll(reason: unknown): void {
    for (const held of this.#byEngine.values()) for (const hold of held.values()) hold.abort(reason, true);
  }

  #find(id: string): Hold | undefined {
    for (const held of this.#byEngine.values()) {
      const hold = held.get(id);
      if (hold) return hold;
    }
    return undefined;
  }
}
