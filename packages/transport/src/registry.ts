import { InvalidArgumentError } from './tf-error';
import type { Logger } from './logger';
import { silentLogger } from './logger';
import { isTransport } from './base';
import { TransportError, TransportErrorCode, TransportNotInstalledError } from './errors';
import { closestName, transportNotGiven, unknownTransportMessage } from './hints';
import { checkTransportOptions, normaliseOptionKeys, parseRetryOptions } from './options';
import { normaliseTransportSelection } from './selection';
import { BASE_TRANSPORT_OPTION_NAMES } from './limits';
import { importPlugin, isMissingModule, type PluginImporter } from './plugin-import';
import type { Transport, TransportFactory, TransportRetryOptions, TransportRetryOptionsInput } from './types';

/** The first-party transports and their packages. */
export const FIRST_PARTY_TRANSPORTS: readonly string[] = ['memory', 'filesystem', 'amqp', 'redis'];

/** URL schemes of the first-party transports (registered factories add their own). */
export const BUILTIN_SCHEMES: Readonly<Record<string, string>> = Object.freeze({
  amqp: 'amqp',
  amqps: 'amqp',
  redis: 'redis',
  rediss: 'redis',
  memory: 'memory',
  file: 'filesystem',
});

/** Loads a module by specifier; the default is dynamic `import()`, then a lookup from the working directory. */
export type TransportImporter = PluginImporter;

/** How engine and worker pick a transport. snake_case keys (`transport_options`, `retry_options`) are accepted too. */
export interface ResolveTransportOptions {
  /**
   * A name (`memory`, `filesystem`, `amqp`, `redis`, a third party's), a transport object
   * (used as is; then `url`, `transportOptions` and `retryOptions` must be absent), or
   * absent: the kind comes from `url`'s scheme. Without either, there is no default:
   * `TF_TRANSPORT_NOT_GIVEN`.
   */
  transport?: string | Transport | undefined;
  url?: string | undefined;
  /** Given to the transport (keys camelCased); a key it does not list is an error. */
  transportOptions?: object | undefined;
  transport_options?: object | undefined;
  retryOptions?: TransportRetryOptionsInput | TransportRetryOptions | undefined;
  retry_options?: TransportRetryOptionsInput | undefined;
  logger?: Logger | undefined;
  /** Replaces dynamic `import()` (for bundlers and tests). */
  importer?: TransportImporter | undefined;
}

interface Registry {
  readonly factories: Map<string, TransportFactory>;
}

// Shared by every copy of @tf/transport in the process, like the brands.
const REGISTRY_KEY = Symbol.for('tf.transport.registry');
function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  holder[REGISTRY_KEY] ??= { factories: new Map() };
  return holder[REGISTRY_KEY];
}

function isFactory(value: unknown): value is TransportFactory {
  if (value === null || typeof value !== 'object') return false;
  const f = value as Partial<TransportFactory>;
  return typeof f.name === 'string' && typeof f.create === 'function' && Array.isArray(f.options);
}

const NAME = /^[a-z0-9][a-z0-9._-]*$/;

/** The first-party names, then the other registered ones: what a misspelled name is compared with. */
function knownTransportNames(): string[] {
  const registered = [...registry().factories.keys()].filter((n) => !FIRST_PARTY_TRANSPORTS.includes(n)).sort();
  return [...[...FIRST_PARTY_TRANSPORTS].sort(), ...registered];
}

function assertTransportName(name: string): void {
  if (!NAME.test(name)) {
    const lower = name.toLowerCase();
    const hint = NAME.test(lower) && knownTransportNames().includes(lower) ? ` Did you mean '${lower}'?` : '';
    throw new InvalidArgumentError(
      `Invalid transport name ${JSON.stringify(name)}: use lowercase letters, digits, '.', '_' and '-' (e.g. 'amqp', 'my-queue').${hint}`,
    );
  }
}

/**
 * Make a factory available by its name (and its URL schemes) without a package lookup:
 * for tests, bundlers, or a transport defined in the application. Registering another
 * factory under a taken name needs `{ replace: true }`. Returns a function that removes it.
 */
export function registerTransport<O extends object>(factory: TransportFactory<O>, options: { replace?: boolean } = {}): () => void {
  if (!isFactory(factory)) {
    throw new InvalidArgumentError('registerTransport() needs a factory: { name, options: [...], create(opts) }.');
  }
  assertTransportName(factory.name);
  const { factories } = registry();
  const existing = factories.get(factory.name);
  const entry = factory as unknown as TransportFactory;
  if (existing && existing !== entry && !options.replace) {
    throw new InvalidArgumentError(`A transport named '${factory.name}' is registered already; pass { replace: true }.`);
  }
  factories.set(factory.name, entry);
  return () => {
    if (factories.get(factory.name) === entry) factories.delete(factory.name);
  };
}

/** Forget the factory registered (or loaded) under `name`; true if there was one. */
export function unregisterTransport(name: string): boolean {
  return registry().factories.delete(name);
}

/** The factory registered (or loaded before) under `name`, if any. */
export function getRegisteredTransport(name: string): TransportFactory | undefined {
  return registry().factories.get(name);
}

