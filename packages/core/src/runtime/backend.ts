import type { AtomState, FlowState, Intention } from './states';

/** What storage keeps of one atom. Values are kept as given (a persistent backend serialises them). */
export interface AtomRecord {
  name: string;
  kind: 'task' | 'retry';
  state: AtomState;
  intention: Intention;
  /** `execute`'s result when it succeeded. */
  result?: unknown;
  /** The failure `execute` raised (a `Failure`). */
  failure?: unknown;
  /** What `revert` returned, or the failure it raised (`revertFailure`). */
  revertResult?: unknown;
  revertFailure?: unknown;
  /** Last reported progress, 0..1. */
  progress: number;
  /** Retry controllers: past attempts, `{ value, failures }`. */
  history?: { value: unknown; failures: Record<string, unknown> }[];
  /** The atom detail's own id (TaskFlow's `AtomDetail.uuid`); persistent backends fill it when absent. */
  uuid?: string;
  /** The version of the atom that produced this record (the task's `version`). */
  version?: number;
  /** Free-form metadata kept with the atom detail. */
  meta?: Record<string, unknown>;
}

/** What storage keeps of the flow. */
export interface FlowRecord {
  uuid: string;
  name: string;
  state: FlowState;
  /** The values given to `load(..., { store })` and `storage.inject()`. */
  store: Record<string, unknown>;
  /** The logbook this flow detail belongs to, when it was saved under one. */
  logbookUuid?: string;
  /** Free-form metadata kept with the flow detail. */
  meta?: Record<string, unknown>;
  /** ISO 8601 times; backends fill them (`createdAt` is kept from the first save). */
  createdAt?: string;
  updatedAt?: string;
}

/** One round trip's worth of writes for one flow detail: `StorageBackend.saveBatch`. */
export interface StorageBatch {
  flow?: Readonly<FlowRecord>;
  /** In the order they happened; a later record of the same atom wins. */
  atoms: readonly Readonly<AtomRecord>[];
}

/** Held by one engine over one flow detail until `release()`: `StorageBackend.lockFlow`. */
export interface FlowLock {
  release(): Promise<void>;
}

/**
 * Where storage writes through to. The runtime never reads from a backend while
 * running (storage keeps the live copy); backends exist so that runs can be kept
 * and inspected, or resumed by a later engine. Methods may return promises: the
 * storage chains them in order and `storage.flush()` waits for them.
 */
export interface StorageBackend {
  saveFlow(record: Readonly<FlowRecord>): void | Promise<void>;
  saveAtom(flowUuid: string, record: Readonly<AtomRecord>): void | Promise<void>;
  loadFlow(flowUuid: string): FlowRecord | undefined | Promise<FlowRecord | undefined>;
  loadAtoms(flowUuid: string): AtomRecord[] | Promise<AtomRecord[]>;
  /**
   * Writes a flow record and atom records in one round trip, atomically where the store
   * allows (a transaction, one file write). Storage uses it instead of `saveFlow`/`saveAtom`
   * when present.
   */
  saveBatch?(flowUuid: string, batch: Readonly<StorageBatch>): void | Promise<void>;
  /**
   * Claims the flow detail for this engine; rejects with `FlowLockedError` (`TF_FLOW_LOCKED`)
   * naming the holder when another live engine holds it.
   */
  lockFlow?(flowUuid: string): Promise<FlowLock>;
  /** Releases connections and files. */
  close?(): Promise<void>;
}

/** Keeps everything in this process: one store engines can share. (A storage given no backend keeps its live records only.) */
export class MemoryBackend implements StorageBackend {
  readonly #flows = new Map<string, FlowRecord>();
  readonly #atoms = new Map<string, Map<string, AtomRecord>>();

  saveFlow(record: Readonly<FlowRecord>): void {
    this.#flows.set(record.uuid, { ...record, store: { ...record.store } });
  }

  saveAtom(flowUuid: string, record: Readonly<AtomRecord>): void {
    let atoms = this.#atoms.get(flowUuid);
    if (!atoms) this.#atoms.set(flowUuid, (atoms = new Map()));
    atoms.set(record.name, record as AtomRecord);
  }

  loadFlow(flowUuid: string): FlowRecord | undefined {
    const record = this.#flows.get(flowUuid);
    return record && { ...record, store: { ...record.store } };
  }

  loadAtoms(flowUuid: string): AtomRecord[] {
    return [...(this.#atoms.get(flowUuid)?.values() ?? [])].map((r) => ({ ...r }));
  }
}
