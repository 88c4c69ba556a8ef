/**
 * How tf finds its plugin packages (transports, persistence backends, jobboards): dynamic
 * `import()` from this package's location, then, when that does not see the package, from the
 * working directory (an application's own dependencies are invisible from here under pnpm).
 */

/** Loads a module by specifier: `importPlugin`, or a replacement (bundlers, tests). */
export type PluginImporter = (specifier: string) => Promise<unknown>;

/** The name of the module a "not found" error is about, if it is one. */
function missingModule(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const m =
    /Cannot find (?:package|module) '([^']+)'/.exec(error.message) ??
    /Failed to (?:load url|resolve import) "?([^\s"]+)"?/.exec(error.message);
  return m?.[1];
}

/** True when `error` says `specifier` itself (not one of its dependencies) could not be found. */
export function isMissingModule(error: unknown, specifier: string): boolean {
  const missing = missingModule(error);
  if (missing === undefined) return false;
  const bare = specifier.replace(/^@[^/]+\//, '');
  return (
    missing === specifier ||
    missing.startsWith(`${specifier}/`) ||
    // A path into the package itself (a workspace alias, a broken install), not into one of its dependencies.
    new RegExp(`[\\\\/](?:@[^\\\\/]+[\\\\/])?${bare.replace(/[.]/g, '\\.')}[\\\\/](?!node_modules)`).test(missing)
  );
}

/** Resolve `specifier` from the working directory, for packages not visible from this package's own location. */
async function importFromCwd(specifier: string): Promise<unknown> {
  const [{ createRequire }, path, url, fs] = await Promise.all([
    import('node:module'),
    import('node:path'),
    import('node:url'),
    import('node:fs'),
  ]);
  const require = createRequire(path.join(process.cwd(), '__tf_plugin_lookup__.js'));
  let entry: string;
  try {
    const pkgPath = require.resolve(`${specifier}/package.json`);
    const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8')) as {
      exports?: Record<string, unknown>;
      module?: string;
      main?: string;
    };
    const dot = pkg.exports?.['.'] as Record<string, unknown> | string | undefined;
    const imp = typeof dot === 'object' ? dot['import'] : dot;
    const esm = typeof imp === 'object' && imp !== null ? (imp as Record<string, unknown>)['default'] : imp;
    const rel = typeof esm === 'string' ? esm : (pkg.module ?? pkg.main);
    entry = rel ? path.resolve(path.dirname(pkgPath), rel) : require.resolve(specifier);
  } catch {
    entry = require.resolve(specifier);
  }
  return import(url.pathToFileURL(entry).href);
}

/** Imports a plugin package by name: from here first, then from the working directory. */
export const importPlugin: PluginImporter = async (specifier) => {
  try {
    return await import(/* @vite-ignore */ specifier);
  } catch (error) {
    if (!isMissingModule(error, specifier) || typeof process === 'undefined') throw error;
    try {
      return await importFromCwd(specifier);
    } catch {
      throw error;
    }
  }
};
