import type { AtomRecord, FlowRecord, StorageBackend, StorageBatch } from './backend';
import type { ChangeWriter } from './change-writer';

/** How much storage wrote to its backend: calls made and records sent. */
export interface WriteStatistics {
  /** Backend calls (`saveFlow`, `saveAtom` or `saveBatch`): one round trip each for a remote store. */
  roundTrips: number;
  /** Records handed to the backend (a batch counts each record in it). */
  records: number;
}

/** A copy of an atom record that later changes to the live one do not reach (histories are nested). */
export function snapshotAtom(record: Readonly<AtomRecord>): AtomRecord {
  const copy: AtomRecord = { ...record };
  if (record.history) copy.history = record.history.map((a) => ({ value: a.value, failures: { ...a.failures } }));
  if (record.meta) copy.meta = { ...record.meta };
  return copy;
}

export function snapshotFlow(record: Readonly<FlowRecord>): FlowRecord {
  const copy: FlowRecord = { ...record, store: { ...record.store } };
  if (record.meta) copy.meta = { ...record.meta };
  return copy;
}

/**
 * Writes storage's changes through to a backend, in an order a resumed engine can rely on.
 *
 * With `saveBatch` (and batching on): the first change goes out at once; changes made while
 * a write is in flight collect (the latest state of each record) and go out as one batch
 * when it settles. A batch is cut between two synchronous steps of the scheduler and holds
 * every record changed since the previous cut, and the backend applies it atomically, so
 * after any crash the store holds exactly the live state of some past instant: never an
 * atom's SUCCESS without the changes that came before it. See docs/resuming.md.
 *
 * Without `saveBatch` (or with batching off): every change is written, in the order it
 * happened, one call each, with a copy of the record; a sync backend is called at once, an
 * async one's calls queue behind its pending write.
 */
export class WriteThrough implements ChangeWriter {
  readonly statistics: WriteStatistics = { roundTrips: 0, records: 0 };
  readonly #backend: StorageBackend;
  readonly #flowUuid: string;
  readonly #batching: boolean;
  #error: unknown;
  /** Changes handed to this writer so far, and how many of them the backend has acknowledged. */
  #changes = 0;
  #acknowledged = 0;
  // batching
  #inFlight: Promise<void> | undefined;
  #dirtyFlow: FlowRecord | undefined;
  readonly #dirtyAtoms = new Map<string, AtomRecord>();
  // one by one
  #pending: Promise<void> = Promise.resolve();
  #queued = 0;

  constructor(backend: StorageBackend, flowUuid: string, options: { batching?: boolean } = {}) {
    this.#backend = backend;
    this.#flowUuid = flowUuid;
    this.#batching = (options.batching ?? true) && typeof backend.saveBatch === 'function';
  }

  /** The first write error; nothing more is written after one. */
  get error(): unknown {
    return this.#error;
  }

  /**
   * A new flow detail: with batching, the flow and every atom in one batch (the detail lists
   * its atoms from the start for one round trip); one by one, only the flow.
   */
  created(flow: FlowRecord, atoms: Iterable<AtomRecord>): void {
    if (this.#batching) for (const record of atoms) this.#dirtyAtoms.set(record.name, record);
    this.flow(flow);
  }

  /** How many changes were made so far: a mark to wait for with `durable()`. */
  get changes(): number {
    return this.#changes;
  }

  /** How many changes the backend has acknowledged (in order: every change up to this one). */
  get acknowledged(): number {
    return this.#acknowledged;
  }

  /** Resolves once the backend acknowledged every change up to `mark`; rejects with a write error. */
  async durable(mark: number): Promise<void> {
    while (this.#acknowledged < mark && this.#error === undefined) {
      const waiting = this.#inFlight ?? (this.#queued > 0 ? this.#pending : undefined);
      if (!waiting) break;
      await waiting;
    }
    if (this.#error !== undefined) throw this.#error;
  }

  flow(record: FlowRecord): void {
    if (this.#error !== undefined) return;
    this.#changes++;
    if (this.#batching) {
      this.#dirtyFlow = record;
      if (!this.#inFlight) this.#sendBatch();
      return;
    }
    this.#one('flow', snapshotFlow(record));
  }

  atom(record: AtomRecord): void {
    if (this.#error !== undefined) return;
    this.#changes++;
    if (this.#batching) {
      this.#dirtyAtoms.set(record.name, record);
      if (!this.#inFlight) this.#sendBatch();
      return;
    }
    this.#one('atom', snapshotAtom(record));
  }

  /** Waits until the backend has every change made so far; rethrows the first write error. */
  async flush(): Promise<void> {
    while (this.#inFlight) await this.#inFlight;
    await this.#pending;
    if (this.#error !== undefined) throw this.#error;
  }

  #sendBatch(): void {
    const batch: { flow?: FlowRecord; atoms: AtomRecord[] } = { atoms: [] };
    if (this.#dirtyFlow) batch.flow = snapshotFlow(this.#dirtyFlow);
    for (const record of this.#dirtyAtoms.values()) batch.atoms.push(snapshotAtom(record));
    this.#dirtyFlow = undefined;
    this.#dirtyAtoms.clear();
    const mark = this.#changes;
    this.statistics.roundTrips++;
    this.statistics.records += batch.atoms.length + (batch.flow ? 1 : 0);
    let outcome: void | Promise<void>;
    try {
      outcome = this.#backend.saveBatch!(this.#flowUuid, batch as StorageBatch);
    } catch (error) {
      this.#error ??= error;
      return;
    }
    if (!outcome || typeof outcome.then !== 'function') {
      this.#acknowledged = mark;
      return;
    }
    this.#inFlight = outcome.then(
      () => {
        this.#acknowledged = mark;
        this.#inFlight = undefined;
        if (this.#error === undefined && (this.#dirtyFlow || this.#dirtyAtoms.size > 0)) this.#sendBatch();
      },
      (error: unknown) => {
        this.#error ??= error;
        this.#inFlight = undefined;
      },
    );
  }

  /** Hands one record to the backend (`copy`: an async backend may read it after later changes to the live one). */
  #write(kind: 'flow' | 'atom', copy: FlowRecord | AtomRecord): void | Promise<void> {
    return kind === 'flow' ? this.#backend.saveFlow(copy as FlowRecord) : this.#backend.saveAtom(this.#flowUuid, copy as AtomRecord);
  }

  #one(kind: 'flow' | 'atom', copy: FlowRecord | AtomRecord): void {
    this.statistics.roundTrips++;
    this.statistics.records++;
    const mark = this.#changes;
    if (this.#queued > 0) {
      this.#queued++;
      this.#pending = this.#pending
        .then(() => (this.#error === undefined ? this.#write(kind, copy) : undefined))
        .then(() => this.#acknowledge(mark))
        .catch((error: unknown) => {
          this.#error ??= error;
        })
        .finally(() => this.#queued--);
      return;
    }
    try {
      const pending = this.#write(kind, copy);
      // A sync backend (the memory one): nothing more is made per change.
      if (!pending || typeof pending.then !== 'function') {
        this.#acknowledge(mark);
      } else {
        this.#queued++;
        this.#pending = Promise.resolve(pending)
          .then(() => this.#acknowledge(mark))
          .catch((error: unknown) => {
            this.#error ??= error;
          })
          .finally(() => this.#queued--);
      }
    } catch (error) {
      this.#error = error;
    }
  }

  #acknowledge(mark: number): void {
    if (this.#error === undefined) this.#acknowledged = mark;
  }
}
