import { InvalidArgumentError, type Logger, silentLogger } from '@tf/core';
import { JobboardNotInstalledError, JobboardUnavailableError } from './errors';
import { defaultImporter, isMissing, type JobboardImporter } from './importer';
import { isJobboard } from './is-jobboard';
import { MemoryJobboard } from './memory-board';
import { resolveJobboardOptions } from './options';
import { redactUrl } from './redact';
import type { CreateJobboard, Jobboard, JobboardInput } from './types';

/** The package each first-party scheme needs; any other scheme `x` needs `tf-jobboard-x`. */
export const JOBBOARD_PACKAGES: Readonly<Record<string, string>> = Object.freeze({
  redis: '@tf/jobboard-redis',
  rediss: '@tf/jobboard-redis',
  postgres: '@tf/jobboard-postgres',
  postgresql: '@tf/jobboard-postgres',
});

export interface ResolveJobboardOptions {
  /** Replaces dynamic `import()` (bundlers, tests, a command that resolves from its own location). */
  importer?: JobboardImporter;
  logger?: Logger;
}

const REGISTRY_KEY = Symbol.for('tf.jobboard.registry');
function registry(): Map<string, CreateJobboard> {
  const holder = globalThis as unknown as Record<symbol, Map<string, CreateJobboard> | undefined>;
  holder[REGISTRY_KEY] ??= new Map();
  return holder[REGISTRY_KEY];
}

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/** Serve a URL scheme with `create` without a package lookup (tests, bundlers, an application's own board). Returns an undo. */
export function registerJobboard(scheme: string, create: CreateJobboard): () => void {
  if (!SCHEME.test(scheme) || scheme === 'memory') throw new InvalidArgumentError(`Invalid jobboard scheme ${JSON.stringify(scheme)}.`);
  registry().set(scheme, create);
  return () => {
    if (registry().get(scheme) === create) registry().delete(scheme);
  };
}

/** The package a scheme is served by. */
export function jobboardPackageFor(scheme: string): string {
  return JOBBOARD_PACKAGES[scheme] ?? `tf-jobboard-${scheme}`;
}

function createOf(mod: unknown): CreateJobboard | undefined {
  if (mod === null || (typeof mod !== 'object' && typeof mod !== 'function')) return undefined;
  const m = mod as Record<string, unknown>;
  const d = m['default'] as Record<string, unknown> | undefined;
  for (const candidate of [m['createJobboard'], d?.['createJobboard'], m['default']]) {
    if (typeof candidate === 'function') return candidate as CreateJobboard;
  }
  return undefined;
}

async function loadCreate(scheme: string, importer: JobboardImporter): Promise<CreateJobboard> {
  const registered = registry().get(scheme);
  if (registered) return registered;
  const specifier = jobboardPackageFor(scheme);
  let mod: unknown;
  try {
    mod = await importer(specifier);
  } catch (error) {
    if (isMissing(error, specifier)) throw new JobboardNotInstalledError(scheme, specifier, { cause: error });
    throw new JobboardUnavailableError(`The jobboard package ${specifier} failed to load: ${(error as Error).message}`, { cause: error });
  }
  const create = createOf(mod);
  if (!create) {
    throw new JobboardUnavailableError(
      `The package ${specifier} exports no jobboard: expected \`export function createJobboard(url, options)\`.`,
    );
  }
  return create;
}

function parseUrl(connection: string): URL {
  try {
    return new URL(connection);
  } catch {
    throw new InvalidArgumentError(
      `Invalid jobboard URL ${JSON.stringify(redactUrl(connection))}: expected e.g. memory://orders, redis://host:6379/0?board=orders, postgresql://user@host/db?board=orders.`,
    );
  }
}

/**
 * The board a connection selects: `memory://<board>` (built in, shared in the process),
 * `redis://` or `rediss://` (`@tf/jobboard-redis`), `postgresql://` or `postgres://`
 * (`@tf/jobboard-postgres`), any other scheme `x` from the package `tf-jobboard-x` (its
 * `createJobboard(url, options)`, named or default export). A package that is not installed
 * is a `JobboardNotInstalledError` (`TF_JOBBOARD_NOT_INSTALLED`) naming it. A board object is
 * returned as is.
 */
export async function resolveJobboard(input: JobboardInput, options: ResolveJobboardOptions = {}): Promise<Jobboard> {
  if (isJobboard(input)) return input;
  let connection: unknown;
  let boardOptions: Record<string, unknown> = {};
  if (typeof input === 'string') connection = input;
  else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const { connection: c, ...rest } = input as Record<string, unknown>;
    connection = c;
    boardOptions = rest;
  }
  if (typeof connection !== 'string' || connection === '') {
    throw new InvalidArgumentError(
      "A jobboard is a URL string, { connection: '<url>', ...options }, or a board object (post, claim, consume...).",
    );
  }
  const url = parseUrl(connection);
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const logger = options.logger ?? silentLogger;
  let board: Jobboard;
  if (scheme === 'memory') {
    const name = decodeURIComponent(url.host || url.pathname.replace(/^\/+/, ''));
    board = new MemoryJobboard(resolveJobboardOptions(name ? { board: name, ...boardOptions } : boardOptions, url));
  } else {
    const create = await loadCreate(scheme, options.importer ?? defaultImporter);
    board = await create(url, boardOptions);
    if (!isJobboard(board)) throw new JobboardUnavailableError(`The '${scheme}' jobboard's createJobboard returned no board.`);
  }
  logger.debug({ jobboard: redactUrl(connection), board: board.name }, 'jobboard opened');
  return board;
}
