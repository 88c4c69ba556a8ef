import { LIVE_BACKEND_BRAND, hasBrand } from '../brand';
import { TfError } from '../errors';
import type { AtomRecord, FlowRecord, StorageBackend } from './backend';
import { snapshotAtom, snapshotFlow } from './write-through';

/** What a {@link LiveBackend} reads: the one flow detail a storage holds. */
export interface LiveRecords {
  readonly flowUuid: string;
  flowRecord(): Readonly<FlowRecord>;
  atomRecords(): Iterable<Readonly<AtomRecord>>;
}

/**
 * The backend of a storage that was given none: it holds no copy of its own and answers
 * reads from the storage's live records (a copy per read). An in-memory store that copied
 * every change would keep every atom twice (100,000 atoms: about 15 MB more).
 * It belongs to one storage: saving into it from elsewhere is an error, because those
 * writes could not be kept (pass a `MemoryBackend` to share an in-memory store).
 */
export class LiveBackend implements StorageBackend {
  readonly #live: LiveRecords;

  constructor(live: LiveRecords) {
    this.#live = live;
  }

  /** True for a storage's own live view (which another storage cannot write through to). */
  static is(value: unknown): value is LiveBackend {
    return hasBrand(value, LIVE_BACKEND_BRAND);
  }

  saveFlow(): never {
    throw notWritable();
  }

  saveAtom(): never {
    throw notWritable();
  }

  loadFlow(flowUuid: string): FlowRecord | undefined {
    return flowUuid === this.#live.flowUuid ? snapshotFlow(this.#live.flowRecord()) : undefined;
  }

  loadAtoms(flowUuid: string): AtomRecord[] {
    if (flowUuid !== this.#live.flowUuid) return [];
    const out: AtomRecord[] = [];
    for (const record of this.#live.atomRecords()) out.push(snapshotAtom(record));
    return out;
  }
}

Object.defineProperty(LiveBackend.prototype, LIVE_BACKEND_BRAND, { value: true });

export function notWritable(): TfError {
  return new TfError(
    'TF_BACKEND_READ_ONLY',
    "this backend reads one engine's live storage and keeps nothing itself; give engines a MemoryBackend (or another backend) to share a store",
  );
}
