import { resolveModuleSpecifier } from '@tf/worker';
import { FlowsLoadError } from './errors';
import type { FlowFactory } from './options';

/** Loads a module by URL or specifier (tests and bundlers replace it). */
export type FlowsImporter = (specifier: string) => Promise<unknown>;

const importModule: FlowsImporter = (specifier) => import(/* @vite-ignore */ specifier);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The flow factories `--flows` modules export, by name: each exported function under its
 * export name, and the entries of a default export that is a plain object
 * (`export default { orders: (args) => flow }`). Paths are relative to `cwd`, as tf-worker's
 * `--tasks`; package names are resolved from there. A module that cannot be imported, or
 * exports no factory, or two factories under one name, is a `FlowsLoadError`
 * (`TF_CONDUCTOR_FLOWS`).
 */
export async function loadFlowFactories(
  specifiers: readonly string[],
  cwd: string = process.cwd(),
  importer: FlowsImporter = importModule,
): Promise<Record<string, FlowFactory>> {
  const flows: Record<string, FlowFactory> = Object.create(null) as Record<string, FlowFactory>;
  const from: Record<string, string> = {};
  for (const specifier of specifiers) {
    let mod: Record<string, unknown>;
    try {
      mod = (await importer(resolveModuleSpecifier(specifier, cwd))) as Record<string, unknown>;
    } catch (error) {
      const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
      const hint =
        (error as { code?: unknown } | null)?.code === 'ERR_UNKNOWN_FILE_EXTENSION'
          ? ' (a TypeScript module needs a loader: --import tsx)'
          : '';
      throw new FlowsLoadError(specifier, `cannot load the flows module ${specifier} (from ${cwd}): ${message}${hint}`, { cause: error });
    }
    const found: [string, unknown][] = [];
    const dflt = mod['default'];
    if (isPlainObject(dflt)) found.push(...Object.entries(dflt).filter(([, value]) => typeof value === 'function'));
    for (const [name, value] of Object.entries(mod)) if (name !== 'default' && typeof value === 'function') found.push([name, value]);
    if (found.length === 0) {
      throw new FlowsLoadError(
        specifier,
        `the flows module ${specifier} exports no flow factory (export functions (args, job) => Flow, or a default object of them)`,
      );
    }
    for (const [name, factory] of found) {
      if (name in flows && flows[name] !== factory) {
        throw new FlowsLoadError(specifier, `two flow factories are named '${name}' (from ${from[name]} and ${specifier})`);
      }
      flows[name] = factory as FlowFactory;
      from[name] = specifier;
    }
  }
  return flows;
}
