import { InvalidArgumentError, type Logger, silentLogger } from '@tf/core';
import { type PluginImporter, SchemePlugins, splitConnection } from '@tf/core/internal';
import { JobboardNotInstalledError, JobboardUnavailableError } from './errors';
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

/** Loads a module by specifier; the default is dynamic `import()`, then a lookup from the working directory. */
export type JobboardImporter = PluginImporter;

export interface ResolveJobboardOptions {
  /** Replaces dynamic `import()` (bundlers, tests, a command that resolves from its own location). */
  importer?: JobboardImporter;
  logger?: Logger;
}

const plugins = new SchemePlugins<CreateJobboard>({
  kind: 'jobboard',
  registryKey: 'tf.jobboard.registry',
  packages: JOBBOARD_PACKAGES,
  fallbackPrefix: 'tf-jobboard-',
  exportName: 'createJobboard',
  builtIn: ['memory'],
  notInstalled: (scheme, specifier, cause) => new JobboardNotInstalledError(scheme, specifier, { cause }),
  unavailable: (message, cause) => new JobboardUnavailableError(message, { cause }),
});

/** Serve a URL scheme with `create` without a package lookup (tests, bundlers, an application's own board). Returns an undo. */
export function registerJobboard(scheme: string, create: CreateJobboard): () => void {
  return plugins.register(scheme, create);
}

/** The package a scheme is served by. */
export function jobboardPackageFor(scheme: string): string {
  return plugins.packageFor(scheme);
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
  const { connection, options: boardOptions } = splitConnection(
    input,
    "A jobboard is a URL string, { connection: '<url>', ...options }, or a board object (post, claim, consume...).",
  );
  const url = parseUrl(connection);
  const scheme = url.protocol.slice(0, -1).toLowerCase();
  const logger = options.logger ?? silentLogger;
  let board: Jobboard;
  if (scheme === 'memory') {
    const name = decodeURIComponent(url.host || url.pathname.replace(/^\/+/, ''));
    board = new MemoryJobboard(resolveJobboardOptions(name ? { board: name, ...boardOptions } : boardOptions, url));
  } else {
    const create = await plugins.load(scheme, options.importer);
    board = await create(url, boardOptions);
    if (!isJobboard(board)) throw new JobboardUnavailableError(`The '${scheme}' jobboard's createJobboard returned no board.`);
  }
  logger.debug({ jobboard: redactUrl(connection), board: board.name }, 'jobboard opened');
  return board;
}
