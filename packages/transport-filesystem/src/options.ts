import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, booleanFlag, checkTransportOptions, positiveNumber, temporaryTopicExpiryMs } from '@tf/transport';
import type { BaseTransportOptions } from '@tf/transport';

/**
 * `transportOptions` of the filesystem transport. The seed's snake_case names work too
 * (`data_folder_in`, `data_folder_out`, `polling_interval` in seconds...).
 */
export interface FilesystemTransportOptions {
  /** Shorthand for `dataFolderIn` and `dataFolderOut` (also what a `file:///path` URL sets). */
  dataFolder?: string;
  /** Where this process's consumers read (kombu's `data_folder_in`). */
  dataFolderIn?: string;
  /** Where this process publishes (kombu's `data_folder_out`). */
  dataFolderOut?: string;
  /**
   * How often a consumer rescans its folder as a safety net beside file-system events, and
   * chokidar's poll interval with `usePolling`. Default: 1000 ms, or 100 ms with `usePolling`.
   */
  pollingIntervalMs?: number;
  /** The same in seconds, as kombu and TaskFlow write it (`polling_interval: 0.1`). */
  pollingInterval?: number;
  /** Poll instead of native events (chokidar's fallback for NFS, SMB and other shared disks). */
  usePolling?: boolean;
  /**
   * How long a claim lives without renewal (default 30 s). A holder renews its claims every
   * third of it; a claim not renewed for longer goes back to its topic.
   */
  leaseMs?: number;
  /** fsync each message file before it is renamed into place: survives power loss, costs latency (default false). */
  fsync?: boolean;
  /**
   * How long a temporary topic's folder (`consume(..., { temporary: true })`) outlives a
   * consumer that died without cancelling: the consumer touches its `.temporary` lease every
   * third of it; any filesystem transport consuming from the same exchange removes a folder
   * whose lease is older. Default 60 000 ms.
   */
  temporaryTopicExpiryMs?: number;
}

/** The seed's snake_case spellings, accepted by the constructor too. */
export interface FilesystemTransportSeedOptions {
  data_folder?: string;
  data_folder_in?: string;
  data_folder_out?: string;
  /** Seconds. */
  polling_interval?: number;
  polling_interval_ms?: number;
  use_polling?: boolean;
  lease_ms?: number;
  temporary_topic_expiry_ms?: number;
}

/** What the constructor takes: the base options, and the transport's in camelCase or the seed's snake_case. */
export type FilesystemTransportInit = BaseTransportOptions & FilesystemTransportOptions & FilesystemTransportSeedOptions;

/** Every option name the transport accepts (camelCase). */
export const FILESYSTEM_OPTION_NAMES = [
  'dataFolder',
  'dataFolderIn',
  'dataFolderOut',
  'pollingIntervalMs',
  'pollingInterval',
  'usePolling',
  'leaseMs',
  'fsync',
  'temporaryTopicExpiryMs',
] as const satisfies readonly (keyof FilesystemTransportOptions)[];

/** The folder used when none is configured: shared by every process of this user on this machine. */
export const DEFAULT_FOLDER: string = join(tmpdir(), 'tf-filesystem');
export const DEFAULT_LEASE_MS = 30_000;

/** Options after parsing: absolute folders, milliseconds. */
export interface ResolvedOptions {
  readonly folderIn: string;
  readonly folderOut: string;
  readonly pollingIntervalMs: number;
  readonly usePolling: boolean;
  readonly leaseMs: number;
  readonly fsync: boolean;
  readonly temporaryTopicExpiryMs: number;
}

function folderOption(name: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new InvalidArgumentError(`filesystem transport: ${name} must be a non-empty path, got ${JSON.stringify(value)}.`);
  }
  return resolve(value);
}

/** The folder a `file:` URL names (`file:///tmp/q`, `file://localhost/tmp/q`, `file:relative/dir`). */
export function folderFromUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  if (!/^file:/i.test(url)) {
    throw new InvalidArgumentError(
      `filesystem transport: the URL must be a file: URL (file:///path/to/folder), got ${JSON.stringify(url)}.`,
    );
  }
  if (/^file:\/\//i.test(url)) {
    try {
      return resolve(fileURLToPath(url));
    } catch (err) {
      throw new InvalidArgumentError(`filesystem transport: cannot read a folder from ${JSON.stringify(url)}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
  const rest = decodeURIComponent(url.slice('file:'.length));
  return rest === '' ? undefined : resolve(rest);
}

/**
 * Check and resolve options (camelCase or snake_case keys). Folders: `dataFolderIn` /
 * `dataFolderOut`, else `dataFolder`, else the URL's folder, else `DEFAULT_FOLDER`.
 */
export function resolveOptions(input: object, url: string | undefined): ResolvedOptions {
  const o = checkTransportOptions<FilesystemTransportOptions>('filesystem', input, FILESYSTEM_OPTION_NAMES);
  const both = folderOption('dataFolder', o.dataFolder) ?? folderFromUrl(url) ?? DEFAULT_FOLDER;
  const usePolling = o.usePolling === undefined ? false : booleanFlag('filesystem transport: usePolling', o.usePolling);
  const ms = o.pollingIntervalMs === undefined ? undefined : positiveNumber('filesystem transport: pollingIntervalMs', o.pollingIntervalMs);
  const seconds =
    o.pollingInterval === undefined
      ? undefined
      : 1000 * positiveNumber('filesystem transport: pollingInterval (seconds)', o.pollingInterval);
  if (ms !== undefined && seconds !== undefined && ms !== seconds) {
    throw new InvalidArgumentError(
      `filesystem transport: pollingIntervalMs (${ms} ms) and pollingInterval / polling_interval (${seconds} ms) disagree; give one.`,
    );
  }
  return {
    folderIn: folderOption('dataFolderIn', o.dataFolderIn) ?? both,
    folderOut: folderOption('dataFolderOut', o.dataFolderOut) ?? both,
    pollingIntervalMs: Math.max(1, ms ?? seconds ?? (usePolling ? 100 : 1000)),
    usePolling,
    leaseMs:
      o.leaseMs === undefined ? DEFAULT_LEASE_MS : Math.max(1, Math.round(positiveNumber('filesystem transport: leaseMs', o.leaseMs))),
    fsync: o.fsync === undefined ? false : booleanFlag('filesystem transport: fsync', o.fsync),
    temporaryTopicExpiryMs: temporaryTopicExpiryMs('filesystem', o.temporaryTopicExpiryMs),
  };
}
