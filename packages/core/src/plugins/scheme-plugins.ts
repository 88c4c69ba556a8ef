import { importPlugin, InvalidArgumentError, isMissingModule, type PluginImporter } from '@tf/transport';

/** What a kind of URL-scheme plugin (persistence backends, jobboards) is called and where its packages are. */
export interface SchemePluginKind {
  /** In messages: 'backend', 'jobboard'. */
  readonly kind: string;
  /** The `Symbol.for` key of the registry, shared by every copy of the package in the process. */
  readonly registryKey: string;
  /** The package each first-party scheme needs. */
  readonly packages: Readonly<Record<string, string>>;
  /** Any other scheme `x` needs the package `${fallbackPrefix}x`. */
  readonly fallbackPrefix: string;
  /** The factory a package exports, named or as its default export. */
  readonly exportName: string;
  /** Schemes served by the package itself, which cannot be registered. */
  readonly builtIn?: readonly string[];
  notInstalled(scheme: string, specifier: string, cause: unknown): Error;
  unavailable(message: string, cause?: unknown): Error;
}

const SCHEME = /^[a-z][a-z0-9+.-]*$/;

/**
 * A registry of factories by URL scheme, backed by package lookup: a registered factory first,
 * then the scheme's package (`packages`, else `fallbackPrefix` + scheme) loaded by `importPlugin`.
 */
export class SchemePlugins<Create extends (...args: never[]) => unknown> {
  readonly #kind: SchemePluginKind;

  constructor(kind: SchemePluginKind) {
    this.#kind = kind;
  }

  #registry(): Map<string, Create> {
    const holder = globalThis as unknown as Record<symbol, Map<string, Create> | undefined>;
    const key = Symbol.for(this.#kind.registryKey);
    holder[key] ??= new Map();
    return holder[key];
  }

  /** Serve `scheme` with `create` without a package lookup. Returns an undo. */
  register(scheme: string, create: Create): () => void {
    if (!SCHEME.test(scheme) || this.#kind.builtIn?.includes(scheme)) {
      throw new InvalidArgumentError(`Invalid ${this.#kind.kind} scheme ${JSON.stringify(scheme)}.`);
    }
    const registry = this.#registry();
    registry.set(scheme, create);
    return () => {
      if (registry.get(scheme) === create) registry.delete(scheme);
    };
  }

  /** The package a scheme is served by. */
  packageFor(scheme: string): string {
    return this.#kind.packages[scheme] ?? `${this.#kind.fallbackPrefix}${scheme}`;
  }

  /** The factory serving `scheme`: registered, or loaded from its package. */
  async load(scheme: string, importer: PluginImporter = importPlugin): Promise<Create> {
    const registered = this.#registry().get(scheme);
    if (registered) return registered;
    const { kind, exportName } = this.#kind;
    const specifier = this.packageFor(scheme);
    let mod: unknown;
    try {
      mod = await importer(specifier);
    } catch (error) {
      if (isMissingModule(error, specifier)) throw this.#kind.notInstalled(scheme, specifier, error);
      throw this.#kind.unavailable(`The ${kind} package ${specifier} failed to load: ${(error as Error).message}`, error);
    }
    const create = this.#factoryOf(mod);
    if (!create) {
      throw this.#kind.unavailable(
        `The package ${specifier} exports no ${kind}: expected \`export function ${exportName}(url, options)\`.`,
      );
    }
    return create;
  }

  #factoryOf(mod: unknown): Create | undefined {
    if (mod === null || (typeof mod !== 'object' && typeof mod !== 'function')) return undefined;
    const m = mod as Record<string, unknown>;
    const d = m['default'] as Record<string, unknown> | undefined;
    for (const candidate of [m[this.#kind.exportName], d?.[this.#kind.exportName], m['default']]) {
      if (typeof candidate === 'function') return candidate as Create;
    }
    return undefined;
  }
}

/**
 * Splits a plugin's input, a URL string or `{ connection: '<url>', ...options }`, into the
 * connection and the options; anything else is an `InvalidArgumentError` with `usage`.
 */
export function splitConnection(input: unknown, usage: string): { connection: string; options: Record<string, unknown> } {
  let connection: unknown;
  let options: Record<string, unknown> = {};
  if (typeof input === 'string') connection = input;
  else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const { connection: c, ...rest } = input as Record<string, unknown>;
    connection = c;
    options = rest;
  }
  if (typeof connection !== 'string' || connection === '') throw new InvalidArgumentError(usage);
  return { connection, options };
}
