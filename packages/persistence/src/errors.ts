import { TfError } from '@tf/core';

/** The codes of persistence errors; branch on them with `TfError.is(e, code)`. */
export const PersistenceErrorCode = {
  /** A URL scheme whose backend package is not installed; the message names the package. */
  NotInstalled: 'TF_BACKEND_NOT_INSTALLED',
  /** The store holds something that is not ours, is corrupt, or is of a newer schema version. */
  Schema: 'TF_BACKEND_SCHEMA',
  /** A value to save is not JSON (a function, a Map, a cycle...); the message names the atom. */
  NotJson: 'TF_BACKEND_NOT_JSON',
  /** A record, or a file read back, over the backend's size limit. */
  TooLarge: 'TF_BACKEND_TOO_LARGE',
  /** The store cannot be reached or opened (no database within the connect timeout, a folder that cannot be created). */
  Unavailable: 'TF_BACKEND_UNAVAILABLE',
} as const;
export type PersistenceErrorCode = (typeof PersistenceErrorCode)[keyof typeof PersistenceErrorCode];

/** No backend package serves a URL scheme. */
export class BackendNotInstalledError extends TfError {
  readonly scheme: string;
  readonly packageName: string;
  constructor(scheme: string, packageName: string, options?: { cause?: unknown }) {
    super(
      PersistenceErrorCode.NotInstalled,
      `The backend for '${scheme}://' URLs needs the package ${packageName}, which is not installed. Install it: npm install ${packageName} (or pnpm add ${packageName}).`,
      options,
    );
    this.scheme = scheme;
    this.packageName = packageName;
  }
}

/** The store's contents are not what this backend wrote: foreign, corrupt, or newer. Nothing was overwritten. */
export class BackendSchemaError extends TfError {
  /** Which file, table or database (never with a password). */
  readonly location: string;
  constructor(location: string, problem: string, options?: { cause?: unknown }) {
    super(PersistenceErrorCode.Schema, `${location}: ${problem}`, options);
    this.location = location;
  }
}

/** A value that cannot be stored as JSON. */
export class NotJsonError extends TfError {
  readonly flowUuid: string;
  /** The atom whose record holds it, or `undefined` for the flow's own store or meta. */
  readonly atomName: string | undefined;
  /** Where in the record, e.g. `result.items[3]`. */
  readonly path: string;
  constructor(flowUuid: string, atomName: string | undefined, path: string, problem: string) {
    const owner = atomName === undefined ? `flow detail ${flowUuid}` : `atom '${atomName}' of flow detail ${flowUuid}`;
    super(PersistenceErrorCode.NotJson, `Cannot save ${owner}: ${path} is ${problem}; persistent backends keep JSON values only.`);
    this.flowUuid = flowUuid;
    this.atomName = atomName;
    this.path = path;
  }
}

/** A record over the size limit on write, or a file over it on read. */
export class BackendTooLargeError extends TfError {
  readonly bytes: number;
  readonly limit: number;
  constructor(what: string, bytes: number, limit: number) {
    super(PersistenceErrorCode.TooLarge, `${what} is ${bytes} bytes, over the limit of ${limit} bytes (option maxRecordBytes).`);
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** The store cannot be reached or opened. */
export class BackendUnavailableError extends TfError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(PersistenceErrorCode.Unavailable, message, options);
  }
}
