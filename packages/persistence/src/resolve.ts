import { InvalidArgumentError, type Logger, type StorageBackend, silentLogger } from '@tf/core';
import { DirBackend } from './dir/dir-backend';
import { BackendNotInstalledError, BackendUnavailableError } from './errors';
import { type BackendImporter, defaultImporter, isMissing } from './importer';
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

export interface ResolveBackendOptions {
  /** Replaces dynamic `import()` (bundlers, tests, a command that resolves from its own location). */
  importer?: BackendImporter;
  logger?: Logger;
}

const REGISTRY_KEY = Symbol.for('tf.persistence.registry');
function registry(): Map<string, CreateBackend> {
  const holder = globalThis as unknown as Record<symbol, Map<string, CreateBackend> | undefined>;
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/** Serve a URL scheme with `create` without a package lookup (tests, bundlers, an application's own backend). Returns an undo. */
export function registerBackend(scheme: string, create: CreateBackend): () => void {
  if (!SCHEME.test(scheme)) throw new InvalidArgumentError(`Invalid backend scheme ${JSON.stringify(scheme)}.`);
  registry().set(scheme, create);
  return () => {
    if (registry().get(scheme) === create) registry().delete(scheme);
  };
}

/** The package a scheme is served by. */
export function backendPackageFor(scheme: string): string {
  return BACKEND_PACKAGES[scheme] ?? `tf-persistence-${scheme}`;
}

function createOf(mod: unknown): CreateBackend | undefined {
  if (mod === null || (typeof mod !== 'object' && typeof mod !== 'function')) return undefined;
  const m = mod as Record<string, unknown>;
  const d = m['default'] as Record<string, unknown> | undefined;
  for (const candidate of [m['createBackend'], d?.['createBackend'], m['default']]) {
    if (typeof candidate === 'function') return candidate as CreateBackend;
  }
  return undefined;
}

async function loadCreate(scheme: string, importer: BackendImporter): Promise<CreateBackend> {
  const registered = registry().get(scheme);
  if (registered) return registered;
  const specifier = backendPackageFor(scheme);
  let mod: unknown;
  try {
    mod = await importer(specifier);
  } catch (error) {
    if (isMissing(error, specifier)) throw new BackendNotInstalledError(scheme, specifier, { cause: error });
    throw new BackendUnavailableError(`The backend package ${specifier} failed to load: ${(error as Error).message}`, { cause: error });
  }
  const create = createOf(mod);
  if (!create) {
    throw new BackendUnavailableError(
      `The package ${specifier} exports no backend: expected \`export function createBackend(url, options)\`.`,
    );
  }
  return create;
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
  let connection: unknown;
  let backendOptions: Record<string, unknown> = {};
  if (typeof input === 'string') connection = input;
  else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const { connection: c, ...rest } = input as Record<string, unknown>;
    connection = c;
    backendOptions = rest;
  }
  if (typeof connection !== 'string' || connection === '') {
    throw new InvalidArgumentError(
      "A backend is a URL string, { connection: '<url>', ...options }, or a backend object (saveFlow, saveAtom, loadFlow, loadAtoms).",
    );
  }
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
    const create = await loadCreate(scheme, options.importer ?? defaultImporter);
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
