import { randomUUID } from 'node:crypto';
import type { AtomNode, CompiledFlow } from '../compiler/types';
import { MissingRequirementsError } from '../compiler/errors';
import { NotFoundError } from '../errors';
import { Failure } from '../failure/failure';
import { RetryHistory } from '../atoms/retry';
import type { AtomRecord, FlowRecord, StorageBackend } from './backend';
import { NoWriter, type ChangeWriter } from './change-writer';
import { FlowMismatchError } from './flow-mismatch-error';
import { LiveBackend, notWritable } from './live-backend';
import type { AtomState, FlowState, Intention } from './states';
import { snapshotAtom, snapshotFlow, WriteThrough, type WriteStatistics } from './write-through';

/** A flow detail as a backend returned it: storage resumes from it. */
export interface LoadedFlowDetail {
  flow: FlowRecord;
  atoms: readonly AtomRecord[];
}

export interface StorageOptions {
  /** Where changes are written through to. Without one, the live records are the only copy and `storage.backend` reads them. */
  backend?: StorageBackend;
  /** Values added to the store (over a loaded flow detail's store). */
  store?: Record<string, unknown>;
  /** Ignored when `loaded` is given (its uuid is the flow's). */
  flowUuid?: string;
  /** Start from this flow detail instead of a new one: states, intentions, results, failures, histories. */
  loaded?: LoadedFlowDetail;
  /** Kept in a new flow record: the logbook it belongs to, and metadata. */
  flowDetail?: Pick<FlowRecord, 'logbookUuid' | 'meta'>;
  /** Coalesce writes into `saveBatch` calls while one is in flight (default true; off: one call per change). */
  batchWrites?: boolean;
}

const NOTHING = Symbol('nothing');

/** A failure as a backend gave it back: a `Failure`, TaskFlow's dict form, or anything else (kept as what was thrown). */
function asFailure(value: unknown): Failure {
  if (Failure.is(value)) return value;
  try {
    return Failure.fromDict(value);
  } catch {
    return Failure.fromError(value);
  }
}

/** A loaded record's failures as `Failure` objects, whatever the backend returned: storage hands them out as such. */
function withFailureObjects(record: AtomRecord): AtomRecord {
  // A backend that stores "no failure" as null means what undefined means here.
  if (record.failure === null) delete record.failure;
  else if (record.failure !== undefined) record.failure = asFailure(record.failure);
  if (record.revertFailure === null) delete record.revertFailure;
  else if (record.revertFailure !== undefined) record.revertFailure = asFailure(record.revertFailure);
  if (record.history) {
    for (const attempt of record.history) {
      for (const name of Object.keys(attempt.failures)) attempt.failures[name] = asFailure(attempt.failures[name]);
    }
  }
  return record;
}

/**
 * The live state of one flow run: atom states and intentions, results and failures,
 * the store, retry histories. Symbols are resolved as TaskFlow does: an atom's own
 * `inject`, then the store, then the nearest provider that produced a result.
 */
export class Storage {
  readonly flowUuid: string;
  readonly backend: StorageBackend;
  readonly #compiled: CompiledFlow;
  readonly #flow: FlowRecord;
  readonly #atoms = new Map<string, AtomRecord>();
  /** symbol -> provider atom names, in topological order. */
  readonly #providers = new Map<string, string[]>();
  readonly #writer: ChangeWriter;
  /** The flow state the backend held when storage was built from a loaded flow detail. */
  readonly loadedFlowState: FlowState | undefined;

