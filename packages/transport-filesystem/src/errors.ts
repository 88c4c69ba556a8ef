import { TfError } from '@tf/transport';

/** The codes of filesystem transport errors; branch on them with `TfError.is(e, code)`. */
export const FilesystemErrorCode = {
  /** A message could not be written and renamed into its topic folder. */
  PublishFailed: 'TF_FILESYSTEM_PUBLISH_FAILED',
  /** An ack or reject could not delete or move the claimed file (an I/O error other than a lost claim). */
  SettleFailed: 'TF_FILESYSTEM_SETTLE_FAILED',
  /** A data folder cannot be created, read or written. */
  FolderUnusable: 'TF_FILESYSTEM_FOLDER_UNUSABLE',
  /** The transport was crashed on purpose (`simulateCrash()`); close it and connect again. */
  Crashed: 'TF_FILESYSTEM_CRASHED',
} as const;
export type FilesystemErrorCode = (typeof FilesystemErrorCode)[keyof typeof FilesystemErrorCode];

/** A filesystem transport failure; `code` is one of `FilesystemErrorCode`, `cause` the I/O error. */
export class FilesystemTransportError extends TfError {
  /** The path the failed operation was about, when there is one. */
  readonly path: string | undefined;
  constructor(code: FilesystemErrorCode, message: string, options?: { cause?: unknown; path?: string }) {
    super(code, message, options);
    this.path = options?.path;
  }
}

/** The errno code of an I/O error (`ENOENT`...), if it has one. */
export function errnoCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** An error for a log line or a reason file: `ENOENT: <message>` for an I/O error. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = errnoCode(err);
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
