import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isTaskClass, type TaskClass } from '@tf/core';
import { DuplicateTaskError, TaskLoadError } from './errors';

/**
 * One allow-list entry: a Task class, or a string naming where to find some:
 * `'./tasks.js:AddOne'` (a module and one export), `'./tasks.js'` (every Task class the
 * module exports), `'some-package:AddOne'` / `'some-package/sub'` (a package, resolved
 * from the working directory). Paths are relative to the working directory.
 */
export type TaskEntry = TaskClass | string;

/** An allow-listed class and where it came from. */
export interface AllowedTask {
  /** The wire name requests carry in `task_cls`: the class's `taskName`. */
  readonly name: string;
  readonly cls: TaskClass;
  /** The entry it came from, for messages and banners. */
  readonly source: string;
}

/** Loads a module given its resolved specifier (a `file:` URL or a bare name); defaults to `import()`. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

export interface ResolveTasksOptions {
  /** Where relative paths and package names are resolved from; defaults to `process.cwd()`. */
  cwd?: string | undefined;
  /** Replaces dynamic `import()` (bundlers, tests). */
  importer?: ModuleImporter | undefined;
}

const defaultImporter: ModuleImporter = (specifier) => import(/* @vite-ignore */ specifier);

/** `'mod:Export'` -> `['mod', 'Export']`; `'mod'` -> `['mod', undefined]`. The export is an identifier after the last `:`. */
export function splitTaskSpecifier(entry: string): [module: string, exportName: string | undefined] {
  const m = /^(.+):([A-Za-z_$][\w$]*)$/.exec(entry);
  // `C:foo` would be a Windows drive letter, not a module named `C`.
  if (m && !/^[A-Za-z]$/.test(m[1] as string)) return [m[1] as string, m[2] as string];
  return [entry, undefined];
}

function isPathLike(specifier: string): boolean {
  return (
    specifier === '.' ||
    specifier === '..' ||
    specifier.startsWith('./') ||
    specifier.startsWith('../') ||
    specifier.startsWith('.\\') ||
    specifier.startsWith('..\\') ||
    path.isAbsolute(specifier)
  );
}

/** Picks the entry of a conditional `exports` target, ESM first. */
function pickTarget(target: unknown): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const t of target) {
      const picked = pickTarget(t);
      if (picked !== undefined) return picked;
    }
    return undefined;
  }
  if (target !== null && typeof target === 'object') {
    const conditions = target as Record<string, unknown>;
    for (const c of ['import', 'node', 'default']) {
      if (c in conditions) {
        const picked = pickTarget(conditions[c]);
        if (picked !== undefined) return picked;
      }
    }
  }
  return undefined;
}

/** The ESM entry of a package (sub)path per its package.json, when it says plainly. */
function esmEntry(require: NodeRequire, specifier: string): string | undefined {
  const parts = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, nameLength).join('/');
  const sub = parts.length > nameLength ? `./${parts.slice(nameLength).join('/')}` : '.';
  let pkgPath: string;
  try {
    pkgPath = require.resolve(`${name}/package.json`);
  } catch {
    return undefined;
  }
  let pkg: { exports?: unknown; module?: unknown };
  try {
    pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: unknown; module?: unknown };
  } catch {
    return undefined;
  }
  const dir = path.dirname(pkgPath);
  const exp = pkg.exports;
  if (exp !== undefined && exp !== null) {
    const isMap = typeof exp === 'object' && !Array.isArray(exp) && Object.keys(exp).some((k) => k.startsWith('.'));
    const target = isMap ? (exp as Record<string, unknown>)[sub] : sub === '.' ? exp : undefined;
    const rel = pickTarget(target);
    return rel === undefined ? undefined : path.resolve(dir, rel);
  }
  if (sub === '.' && typeof pkg.module === 'string') return path.resolve(dir, pkg.module);
  return undefined;
}

