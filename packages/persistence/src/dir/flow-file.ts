import { type FileHandle, open, truncate, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BackendSchemaError } from '../errors';
import type { StoredAtom, StoredFlow } from '../stored';
import { parseJson, parseStoredAtom, parseStoredFlow } from '../validate';
import { syncFolder } from './atomic-write';
import { readBounded } from './read-bounded';

/**
 * One flow detail on disk: a snapshot `<id>.json` (replaced atomically) and a journal
 * `<id>.<generation>.journal` of the batches since, one JSON line each, appended. A batch is
 * one `write` of one line: a crash mid-append leaves a torn last line, which readers ignore
 * and the next writer cuts off. When the journal outgrows the snapshot, the writer folds it
 * into a new snapshot of the next generation and deletes it.
 */
export interface FlowDetailOnDisk {
  uuid: string;
  generation: number;
  flow: StoredFlow | undefined;
  atoms: Map<string, StoredAtom>;
  snapshotBytes: number;
  /** Bytes of complete journal lines (a torn tail excluded). */
  journalBytes: number;
  /** Bytes of the journal file, torn tail included. */
  journalFileBytes: number;
}

export const journalPath = (snapshotPath: string, generation: number): string => snapshotPath.replace(/\.json$/, `.${generation}.journal`);

function applyLine(detail: FlowDetailOnDisk, value: unknown, location: string): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new BackendSchemaError(location, 'a journal line is not an object.');
  const line = value as { flow?: unknown; atoms?: unknown };
  if (line.flow !== undefined && line.flow !== null) detail.flow = parseStoredFlow(line.flow, location);
  const atoms = line.atoms ?? {};
  if (atoms === null || typeof atoms !== 'object' || Array.isArray(atoms))
    throw new BackendSchemaError(location, "a journal line's 'atoms' is not an object.");
  for (const [name, atom] of Object.entries(atoms)) {
    const stored = parseStoredAtom(atom, location);
    if (stored.name !== name) throw new BackendSchemaError(location, `atom detail under '${name}' names another atom.`);
    detail.atoms.set(name, stored);
  }
}

/** The flow detail as the snapshot and its journal leave it; untrusted input, bounded and checked. */
export async function readFlowDetail(snapshotPath: string, flowUuid: string, maxFileBytes: number): Promise<FlowDetailOnDisk | undefined> {
  const text = await readBounded(snapshotPath, maxFileBytes);
  if (text === undefined) return undefined;
  const parsed = parseJson(text, snapshotPath) as Record<string, unknown> | null;
  if (parsed === null || typeof parsed !== 'object' || parsed['format'] !== 'tf-flow-detail' || typeof parsed['uuid'] !== 'string') {
    throw new BackendSchemaError(snapshotPath, 'not a tf flow detail file.');
  }
  if (parsed['uuid'] !== flowUuid)
    throw new BackendSchemaError(snapshotPath, `holds flow detail ${JSON.stringify(parsed['uuid'])}, not ${flowUuid}.`);
  const generation = parsed['generation'] ?? 0;
  if (typeof generation !== 'number' || !Number.isSafeInteger(generation) || generation < 0) {
    throw new BackendSchemaError(snapshotPath, 'invalid journal generation.');
  }
  const detail: FlowDetailOnDisk = {
    uuid: flowUuid,
    generation,
    flow: undefined,
    atoms: new Map(),
    snapshotBytes: Buffer.byteLength(text),
    journalBytes: 0,
    journalFileBytes: 0,
  };
  applyLine(detail, { flow: parsed['flow'], atoms: parsed['atoms'] }, snapshotPath);
  const journal = journalPath(snapshotPath, generation);
  const lines = await readBounded(journal, maxFileBytes);
  if (lines !== undefined) {
    detail.journalFileBytes = Buffer.byteLength(lines);
    const end = lines.lastIndexOf('\n') + 1;
    detail.journalBytes = Buffer.byteLength(lines.slice(0, end));
    let n = 0;
    for (const line of lines.slice(0, end).split('\n')) {
      n++;
      if (line !== '') applyLine(detail, parseJson(line, `${journal} line ${n}`), `${journal} line ${n}`);
    }
  }
  return detail;
}

/** The snapshot file's text: the flow record and atom records as given (already JSON text). */
export function snapshotText(uuid: string, generation: number, flowText: string | undefined, atoms: Iterable<[string, string]>): string {
  const body = [...atoms].map(([name, text]) => `${JSON.stringify(name)}:${text}`).join(',\n');
  return `{"format":"tf-flow-detail","uuid":${JSON.stringify(uuid)},"generation":${generation},\n"flow":${flowText ?? 'null'},\n"atoms":{\n${body}}}\n`;
}

/** One journal line: a flow record (or none) and atom records, already JSON text. */
export function journalLine(flowText: string | undefined, atoms: Iterable<[string, string]>): string {
  const body = [...atoms].map(([name, text]) => `${JSON.stringify(name)}:${text}`).join(',');
  return `{"flow":${flowText ?? 'null'},"atoms":{${body}}}\n`;
}

/** Appends lines to one journal file, cutting off a torn tail first. */
export class JournalAppender {
  readonly path: string;
  #handle: FileHandle | undefined;
  #bytes: number;
  readonly #tornFrom: number | undefined;

  /** `validBytes`: where complete lines end; a longer file has a torn tail to cut. */
  constructor(path: string, validBytes: number, fileBytes: number) {
    this.path = path;
    this.#bytes = validBytes;
    this.#tornFrom = fileBytes > validBytes ? validBytes : undefined;
  }

  get bytes(): number {
    return this.#bytes;
  }

  async append(text: string, durable: boolean): Promise<void> {
    if (!this.#handle) {
      if (this.#tornFrom !== undefined) await truncate(this.path, this.#tornFrom);
      const created = this.#bytes === 0;
      this.#handle = await open(this.path, 'a', 0o600);
      if (created && durable) await syncFolder(dirname(this.path));
    }
    const bytes = Buffer.from(text, 'utf8');
    await this.#handle.write(bytes);
    if (durable) await this.#handle.datasync();
    this.#bytes += bytes.length;
  }

  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  /** Closes and deletes the file (its lines are in a newer snapshot). */
  async remove(): Promise<void> {
    await this.close();
    await unlink(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
}
