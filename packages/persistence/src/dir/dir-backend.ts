import { mkdir, readdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { type AtomRecord, type FlowLock, type FlowRecord, InvalidArgumentError, InvalidStateError, type StorageBatch } from '@tf/core';
import { atomBatch, byUpdatedDesc, flowBatch, nowIso } from '../batch';
import { type EncodedBatch, encodeBatch, retimeFlow } from '../encoded-batch';
import { GroupCommit } from '../group-commit';
import { decodeAtomRecord, decodeFlowRecord, encodeBounded } from '../codec';
import { BackendSchemaError, BackendUnavailableError } from '../errors';
import { DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_RECORD_BYTES, positiveInteger } from '../limits';
import type { StoredFlow } from '../stored';
import type { BackendDetails, LogbookInput, LogbookRecord, PersistenceBackend } from '../types';
import { parseJson, parseStoredAtom, parseStoredFlow, parseStoredLogbook } from '../validate';
import { TEMP_PREFIX, writeFileAtomic } from './atomic-write';
import { openDirSchema } from './dir-schema';
import { fileNameOf } from './file-names';
import { acquireLockFile } from './lock-file';
import { readBounded } from './read-bounded';

/** What this backend last wrote of one flow detail: the file is rebuilt from it on each batch. */
interface FlowFile {
  flowText: string | undefined;
  flow: Pick<StoredFlow, 'createdAt' | 'updatedAt'> | undefined;
  atoms: Map<string, string>;
}

export interface DirBackendOptions {
  /** fsync each file and its folder (default true); false trades durability on power loss for speed. */
  durable?: boolean;
  maxRecordBytes?: number;
  /** The largest flow detail or logbook file read back (default 512 MiB). */
  maxFileBytes?: number;
}

const OPTION_KEYS = ['durable', 'maxRecordBytes', 'maxFileBytes'];

/**
 * `dir:///abs/path`: one JSON file per flow detail (with its atom details) and per logbook,
 * each replaced atomically (temporary file, fsync, rename); `saveBatch` is one such write.
 * A lock file per flow detail keeps two engines from writing one flow detail.
 */
export class DirBackend implements PersistenceBackend {
  readonly root: string;
  readonly #durable: boolean;
  readonly #maxRecordBytes: number;
  readonly #maxFileBytes: number;
  readonly #ready: Promise<void>;
  readonly #files = new Map<string, FlowFile>();
  readonly #writes = new GroupCommit<EncodedBatch>((flowUuid, batches) => this.#writeBatches(flowUuid, batches));
  readonly #held = new Set<FlowLock>();
  #closed = false;

  constructor(root: string, options: Readonly<Record<string, unknown>> = {}) {
    if (!isAbsolute(root))
      throw new InvalidArgumentError(`The dir backend needs an absolute path (dir:///abs/path), got ${JSON.stringify(root)}.`);
    for (const key of Object.keys(options)) {
      if (!OPTION_KEYS.includes(key))
        throw new InvalidArgumentError(`Unknown dir backend option '${key}'. Allowed: ${OPTION_KEYS.join(', ')}.`);
    }
    if (options['durable'] !== undefined && typeof options['durable'] !== 'boolean') {
      throw new InvalidArgumentError(`Dir backend option 'durable' must be a boolean.`);
    }
    this.root = root;
    this.#durable = options['durable'] !== false;
    this.#maxRecordBytes = positiveInteger(options, 'maxRecordBytes', DEFAULT_MAX_RECORD_BYTES);
    this.#maxFileBytes = positiveInteger(options, 'maxFileBytes', DEFAULT_MAX_FILE_BYTES);
    this.#ready = this.#open();
    // Surfaced by the first operation; not an unhandled rejection in between.
    this.#ready.catch(() => undefined);
  }

  /** Resolves once the folder is created or migrated; rejects as the first operation would. */
  ready(): Promise<void> {
    return this.#ready;
  }

  details(): BackendDetails {
    return { scheme: 'dir', location: this.root };
  }

  async #open(): Promise<void> {
    try {
      await mkdir(this.root, { recursive: true });
    } catch (error) {
      throw new BackendUnavailableError(`Cannot create the dir backend folder ${this.root}: ${(error as Error).message}`, { cause: error });
    }
    await openDirSchema(this.root);
  }

  async #use(): Promise<void> {
    if (this.#closed) throw new InvalidStateError(`The dir backend at ${this.root} is closed.`);
    await this.#ready;
  }

  #flowPath(flowUuid: string): string {
    return join(this.root, 'flows', `${fileNameOf(flowUuid)}.json`);
  }

  saveFlow(record: Readonly<FlowRecord>): Promise<void> {
    return this.saveBatch(record.uuid, flowBatch(record));
  }

  saveAtom(flowUuid: string, record: Readonly<AtomRecord>): Promise<void> {
    return this.saveBatch(flowUuid, atomBatch(record));
  }

  /**
   * Encoded now (a bad value rejects this batch alone, and later changes to the records do
   * not leak in); written by one atomic file replacement, together with the batches given
   * while the previous write was in flight, in the order they were given.
   */
  saveBatch(flowUuid: string, batch: Readonly<StorageBatch>): Promise<void> {
    if (this.#closed) return Promise.reject(new InvalidStateError(`The dir backend at ${this.root} is closed.`));
    let encoded: EncodedBatch;
    try {
      encoded = encodeBatch(flowUuid, batch, this.#maxRecordBytes, nowIso());
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#writes.push(flowUuid, encoded);
  }

  async #writeBatches(flowUuid: string, batches: EncodedBatch[]): Promise<void> {
    await this.#ready;
    const file = this.#files.get(flowUuid) ?? (await this.#readForWrite(flowUuid));
    const next: FlowFile = { flowText: file.flowText, flow: file.flow, atoms: new Map(file.atoms) };
    for (const batch of batches) {
      if (batch.flow) {
        const { text, createdAt, updatedAt } = retimeFlow(batch.flow, next.flow);
        next.flowText = text;
        next.flow = { createdAt, updatedAt };
      }
      for (const atom of batch.atoms) next.atoms.set(atom.stored.name, atom.text);
    }
    await writeFileAtomic(this.#flowPath(flowUuid), flowFileText(flowUuid, next), this.#durable);
    this.#files.set(flowUuid, next);
  }

  async #readForWrite(flowUuid: string): Promise<FlowFile> {
    const read = await this.#readFlowFile(flowUuid);
    if (!read) return { flowText: undefined, flow: undefined, atoms: new Map() };
    const atoms = new Map<string, string>();
    for (const [name, atom] of Object.entries(read.atoms)) atoms.set(name, JSON.stringify(atom));
    return {
      flowText: read.flow ? JSON.stringify(read.flow) : undefined,
      flow: read.flow ? { createdAt: read.flow.createdAt, updatedAt: read.flow.updatedAt } : undefined,
      atoms,
    };
  }

  /** The flow detail file as read from disk (untrusted): bounded, parsed, every record checked. */
  async #readFlowFile(flowUuid: string): Promise<{ flow: StoredFlow | undefined; atoms: Record<string, unknown> } | undefined> {
    const path = this.#flowPath(flowUuid);
    const text = await readBounded(path, this.#maxFileBytes);
    if (text === undefined) return undefined;
    const parsed = parseFlowFile(text, path);
    if (parsed.uuid !== flowUuid) throw new BackendSchemaError(path, `holds flow detail ${JSON.stringify(parsed.uuid)}, not ${flowUuid}.`);
    return parsed;
  }

  async loadFlow(flowUuid: string): Promise<FlowRecord | undefined> {
    await this.#use();
    await this.#writes.idle(flowUuid);
    const read = await this.#readFlowFile(flowUuid);
    return read?.flow && decodeFlowRecord(read.flow);
  }

  async loadAtoms(flowUuid: string): Promise<AtomRecord[]> {
    await this.#use();
    await this.#writes.idle(flowUuid);
    const path = this.#flowPath(flowUuid);
    const read = await this.#readFlowFile(flowUuid);
    if (!read) return [];
    return Object.values(read.atoms).map((atom) => decodeAtomRecord(parseStoredAtom(atom, path), path));
  }

  async saveLogbook(book: Readonly<LogbookInput>): Promise<LogbookRecord> {
    await this.#use();
    const path = join(this.root, 'logbooks', `${fileNameOf(book.uuid)}.json`);
    const previous = await this.#readLogbook(path);
    const stored: LogbookRecord = {
      uuid: book.uuid,
      name: book.name,
      meta: book.meta ?? previous?.meta ?? {},
      createdAt: previous?.createdAt ?? book.createdAt ?? nowIso(),
      updatedAt: nowIso(previous?.updatedAt),
    };
    const text = encodeBounded(stored, this.#maxRecordBytes, `Logbook ${book.uuid}`);
    await writeFileAtomic(path, text, this.#durable);
    return parseStoredLogbook(JSON.parse(text), path);
  }

  async #readLogbook(path: string): Promise<LogbookRecord | undefined> {
    const text = await readBounded(path, this.#maxFileBytes);
    return text === undefined ? undefined : parseStoredLogbook(parseJson(text, path), path);
  }

  async loadLogbook(uuid: string): Promise<LogbookRecord | undefined> {
    await this.#use();
    const book = await this.#readLogbook(join(this.root, 'logbooks', `${fileNameOf(uuid)}.json`));
    return book?.uuid === uuid ? book : undefined;
  }

  async findLogbook(name: string): Promise<LogbookRecord | undefined> {
    return (await this.listLogbooks()).find((b) => b.name === name);
  }

  async listLogbooks(): Promise<LogbookRecord[]> {
    await this.#use();
    const folder = join(this.root, 'logbooks');
    const books: LogbookRecord[] = [];
    for (const entry of await jsonFiles(folder)) {
      const book = await this.#readLogbook(join(folder, entry));
      if (book) books.push(book);
    }
    return books.sort(byUpdatedDesc);
  }

  async listFlows(logbookUuid?: string): Promise<FlowRecord[]> {
    await this.#use();
    const folder = join(this.root, 'flows');
    const flows: FlowRecord[] = [];
    for (const entry of await jsonFiles(folder)) {
      const path = join(folder, entry);
      const text = await readBounded(path, this.#maxFileBytes);
      if (text === undefined) continue;
      const { flow } = parseFlowFile(text, path);
      if (flow && (logbookUuid === undefined || flow.logbookUuid === logbookUuid)) flows.push(decodeFlowRecord(flow));
    }
    return flows.sort(byUpdatedDesc);
  }

  async lockFlow(flowUuid: string): Promise<FlowLock> {
    await this.#use();
    const file = await acquireLockFile(join(this.root, 'locks', `${fileNameOf(flowUuid)}.lock`), flowUuid);
    const lock: FlowLock = {
      release: async () => {
        this.#held.delete(lock);
        await file.release();
      },
    };
    this.#held.add(lock);
    return lock;
  }

  /** Waits for pending writes, releases this backend's flow locks, then refuses further use. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#writes.idle();
    await Promise.allSettled([...this.#held].map((lock) => lock.release()));
    this.#closed = true;
    this.#files.clear();
  }
}

function flowFileText(uuid: string, file: FlowFile): string {
  const atoms = [...file.atoms].map(([name, text]) => `${JSON.stringify(name)}:${text}`).join(',\n');
  return `{"format":"tf-flow-detail","uuid":${JSON.stringify(uuid)},\n"flow":${file.flowText ?? 'null'},\n"atoms":{\n${atoms}}}\n`;
}

function parseFlowFile(text: string, path: string): { uuid: string; flow: StoredFlow | undefined; atoms: Record<string, unknown> } {
  const parsed = parseJson(text, path) as Record<string, unknown> | null;
  if (parsed === null || typeof parsed !== 'object' || parsed['format'] !== 'tf-flow-detail' || typeof parsed['uuid'] !== 'string') {
    throw new BackendSchemaError(path, 'not a tf flow detail file.');
  }
  const atoms = parsed['atoms'];
  if (atoms === null || typeof atoms !== 'object' || Array.isArray(atoms)) throw new BackendSchemaError(path, "'atoms' is not an object.");
  for (const [name, atom] of Object.entries(atoms as Record<string, unknown>)) {
    if (parseStoredAtom(atom, path).name !== name) throw new BackendSchemaError(path, `atom detail under '${name}' names another atom.`);
  }
  const flow = parsed['flow'] === null ? undefined : parseStoredFlow(parsed['flow'], path);
  return { uuid: parsed['uuid'], flow, atoms: atoms as Record<string, unknown> };
}

async function jsonFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder);
  return entries.filter((e) => e.endsWith('.json') && !e.startsWith(TEMP_PREFIX) && !e.startsWith('.')).sort();
}