  constructor(compiled: CompiledFlow, options: StorageOptions = {}) {
    this.#compiled = compiled;
    const loaded = options.loaded;
    this.flowUuid = loaded?.flow.uuid ?? options.flowUuid ?? randomUUID();
    if (options.backend) {
      // Refused before anything runs: its first write would fail only after tasks had started.
      if (LiveBackend.is(options.backend)) throw notWritable();
      this.backend = options.backend;
      this.#writer = new WriteThrough(this.backend, this.flowUuid, { batching: options.batchWrites ?? true });
    } else {
      this.backend = new LiveBackend({ flowUuid: this.flowUuid, flowRecord: () => this.#flow, atomRecords: () => this.#atoms.values() });
      this.#writer = new NoWriter();
    }
    if (loaded) {
      this.loadedFlowState = loaded.flow.state;
      this.#flow = snapshotFlow(loaded.flow);
      Object.assign(this.#flow.store, options.store);
    } else {
      this.#flow = { uuid: this.flowUuid, name: compiled.root.name, state: 'PENDING', store: { ...options.store } };
      if (options.flowDetail?.logbookUuid !== undefined) this.#flow.logbookUuid = options.flowDetail.logbookUuid;
      if (options.flowDetail?.meta !== undefined) this.#flow.meta = { ...options.flowDetail.meta };
    }
    const restored = loaded ? this.#restorable(loaded) : undefined;
    for (const node of compiled.atoms) {
      let record = restored?.get(node.name);
      if (!record) {
        record = { name: node.name, kind: node.kind, state: 'PENDING', intention: 'EXECUTE', progress: 0 };
        if (node.kind === 'retry') record.history = [];
      }
      this.#atoms.set(node.name, record);
      for (const symbol of node.atom.provides) {
        let list = this.#providers.get(symbol);
        if (!list) this.#providers.set(symbol, (list = []));
        list.push(node.name);
      }
    }
    if (loaded) this.#writer.flow(this.#flow);
    else this.#writer.created(this.#flow, this.#atoms.values());
  }

  /** The loaded atom records by name, checked against the flow (FlowMismatchError). */
  #restorable(loaded: LoadedFlowDetail): Map<string, AtomRecord> {
    const records = new Map<string, AtomRecord>();
    const unknownAtoms: string[] = [];
    const kindChanged: string[] = [];
    for (const record of loaded.atoms) {
      const node = this.#compiled.get(record.name);
      if (!node) unknownAtoms.push(record.name);
      else if (node.kind !== record.kind) kindChanged.push(record.name);
      else records.set(record.name, withFailureObjects(snapshotAtom(record)));
    }
    if (unknownAtoms.length > 0 || kindChanged.length > 0) {
      const newAtoms = this.#compiled.atoms.filter((n) => !records.has(n.name) && !kindChanged.includes(n.name)).map((n) => n.name);
      throw new FlowMismatchError(this.flowUuid, { unknownAtoms, kindChanged, newAtoms });
    }
    return records;
  }

  /** Backend calls made so far and records sent. */
  get writeStatistics(): Readonly<WriteStatistics> {
    return this.#writer.statistics;
  }

  // --- flow -------------------------------------------------------------------------

  get flowName(): string {
    return this.#flow.name;
  }

  get flowState(): FlowState {
    return this.#flow.state;
  }

  setFlowState(state: FlowState): void {
    this.#flow.state = state;
    this.#writer.flow(this.#flow);
  }

  /** Adds values to the store (what atoms read when no atom provides a symbol). */
  inject(values: Record<string, unknown>): void {
    Object.assign(this.#flow.store, values);
    this.#writer.flow(this.#flow);
  }

  /** The symbols the store holds. */
  get storeKeys(): string[] {
    return Object.keys(this.#flow.store);
  }

  // --- atoms ------------------------------------------------------------------------

  #record(name: string): AtomRecord {
    const record = this.#atoms.get(name);
    if (!record) throw new NotFoundError(`No atom named '${name}' in flow '${this.#flow.name}'`);
    return record;
  }

  /** A read-only snapshot of an atom's record. */
  atom(name: string): Readonly<AtomRecord> {
    return { ...this.#record(name) };
  }

  atomNames(): string[] {
    return [...this.#atoms.keys()];
  }

  getState(name: string): AtomState {
    return this.#record(name).state;
  }

  /** Every atom's state, by name. */
  getStates(): Record<string, AtomState> {
    const out: Record<string, AtomState> = {};
    for (const [name, record] of this.#atoms) out[name] = record.state;
    return out;
  }

  getIntention(name: string): Intention {
    return this.#record(name).intention;
  }

  /** Sets the state; going back to PENDING forgets results, failures and progress. */
  setState(name: string, state: AtomState): void {
    const record = this.#record(name);
    record.state = state;
    if (state === 'PENDING') {
      delete record.result;
      delete record.failure;
      delete record.revertResult;
      delete record.revertFailure;
      record.progress = 0;
    }
    this.#save(record);
  }

  setIntention(name: string, intention: Intention): void {
    const record = this.#record(name);
    if (record.intention === intention) return;
    record.intention = intention;
    this.#save(record);
  }

  saveResult(name: string, result: unknown): void {
    const record = this.#record(name);
    record.result = result;
    delete record.failure;
    this.#save(record);
  }

  saveFailure(name: string, failure: Failure): void {
    const record = this.#record(name);
    record.failure = failure;
    delete record.result;
    this.#save(record);
  }

  saveRevertResult(name: string, result: unknown): void {
    const record = this.#record(name);
    record.revertResult = result;
    delete record.revertFailure;
    this.#save(record);
  }

  saveRevertFailure(name: string, failure: Failure): void {
    const record = this.#record(name);
    record.revertFailure = failure;
    this.#save(record);
  }

  setProgress(name: string, progress: number): void {
    this.#record(name).progress = progress;
  }

  getProgress(name: string): number {
    return this.#record(name).progress;
  }

  /** What the atom's `execute` produced: its result, its Failure, or undefined. */
  get(name: string): unknown {
    const record = this.#record(name);
    return record.failure !== undefined ? record.failure : record.result;
  }

  /** Atoms whose `execute` failed, with their failures. */
  getFailures(): Record<string, Failure> {
    const out: Record<string, Failure> = {};
    for (const [name, record] of this.#atoms) if (record.failure !== undefined) out[name] = record.failure as Failure;
    return out;
  }

  /** Atoms whose `revert` failed, with their failures. */
  getRevertFailures(): Record<string, Failure> {
    const out: Record<string, Failure> = {};
    for (const [name, record] of this.#atoms) {
      if (record.revertFailure !== undefined) out[name] = record.revertFailure as Failure;
    }
    return out;
  }

  // --- retry histories --------------------------------------------------------------

  getHistory(retryName: string): RetryHistory {
    const record = this.#record(retryName);
    const attempts = (record.history ?? []).map((a) => ({ value: a.value, failures: { ...a.failures } as Record<string, Failure> }));
    return new RetryHistory(attempts, record.failure as Failure | undefined);
  }

  /** Starts a new attempt of a retry controller with the value its `execute` returned. */
  addRetryAttempt(retryName: string, value: unknown): void {
    const record = this.#record(retryName);
    (record.history ??= []).push({ value, failures: {} });
    this.#save(record);
  }

  /** Records a failure in the scope of a retry controller, in its current attempt. */
  addRetryFailure(retryName: string, atomName: string, failure: Failure): void {
    const record = this.#record(retryName);
    const history = (record.history ??= []);
    if (history.length === 0) history.push({ value: undefined, failures: {} });
    history[history.length - 1]!.failures[atomName] = failure;
    this.#save(record);
  }

  clearHistory(retryName: string): void {
    const record = this.#record(retryName);
    record.history = [];
    this.#save(record);
  }

  // --- symbols ----------------------------------------------------------------------

  /** The value of a symbol: from the store, else from the latest provider with a result. */
  fetch(symbol: string): unknown {
    const value = this.#lookup(symbol);
    if (value === NOTHING) throw new NotFoundError(`Symbol '${symbol}' has no value (no provider produced it and the store lacks it)`);
    return value;
  }

  /** Every symbol with a value: the store plus whatever atoms provided. */
  fetchAll(): Record<string, unknown> {
    const out: Record<string, unknown> = { ...this.#flow.store };
    for (const symbol of this.#providers.keys()) {
      const value = this.#lookup(symbol);
      if (value !== NOTHING) out[symbol] = value;
    }
    return out;
  }

  /** The arguments an atom's `execute` (and `revert`) receives, by argument name (read from `argList`: the `args` map is built per atom on first use). */
  fetchArgs(node: AtomNode): Record<string, unknown> {
    const args: Record<string, unknown> = {};
    let missing: string[] | undefined;
    const inject = node.atom.inject;
    for (const binding of node.argList) {
      let value: unknown = NOTHING;
      if (binding.injected) value = inject[binding.symbol];
      else if (Object.hasOwn(this.#flow.store, binding.symbol)) {
        value = this.#flow.store[binding.symbol];
      } else if (binding.provider !== undefined) {
        value = this.#fromProvider(binding.provider, binding.key);
      }
      if (value !== NOTHING) args[binding.arg] = value;
      else if (!binding.optional) (missing ??= []).push(binding.symbol);
    }
    if (missing) {
      throw new MissingRequirementsError(missing.map((symbol) => ({ symbol, requiredBy: [node.name] })));
    }
    return args;
  }

  #lookup(symbol: string): unknown {
    if (Object.hasOwn(this.#flow.store, symbol)) return this.#flow.store[symbol];
    const providers = this.#providers.get(symbol);
    if (providers) {
      for (let i = providers.length - 1; i >= 0; i--) {
        const node = this.#compiled.get(providers[i]!);
        const value = this.#fromProvider(providers[i]!, node?.atom.saveAs.get(symbol));
        if (value !== NOTHING) return value;
      }
    }
    return NOTHING;
  }

  #fromProvider(provider: string, key: string | number | null | undefined): unknown {
    const record = this.#atoms.get(provider);
    if (!record || record.state === 'IGNORE' || record.failure !== undefined || !('result' in record)) return NOTHING;
    const result = record.result;
    if (key === null || key === undefined) return result;
    if (result === null || typeof result !== 'object') return NOTHING;
    const container = result as Record<string | number, unknown>;
    return key in container ? container[key] : NOTHING;
  }

  // --- persistence ------------------------------------------------------------------

  #save(record: AtomRecord): void {
    this.#writer.atom(record);
  }

  /** The first error a backend write raised (nothing is written after it), or undefined. */
  get writeError(): unknown {
    return this.#writer.error;
  }

  /** A mark for `durable()`: the changes made so far. */
  get changeMark(): number {
    return this.#writer.changes;
  }

  /** Whether the backend acknowledged every change up to `mark`. */
  isDurable(mark: number): boolean {
    return this.#writer.acknowledged >= mark;
  }

  /** Resolves once the backend acknowledged every change up to `mark`; rejects with the first write error. */
  durable(mark: number): Promise<void> {
    return this.#writer.durable(mark);
  }

  /** Waits for the backend to have every write; rethrows the first write error. */
  flush(): Promise<void> {
    return this.#writer.flush();
  }
}
