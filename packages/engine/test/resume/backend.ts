/**
 * A backend for resume tests: keeps copies (never the live records), writes asynchronously in
 * batches (so storage coalesces), counts round trips, can "crash" (drops every later write, as
 * a store whose engine died) and locks flow details like a persistent backend.
 */
import { FlowLockedError, type AtomRecord, type FlowLock, type FlowRecord, type StorageBackend, type StorageBatch } from '@tf/core';

function copyAtom(record: Readonly<AtomRecord>): AtomRecord {
  const copy: AtomRecord = { ...record };
  if (record.history) copy.history = record.history.map((a) => ({ value: a.value, failures: { ...a.failures } }));
  return copy;
}

export class SnapshotBackend implements StorageBackend {
  readonly flows = new Map<string, FlowRecord>();
  readonly atoms = new Map<string, Map<string, AtomRecord>>();
  readonly locks = new Map<string, number>();
  roundTrips = 0;
  closed = 0;
  #crashed = false;
  #nextLock = 1;

  constructor(readonly options: { batch?: boolean; delayMs?: number } = {}) {
    if (options.batch === false) (this as { saveBatch?: unknown }).saveBatch = undefined;
  }

  /** From now on nothing is written: what the store holds is what a dead engine left. */
  crash(): void {
    this.#crashed = true;
  }

  /** A new engine starts: writes count again. */
  restart(): void {
    this.#crashed = false;
  }

  #tick(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.options.delayMs ?? 0));
  }

  async saveFlow(record: Readonly<FlowRecord>): Promise<void> {
    this.roundTrips++;
    await this.#tick();
    if (!this.#crashed) this.flows.set(record.uuid, { ...record, store: { ...record.store } });
  }

  async saveAtom(flowUuid: string, record: Readonly<AtomRecord>): Promise<void> {
    this.roundTrips++;
    await this.#tick();
    if (!this.#crashed) this.#atomsOf(flowUuid).set(record.name, copyAtom(record));
  }

  async saveBatch(flowUuid: string, batch: Readonly<StorageBatch>): Promise<void> {
    this.roundTrips++;
    await this.#tick();
    if (this.#crashed) return;
    if (batch.flow) this.flows.set(flowUuid, { ...batch.flow, store: { ...batch.flow.store } });
    for (const record of batch.atoms) this.#atomsOf(flowUuid).set(record.name, copyAtom(record));
  }

  loadFlow(flowUuid: string): FlowRecord | undefined {
    const record = this.flows.get(flowUuid);
    return record && { ...record, store: { ...record.store } };
  }

  loadAtoms(flowUuid: string): AtomRecord[] {
    return [...(this.atoms.get(flowUuid)?.values() ?? [])].map(copyAtom);
  }

  async lockFlow(flowUuid: string): Promise<FlowLock> {
    const holder = this.locks.get(flowUuid);
    if (holder !== undefined) throw new FlowLockedError(flowUuid, { detail: `test lock ${holder}` });
    const id = this.#nextLock++;
    this.locks.set(flowUuid, id);
    return {
      release: async () => {
        if (this.locks.get(flowUuid) === id) this.locks.delete(flowUuid);
      },
    };
  }

  async close(): Promise<void> {
    this.closed++;
  }

  /** Puts a flow detail in the store as a dead engine would have left it. */
  put(flow: FlowRecord, atoms: AtomRecord[]): void {
    this.flows.set(flow.uuid, flow);
    for (const atom of atoms) this.#atomsOf(flow.uuid).set(atom.name, atom);
  }

  #atomsOf(flowUuid: string): Map<string, AtomRecord> {
    let atoms = this.atoms.get(flowUuid);
    if (!atoms) this.atoms.set(flowUuid, (atoms = new Map()));
    return atoms;
  }
}
