import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Loads a module by specifier; the default is dynamic `import()`, then a lookup from the working directory. */
export type JobboardImporter = (specifier: string) => Promise<unknown>;

/** True when `error` says `specifier` itself (not one of its dependencies) could not be found. */
export function isMissing(error: unknown, specifier: string): boolean {
  if (!(error instanceof Error)) return false;
  const m =
    /Cannot find (?:package|module) '([^']+)'/.exec(error.message) ??
    /Failed to (?:load url|resolve import) "?([^\s"]+)"?/.exec(error.message);
  const missing = m?.[1];
  return missing !== undefined && (missing === specifier || missing.startsWith(`${specifier}/`));
}

/** Resolve from the working directory: the application's own dependencies, invisible from this package under pnpm. */
async function importFromCwd(specifier: string): Promise<unknown> {
  const require = createRequire(join(process.cwd(), '__tf_jobboard_lookup__.js'));
  let entry: string;
  try {
    const pkgPath = require.resolve(`${specifier}/package.json`);
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, unknown>; module?: string; main?: string };
    const dot = pkg.exports?.['.'] as Record<string, unknown> | string | undefined;
    const imp = typeof dot === 'object' ? dot['import'] : dot;
    const esm = typeof imp === 'object' && imp !== null ? (imp as Record<string, unknown>)['default'] : imp;
    const rel = typeof esm === 'string' ? esm : (pkg.module ?? pkg.main);
    entry = rel ? resolve(dirname(pkgPath), rel) : require.resolve(specifier);
  } catch {
    entry = require.resolve(specifier);
  }
  return import(pathToFileURL(entry).href);
}

export const defaultImporter: JobboardImporter = async (specifier) => {
  try {
    return await import(/* @vite-ignore */ specifier);
  } catch (error) {
    if (!isMissing(error, specifier)) throw error;
    try {
      return await importFromCwd(specifier);
    } catch {
      throw error;
    }
  }
};
