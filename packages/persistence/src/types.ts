import type { FlowRecord, StorageBackend, StorageBatch } from '@tf/core';

/** TaskFlow's `LogBook`: a named group of flow details (one per run of a flow, usually). */
export interface LogbookRecord {
  uuid: string;
  name: string;
  meta: Record<string, unknown>;
  /** ISO 8601; the backend fills them (`createdAt` is kept from the first save). */
  createdAt: string;
  updatedAt: string;
}

/** What a logbook is saved from: the times are the backend's. */
export type LogbookInput = Omit<LogbookRecord, 'createdAt' | 'updatedAt' | 'meta'> &
  Partial<Pick<LogbookRecord, 'createdAt' | 'updatedAt' | 'meta'>>;

/** Where a backend keeps things, for logs and the CLI: never a password. */
export interface BackendDetails {
  scheme: string;
  location: string;
}

/** A `StorageBackend` that also keeps logbooks and can list what it holds. */
export interface PersistenceBackend extends StorageBackend {
  saveBatch(flowUuid: string, batch: Readonly<StorageBatch>): void | Promise<void>;
  saveLogbook(book: Readonly<LogbookInput>): Promise<LogbookRecord>;
  loadLogbook(uuid: string): Promise<LogbookRecord | undefined>;
  /** The most recently updated logbook of that name. */
  findLogbook(name: string): Promise<LogbookRecord | undefined>;
  listLogbooks(): Promise<LogbookRecord[]>;
  /** Flow details, of one logbook when given; most recently updated first. */
  listFlows(logbookUuid?: string): Promise<FlowRecord[]>;
  details(): BackendDetails;
  close(): Promise<void>;
}

/** `resolveBackend`'s input: a URL, a URL with options, or a backend object used as is. */
export type BackendInput = string | BackendConnection | StorageBackend;

export interface BackendConnection {
  connection: string;
  [option: string]: unknown;
}

/** What a backend package exports as `createBackend` (named or default). */
export type CreateBackend = (
  url: URL,
  options: Readonly<Record<string, unknown>>,
) => PersistenceBackend | StorageBackend | Promise<PersistenceBackend | StorageBackend>;
