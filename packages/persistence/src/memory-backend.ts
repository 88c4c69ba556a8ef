import {
  type AtomRecord,
  type FlowLock,
  FlowLockedError,
  type FlowRecord,
  InvalidArgumentError,
  InvalidStateError,
  type StorageBatch,
} from '@tf/core';
import { atomBatch, byUpdatedDesc, flowBatch, lastPerAtom, nowIso } from './batch';
import { decodeAtomRecord, decodeFlowRecord, encodeAtomRecord, encodeBounded, encodeFlowRecord } from './codec';
import { DEFAULT_MAX_RECORD_BYTES, positiveInteger } from './limits';
import type { StoredAtom, StoredFlow, StoredLogbook } from './stored';
import type { BackendDetails, LogbookInput, LogbookRecord, PersistenceBackend } from './types';

/** One in-memory store: what a backend instance reads and writes. */
interface MemoryStore {
  readonly flows: Map<string, string>;
  readonly atoms: Map<string, Map<string, string>>;
  readonly books: Map<string, StoredLogbook>;
  readonly locks: Set<string>;
}

const newStore = (): MemoryStore => ({ flows: new Map(), atoms: new Map(), books: new Map(), locks: new Set() });

const NAMED_KEY = Symbol.for('tf.persistence.memory.stores');
/** `memory://name`: one store per name in the process (on globalThis, so copies of this package share it). */
function namedStore(name: string): MemoryStore {
  const holder = globalThis as unknown as Record<symbol, Map<string, MemoryStore> | undefined>;
  const stores = (holder[NAMED_KEY] ??= new Map());
  let store = stores.get(name);
  if (!store) stores.set(name, (store = newStore()));
  return store;
}

/**
 * `memory://`: logbooks, flow details and atom details in this process's memory. Records are
 * stored as JSON text, as the persistent backends store them, so what comes back (copies,
 * failures as `Failure` objects, a non-JSON result refused) is what a persistent backend gives.
 * `memory://` is a store of its own; `memory://name` is shared by every backend of that name
 * in the process (so a second engine sees it, and flow locks apply between them).
 */
export class MemoryPersistenceBackend implements PersistenceBackend {
  readonly #maxRecordBytes: number;
  readonly #name: string;
  readonly #flows: Map<string, string>;
  readonly #atoms: Map<string, Map<string, string>>;
  readonly #books: Map<string, StoredLogbook>;
  readonly #locks: Set<string>;
  readonly #held = new Set<FlowLock>();
  #closed = false;

  /** `name`: share the process-wide store of that name (`memory://name`); absent, a store of its own. */
  constructor(options: Readonly<Record<string, unknown>> = {}, name = '') {
    for (const key of Object.keys(options)) {
      if (key !== 'maxRecordBytes') throw new InvalidArgumentError(`Unknown memory backend option '${key}'. Allowed: maxRecordBytes.`);
    }
    this.#maxRecordBytes = positiveInteger(options, 'maxRecordBytes', DEFAULT_MAX_RECORD_BYTES);
    this.#name = name;
    const store = name === '' ? newStore() : namedStore(name);
    this.#flows = store.flows;
    this.#atoms = store.atoms;
    this.#books = store.books;
    this.#locks = store.locks;
  }

