import { InvalidArgumentError, type Logger, type StorageBackend, silentLogger } from '@tf/core';
import { type PluginImporter, SchemePlugins, splitConnection } from '@tf/core/internal';
import { DirBackend } from './dir/dir-backend';
import { BackendNotInstalledError, BackendUnavailableError } from './errors';
import { isStorageBackend } from './is-backend';
import { MemoryPersistenceBackend } from './memory-backend';
import { redactUrl } from './redact';
import type { BackendInput, CreateBackend, PersistenceBackend } from './types';

/** The package each first-party scheme needs; any other scheme `x` needs `tf-persistence-x`. */
export const BACKEND_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  sqlite: '@tf/persistence-sqlite',
  postgres: '@tf/persistence-postgres',
  postgresql: '@tf/persistence-postgres',
});

/** Loads a module by specifier; the default is dynamic `import()`, then a lookup from the working directory. */
export type BackendImporter = PluginImporter;

export interface ResolveBackendOptions {
  /** Replaces dynamic `import()` (bundlers, tests, a command that resolves from its own location). */
  importer?: BackendImporter;
  logger?: Logger;
}

const plugins = new SchemePlugins<CreateBackend>({
  kind: 'backend',
  registryKey: 'tf.persistence.registry',
  packages: BACKEND_PACKAGES,
  fallbackPrefix: 'tf-persistence-',
  exportName: 'createBackend',
  notInstalled: (scheme, specifier, cause) => new BackendNotInstalledError(scheme, specifier, { cause }),
  unavailable: (message, cause) => new BackendUnavailableError(message, { cause }),
});

/** Serve a URL scheme with `create` without a package lookup (tests, bundlers, an application's own backend). Returns an undo. */
export function registerBackend(scheme: string, create: CreateBackend): () => void {
  return plugins.register(scheme, create);
}

/** The package a scheme is served by. */
export function backendPackageFor(scheme: string): string {
  return plugins.packageFor(scheme);
}

function parseUrl(connection: string): URL {
  try {
    return new URL(connection);
  } catch {
    throw new InvalidArgumentError(
      `Invalid backend URL ${JSON.stringify(redactUrl(connection))}: expected e.g. memory://, dir:///abs/path, sqlite:///abs/path.db, postgresql://user@host/db.`,
    );
  }
}

/** The absolute path of a `dir:///abs/path` or `sqlite:///abs/path.db` URL. */
export function pathOfUrl(url: URL): string {
  if (url.host !== '') {
    throw new InvalidArgumentError(
      `A ${url.protocol}// URL names an absolute path after three slashes (${url.protocol}///abs/path); got host '${url.host}'.`,
    );
  }
  const path = decodeURIComponent(url.pathname);
  if (!path.startsWith('/') || path === '/') throw new InvalidArgumentError(`A ${url.protocol}// URL needs an absolute path.`);
  return path;
}

/**
 * The backend a connection selects: `memory://`, `dir:///abs/path` (built in),
 * `sqlite:///abs/path.db` (`@tf/persistence-sqlite`), `postgresql://` or `postgres://`
 * (`@tf/persistence-postgres`), any other scheme `x` from the package `tf-persistence-x`
 * (its `createBackend(url, options)`, named or default export). A package that is not
 * installed is a `BackendNotInstalledError` (`TF_BACKEND_NOT_INSTALLED`) naming it. A backend
 * object is returned as is.
 */
export async function resolveBackend(
  input: BackendInput,
  options: ResolveBackendOptions = {},
): Promise<PersistenceBackend | StorageBackend> {
  if (isStorageBackend(input)) return input;
  const { connection, options: backendOptions } = splitConnection(
    input,
    "A backend is a URL string, { connection: '<url>', ...options }, or a backend object (saveFlow, saveAtom, loadFlow, loadAtoms).",
  );
  const url = parseUrl(connection);
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const logger = options.logger ?? silentLogger;
  let backend: PersistenceBackend | StorageBackend;
  if (scheme === 'memory') backend = new MemoryPersistenceBackend(backendOptions, url.host);
  else if (scheme === 'dir') {
    const dir = new DirBackend(pathOfUrl(url), backendOptions);
    await dir.ready();
    backend = dir;
  } else {
    const create = await plugins.load(scheme, options.importer);
    backend = await create(url, backendOptions);
    if (!isStorageBackend(backend)) {
      throw new BackendUnavailableError(
        `The '${scheme}' backend's createBackend returned no backend (saveFlow, saveAtom, loadFlow, loadAtoms).`,
      );
    }
  }
  logger.debug({ backend: redactUrl(connection) }, 'persistence backend opened');
  return backend;
}
