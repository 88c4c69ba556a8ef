import { randomUUID } from 'node:crypto';
import { InvalidArgumentError, type FlowLock, type FlowRecord, type Logger, type StorageBackend } from '@tf/core';
import { isPersistenceBackend, isStorageBackend, resolveBackend, type BackendInput } from '@tf/persistence';

/** The logbook a new flow detail goes in: a name, or a name with a uuid and metadata. */
export interface BookSelection {
  name: string;
  uuid?: string;
  meta?: Record<string, unknown>;
}

/** What an engine opened: the backend, and what a new flow detail records. */
export interface OpenedBackend {
  backend: StorageBackend;
  flowDetail?: Pick<FlowRecord, 'logbookUuid' | 'meta'>;
}

/**
 * An engine's hold on its backend: resolves it (a URL is opened here, and closed by `close()`;
 * an object is the caller's), finds or creates the logbook, and locks the flow detail while
 * the engine lives.
 */
export class PersistenceSession {
  readonly #input: BackendInput;
  readonly #book: BookSelection | undefined;
  readonly #logger: Logger;
  #backend: StorageBackend | undefined;
  #owned = false;
  #lock: FlowLock | undefined;
  #opening: Promise<OpenedBackend> | undefined;

  constructor(input: BackendInput, book: BookSelection | undefined, logger: Logger) {
    this.#input = input;
    this.#book = book;
    this.#logger = logger;
  }

  /** Opens the backend and locks `flowUuid` (once); on failure releases what it took and rethrows. */
  open(flowUuid: string): Promise<OpenedBackend> {
    this.#opening ??= this.#open(flowUuid);
    return this.#opening;
  }

  async #open(flowUuid: string): Promise<OpenedBackend> {
    const input = this.#input;
    this.#owned = !isStorageBackend(input);
    const backend = (this.#backend = this.#owned ? await resolveBackend(input, { logger: this.#logger }) : (input as StorageBackend));
    try {
      if (backend.lockFlow) this.#lock = await backend.lockFlow(flowUuid);
      const opened: OpenedBackend = { backend };
      if (this.#book) opened.flowDetail = { logbookUuid: await this.#logbook(backend, this.#book) };
      return opened;
    } catch (error) {
      await this.#release().catch((closeError: unknown) => this.#logger.warn({ err: closeError }, 'closing the backend failed'));
      throw error;
    }
  }

  async #logbook(backend: StorageBackend, book: BookSelection): Promise<string> {
    if (!isPersistenceBackend(backend)) {
      throw new InvalidArgumentError(`Option 'book' needs a backend that keeps logbooks (a @tf/persistence backend); this one does not`);
    }
    const found = book.uuid !== undefined ? await backend.loadLogbook(book.uuid) : await backend.findLogbook(book.name);
    if (found) return found.uuid;
    const saved = await backend.saveLogbook({ uuid: book.uuid ?? randomUUID(), name: book.name, meta: { ...book.meta } });
    return saved.uuid;
  }

  /** Releases the lock, and closes the backend when it was opened from a URL (after an open in progress). */
  async close(): Promise<void> {
    await this.#opening?.catch(() => undefined);
    await this.#release();
  }

  async #release(): Promise<void> {
    const lock = this.#lock;
    const backend = this.#backend;
    this.#lock = undefined;
    this.#backend = undefined;
    try {
      await lock?.release();
    } finally {
      if (this.#owned) await backend?.close?.();
    }
  }
}