  details(): BackendDetails {
    return { scheme: 'memory', location: this.#name === '' ? 'this process' : `this process, store '${this.#name}'` };
  }

  async saveFlow(record: Readonly<FlowRecord>): Promise<void> {
    return this.saveBatch(record.uuid, flowBatch(record));
  }

  async saveAtom(flowUuid: string, record: Readonly<AtomRecord>): Promise<void> {
    return this.saveBatch(flowUuid, atomBatch(record));
  }

  async saveBatch(flowUuid: string, batch: Readonly<StorageBatch>): Promise<void> {
    this.#open();
    // Encode everything first: a batch with a bad value changes nothing.
    let flowText: string | undefined;
    if (batch.flow) {
      const previous = this.#flows.get(flowUuid);
      const prev = previous === undefined ? undefined : (JSON.parse(previous) as StoredFlow);
      const stored = encodeFlowRecord({ ...batch.flow, uuid: flowUuid }, nowIso(prev?.updatedAt), prev);
      flowText = encodeBounded(stored, this.#maxRecordBytes, `Flow detail ${flowUuid}`);
    }
    const atomTexts = lastPerAtom(batch.atoms).map(
      (record) =>
        [
          record.name,
          encodeBounded(encodeAtomRecord(flowUuid, record), this.#maxRecordBytes, `Atom '${record.name}' of flow detail ${flowUuid}`),
        ] as const,
    );
    if (flowText !== undefined) this.#flows.set(flowUuid, flowText);
    if (atomTexts.length) {
      let atoms = this.#atoms.get(flowUuid);
      if (!atoms) this.#atoms.set(flowUuid, (atoms = new Map()));
      for (const [name, text] of atomTexts) atoms.set(name, text);
    }
  }

  async loadFlow(flowUuid: string): Promise<FlowRecord | undefined> {
    this.#open();
    const text = this.#flows.get(flowUuid);
    return text === undefined ? undefined : decodeFlowRecord(JSON.parse(text) as StoredFlow);
  }

  async loadAtoms(flowUuid: string): Promise<AtomRecord[]> {
    this.#open();
    const atoms = this.#atoms.get(flowUuid);
    if (!atoms) return [];
    return [...atoms.values()].map((text) => decodeAtomRecord(JSON.parse(text) as StoredAtom, `memory:${flowUuid}`));
  }

  async saveLogbook(book: Readonly<LogbookInput>): Promise<LogbookRecord> {
    this.#open();
    const previous = this.#books.get(book.uuid);
    const meta = book.meta ?? previous?.meta ?? {};
    encodeBounded(meta, this.#maxRecordBytes, `Logbook ${book.uuid}`);
    const stored: StoredLogbook = {
      uuid: book.uuid,
      name: book.name,
      meta: JSON.parse(JSON.stringify(meta)) as Record<string, unknown>,
      createdAt: previous?.createdAt ?? book.createdAt ?? nowIso(),
      updatedAt: nowIso(previous?.updatedAt),
    };
    this.#books.set(book.uuid, stored);
    return structuredClone(stored);
  }

  async loadLogbook(uuid: string): Promise<LogbookRecord | undefined> {
    this.#open();
    const book = this.#books.get(uuid);
    return book && structuredClone(book);
  }

  async findLogbook(name: string): Promise<LogbookRecord | undefined> {
    return (await this.listLogbooks()).find((b) => b.name === name);
  }

  async listLogbooks(): Promise<LogbookRecord[]> {
    this.#open();
    return [...this.#books.values()].map((b) => structuredClone(b)).sort(byUpdatedDesc);
  }

  async listFlows(logbookUuid?: string): Promise<FlowRecord[]> {
    this.#open();
    const flows = [...this.#flows.values()].map((text) => decodeFlowRecord(JSON.parse(text) as StoredFlow));
    return flows.filter((f) => logbookUuid === undefined || f.logbookUuid === logbookUuid).sort(byUpdatedDesc);
  }

  async lockFlow(flowUuid: string): Promise<FlowLock> {
    this.#open();
    if (this.#locks.has(flowUuid)) throw new FlowLockedError(flowUuid, { pid: process.pid, detail: 'another engine in this process' });
    this.#locks.add(flowUuid);
    let released = false;
    const lock: FlowLock = {
      release: async () => {
        if (released) return;
        released = true;
        this.#held.delete(lock);
        this.#locks.delete(flowUuid);
      },
    };
    this.#held.add(lock);
    return lock;
  }

  /** Releases this backend's flow locks; a named store keeps its contents for the next backend. */
  async close(): Promise<void> {
    await Promise.all([...this.#held].map((lock) => lock.release()));
    this.#closed = true;
  }

  #open(): void {
    if (this.#closed) throw new InvalidStateError('The memory:// backend is closed.');
  }
}