/** Turns a module specifier into what `import()` loads, resolved from `cwd`. */
export function resolveModuleSpecifier(specifier: string, cwd: string): string {
  if (specifier.startsWith('file:')) return specifier;
  if (isPathLike(specifier)) return pathToFileURL(path.resolve(cwd, specifier)).href;
  const require = createRequire(path.join(cwd, '__tf_worker_tasks__.js'));
  const esm = esmEntry(require, specifier);
  if (esm !== undefined) return pathToFileURL(esm).href;
  try {
    return pathToFileURL(require.resolve(specifier)).href;
  } catch {
    // Not visible from the working directory: let import() try from here (a global install...).
    return specifier;
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `a function that is not a Task class (${value.name || 'anonymous'})`;
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value)})`;
  return `a ${typeof value}`;
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** The extensions a TypeScript loader (tsx, ts-node...) handles and Node 20 refuses by itself. */
const TYPESCRIPT_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];

/**
 * When `error` is Node refusing a TypeScript file (`ERR_UNKNOWN_FILE_EXTENSION` for `.ts`,
 * `.mts`, `.cts` or `.tsx`: the tasks module itself, or a file it imports), the one-line
 * reason with the fix; otherwise undefined. `moduleUrl` is the tasks module's resolved URL,
 * so that a refused file other than it is named.
 */
export function typeScriptLoaderHint(error: unknown, moduleUrl?: string): string | undefined {
  if (error === null || typeof error !== 'object') return undefined;
  if ((error as { code?: unknown }).code !== 'ERR_UNKNOWN_FILE_EXTENSION') return undefined;
  const message = error instanceof Error ? error.message : '';
  const m = /Unknown file extension "([^"]+)"(?: for (.+))?/.exec(message);
  const extension = m?.[1];
  if (extension === undefined || !TYPESCRIPT_EXTENSIONS.includes(extension)) return undefined;
  const file = m?.[2]?.trim();
  let itself = false;
  try {
    itself = file !== undefined && moduleUrl !== undefined && path.resolve(file) === fileURLToPath(moduleUrl);
  } catch {
    // moduleUrl is a bare name or not a file: URL
  }
  const refused = file === undefined || itself ? '' : ` (it imports ${file})`;
  return (
    `Node cannot import "${extension}" files without a TypeScript loader${refused}. ` +
    'Register one before the tasks load: tf-worker --import tsx ... (or node --import tsx $(which tf-worker) ...), ' +
    'with tsx installed (npm install tsx); or point the tasks at built JavaScript.'
  );
}

/** True for the abstract `Task` base itself (its parent is no Task class), as opposed to a subclass. */
function isBaseTaskClass(cls: TaskClass): boolean {
  return !isTaskClass(Object.getPrototypeOf(cls));
}

function exportsOf(mod: unknown): Record<string, unknown> {
  if (mod === null || (typeof mod !== 'object' && typeof mod !== 'function')) return {};
  const out: Record<string, unknown> = { ...(mod as Record<string, unknown>) };
  // A CommonJS module imported from ESM: its module.exports is the default export.
  const d = out['default'];
  if (d !== null && typeof d === 'object' && !Array.isArray(d)) {
    for (const [k, v] of Object.entries(d as Record<string, unknown>)) if (!(k in out)) out[k] = v;
  }
  return out;
}

async function loadEntry(entry: string, cwd: string, importer: ModuleImporter): Promise<TaskClass[]> {
  const [moduleSpec, exportName] = splitTaskSpecifier(entry);
  if (moduleSpec.trim() === '') throw new TaskLoadError(entry, `Invalid task entry ${JSON.stringify(entry)}: no module.`);
  let mod: unknown;
  const resolved = resolveModuleSpecifier(moduleSpec, cwd);
  try {
    mod = await importer(resolved);
  } catch (error) {
    const reason = typeScriptLoaderHint(error, resolved) ?? oneLine(error);
    throw new TaskLoadError(entry, `Cannot load the tasks module '${moduleSpec}' (from ${cwd}): ${reason}`, { cause: error });
  }
  const exported = exportsOf(mod);
  if (exportName !== undefined) {
    if (!(exportName in exported)) {
      const names = Object.keys(exported).filter((k) => k !== 'default' || exportName === 'default');
      throw new TaskLoadError(
        entry,
        `The module '${moduleSpec}' has no export '${exportName}' (it exports: ${names.length > 0 ? names.join(', ') : 'nothing'}).`,
      );
    }
    const value = exported[exportName];
    if (!isTaskClass(value)) {
      throw new TaskLoadError(entry, `The export '${exportName}' of '${moduleSpec}' is not a Task class: it is ${describe(value)}.`);
    }
    if (isBaseTaskClass(value)) {
      throw new TaskLoadError(entry, `The export '${exportName}' of '${moduleSpec}' is the Task base class itself; name a subclass.`);
    }
    return [value];
  }
  const found = new Set<TaskClass>();
  for (const value of Object.values(exported)) {
    if (isTaskClass(value) && !isBaseTaskClass(value)) found.add(value);
  }
  if (found.size === 0) {
    throw new TaskLoadError(entry, `The module '${moduleSpec}' exports no Task class.`);
  }
  return [...found];
}

function describeEntry(entry: unknown): string {
  if (typeof entry === 'string') return entry;
  if (typeof entry === 'function') return `class ${entry.name || '(anonymous)'}`;
  return describe(entry);
}

/**
 * Resolves an allow-list into wire name -> class, once: classes as given, strings by
 * importing their modules (see {@link TaskEntry}). A bad specifier, a missing export or an
 * export that is not a Task class is a `TaskLoadError` (`TF_TASK_LOAD`); two different
 * classes with one `taskName` are a `DuplicateTaskError` (`TF_DUPLICATE_TASK`).
 */
export async function resolveTasks(entries: readonly TaskEntry[], options: ResolveTasksOptions = {}): Promise<Map<string, AllowedTask>> {
  const cwd = options.cwd ?? process.cwd();
  const importer = options.importer ?? defaultImporter;
  const out = new Map<string, AllowedTask>();
  for (const entry of entries) {
    let classes: TaskClass[];
    if (typeof entry === 'string') {
      classes = await loadEntry(entry, cwd, importer);
    } else if (isTaskClass(entry)) {
      if (isBaseTaskClass(entry))
        throw new TaskLoadError(describeEntry(entry), 'The Task base class itself cannot be allow-listed; pass a subclass.');
      classes = [entry];
    } else {
      throw new TaskLoadError(
        describeEntry(entry),
        `An allow-list entry must be a Task class or a string like './tasks.js:Name'; got ${describe(entry)}.`,
      );
    }
    const source = describeEntry(entry);
    for (const cls of classes) {
      const name = cls.taskName;
      if (typeof name !== 'string' || name === '') {
        throw new TaskLoadError(source, `A Task class from ${source} has no taskName.`);
      }
      const existing = out.get(name);
      if (existing && existing.cls !== cls) throw new DuplicateTaskError(name, [existing.source, source]);
      if (!existing) out.set(name, { name, cls, source });
    }
  }
  return out;
}