/** The transport name a URL's scheme selects; an unknown scheme is a `TF_TRANSPORT_UNKNOWN_SCHEME` error. */
export function transportNameForUrl(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):/i.exec(url);
  const scheme = match?.[1]?.toLowerCase();
  const schemes: Record<string, string> = { ...BUILTIN_SCHEMES };
  for (const f of registry().factories.values()) for (const s of f.schemes ?? []) schemes[s.toLowerCase()] = f.name;
  const name = scheme === undefined ? undefined : schemes[scheme];
  if (name === undefined) {
    throw new TransportError(
      TransportErrorCode.UnknownScheme,
      `No transport serves the URL scheme ${scheme ? `'${scheme}:'` : `of ${JSON.stringify(url)}`}. ` +
        `Known schemes: ${Object.keys(schemes)
          .map((s) => `${s}://`)
          .join(', ')}; or name the transport with { transport: '<name>' }.`,
    );
  }
  return name;
}

function factoryOf(mod: unknown): TransportFactory | undefined {
  if (mod === null || (typeof mod !== 'object' && typeof mod !== 'function')) return undefined;
  const m = mod as Record<string, unknown>;
  const d = m['default'] as Record<string, unknown> | undefined;
  for (const candidate of [m['transport'], d?.['transport'], d, m]) if (isFactory(candidate)) return candidate;
  return undefined;
}

/**
 * The error for a name no factory or package serves. A first-party name says which package
 * to install. Any other name is never turned into an install command (anyone could publish
 * a package under a misspelled name): the closest known name comes first, then how
 * third-party transports are found.
 */
function notInstalled(name: string, packages: readonly string[]): TransportNotInstalledError {
  if (FIRST_PARTY_TRANSPORTS.includes(name)) {
    const pkg = `@tf/transport-${name}`;
    const message = `Transport '${name}' needs the package ${pkg}, which is not installed. Install it: npm install ${pkg} (or pnpm add ${pkg}).`;
    return new TransportNotInstalledError(name, packages, message);
  }
  const known = knownTransportNames();
  const suggestion = closestName(name, known);
  return new TransportNotInstalledError(name, packages, unknownTransportMessage(name, known, suggestion), suggestion);
}

/**
 * The factory for a transport name: a registered one, else the package
 * `@tf/transport-<name>`, then `tf-transport-<name>`, which exports it as `transport`
 * (or as its default export). A missing package is a `TransportNotInstalledError`
 * (`TF_TRANSPORT_NOT_INSTALLED`): for a first-party name it says what to install; for
 * another name it suggests the closest known name (`suggestion`, "did you mean
 * 'filesystem'?") before saying how third-party transports are found.
 */
export async function loadTransportFactory(name: string, importer: TransportImporter = importPlugin): Promise<TransportFactory> {
  assertTransportName(name);
  const registered = registry().factories.get(name);
  if (registered) return registered;
  const packages = [`@tf/transport-${name}`, `tf-transport-${name}`];
  for (const specifier of packages) {
    let mod: unknown;
    try {
      mod = await importer(specifier);
    } catch (error) {
      if (isMissingModule(error, specifier)) continue;
      throw new TransportError(
        TransportErrorCode.LoadFailed,
        `The transport package ${specifier} failed to load: ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      );
    }
    const factory = factoryOf(mod);
    if (!factory) {
      throw new TransportError(
        TransportErrorCode.LoadFailed,
        `The package ${specifier} exports no transport factory: expected \`export const transport = { name, options, create }\`.`,
      );
    }
    const { factories } = registry();
    if (!factories.has(name)) factories.set(name, factory);
    return factory;
  }
  throw notInstalled(name, packages);
}

const RESOLVE_KEYS = ['transport', 'url', 'transportOptions', 'retryOptions', 'logger', 'importer'];

/**
 * Pick and create the transport engine and worker use (not yet connected):
 *
 * - `{ transport: transportObject }`: returned as is.
 * - `{ transport: 'amqp', url, transportOptions, retryOptions }`: the named transport
 *   (see `loadTransportFactory`), created with the URL, its options and retry options.
 * - `{ url: 'redis://...' }`: the transport the scheme selects (`amqp`, `amqps`, `redis`,
 *   `rediss`, `memory`, `file`, and registered factories' schemes).
 * - `{}`: a `TransportNotGivenError` (`TF_TRANSPORT_NOT_GIVEN`) listing the ways to give
 *   one. There is no default: the in-process `memory` transport is used only when named
 *   (`'memory'` or `memory://`), since it reaches nothing in another process.
 *
 * Option keys may be snake_case (`transport_options: { data_folder_in }`); they are
 * camelCased once here. An option the transport does not list is an
 * `UnknownTransportOptionError` (`TF_TRANSPORT_UNKNOWN_OPTION`).
 */
export async function resolveTransport(options: ResolveTransportOptions = {}): Promise<Transport> {
  const o = normaliseOptionKeys(options);
  for (const key of Object.keys(o)) {
    if (!RESOLVE_KEYS.includes(key)) {
      throw new InvalidArgumentError(`Unknown transport selection option '${key}'. Allowed: ${RESOLVE_KEYS.join(', ')}.`);
    }
  }
  const logger = (o['logger'] as Logger | undefined) ?? silentLogger;
  const importer = o['importer'] as TransportImporter | undefined;
  // The same checks as the engine's and the worker's (a name or a branded object, a string
  // URL, nothing that cannot apply to an object); the error here keeps its own wording.
  const { selection } = normaliseTransportSelection(o, { owner: 'resolveTransport', required: false });
  const { transport, url, transportOptions, retryOptions } = selection;
  if (isTransport(transport)) return transport;

  const name = transport ?? (url !== undefined ? transportNameForUrl(url) : undefined);
  if (name === undefined) throw transportNotGiven();
  const factory = await loadTransportFactory(name, importer);
  const created = await factory.create({
    url,
    // maxMessageBytes reaches every transport, whether or not its factory lists it.
    options: checkTransportOptions(name, transportOptions, [...factory.options, ...BASE_TRANSPORT_OPTION_NAMES]),
    retryOptions: parseRetryOptions(retryOptions, name),
    logger,
  });
  if (!isTransport(created)) {
    throw new TransportError(
      TransportErrorCode.LoadFailed,
      `Transport '${name}' created something that is not a transport (no TRANSPORT_BRAND).`,
    );
  }
  return created;
}
