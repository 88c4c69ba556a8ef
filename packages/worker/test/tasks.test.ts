import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TfError } from '@tf/core';
import { memoryBroker } from '@tf/transport-memory';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DuplicateTaskError,
  type ResolveTasksOptions,
  resolveModuleSpecifier,
  resolveTasks,
  splitTaskSpecifier,
  TaskLoadError,
  Worker,
} from '../src/index';
import { AddOne, Multiply } from './fixtures/tasks';
import { FakeEngine, uniqueExchange } from './helpers';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures');
/** The package directory: entries below are written relative to it, as a user writes them relative to the working directory. */
const cwd = path.dirname(here);

async function loadError(entries: Parameters<typeof resolveTasks>[0], options: ResolveTasksOptions = { cwd }): Promise<TfError> {
  try {
    await resolveTasks(entries, options);
  } catch (error) {
    if (TfError.is(error)) return error;
    throw error;
  }
  throw new Error('resolveTasks() did not fail');
}

describe('splitTaskSpecifier', () => {
  it('splits module and export at the last colon followed by an identifier', () => {
    expect(splitTaskSpecifier('./tasks.js:AddOne')).toEqual(['./tasks.js', 'AddOne']);
    expect(splitTaskSpecifier('./tasks.js')).toEqual(['./tasks.js', undefined]);
    expect(splitTaskSpecifier('@scope/pkg:AddOne')).toEqual(['@scope/pkg', 'AddOne']);
    expect(splitTaskSpecifier('pkg/sub:default')).toEqual(['pkg/sub', 'default']);
    expect(splitTaskSpecifier('file:///srv/tasks.js')).toEqual(['file:///srv/tasks.js', undefined]);
    expect(splitTaskSpecifier('file:///srv/tasks.js:X')).toEqual(['file:///srv/tasks.js', 'X']);
    expect(splitTaskSpecifier('C:\\srv\\tasks.js:X')).toEqual(['C:\\srv\\tasks.js', 'X']);
    expect(splitTaskSpecifier('C:tasks')).toEqual(['C:tasks', undefined]);
  });
});

describe('resolveTasks: the allow-list from classes and module specifiers', () => {
  it('takes classes as given', async () => {
    const tasks = await resolveTasks([AddOne, Multiply]);
    expect([...tasks.keys()]).toEqual(['tasks.AddOne', 'tasks.Multiply']);
    expect(tasks.get('tasks.AddOne')?.cls).toBe(AddOne);
  });

  it("loads './module:Export' relative to the working directory", async () => {
    const tasks = await resolveTasks(['./test/fixtures/tasks.ts:AddOne', './test/fixtures/more-tasks.ts:Echo'], { cwd });
    expect([...tasks.keys()]).toEqual(['tasks.AddOne', 'more.Echo']);
    expect(tasks.get('tasks.AddOne')?.source).toBe('./test/fixtures/tasks.ts:AddOne');
  });

  it("'./module' alone means every Task class it exports (not helpers, not the Task base it re-exports)", async () => {
    const tasks = await resolveTasks(['./test/fixtures/tasks.ts'], { cwd });
    expect([...tasks.keys()].sort()).toEqual(
      [
        'tasks.AddOne',
        'tasks.BadProgress',
        'tasks.BigResult',
        'tasks.Boom',
        'tasks.CyclicResult',
        'tasks.Gated',
        'tasks.Multiply',
        'tasks.Unbuildable',
        'tasks.Undo',
      ].sort(),
    );
  });

  it('takes absolute paths and file: URLs', async () => {
    const abs = path.join(fixtures, 'more-tasks.ts');
    expect([...(await resolveTasks([`${abs}:Echo`])).keys()]).toEqual(['more.Echo']);
    expect([...(await resolveTasks([`${pathToFileURL(abs).href}:Echo`])).keys()]).toEqual(['more.Echo']);
  });

  it('recognises Task classes of another @tf/core copy by brand (an .mjs module)', async () => {
    const tasks = await resolveTasks(['./test/fixtures/branded.mjs'], { cwd });
    expect([...tasks.keys()]).toEqual(['foreign.Shout']); // its base class is left out
  });

  it('a module that cannot be loaded is a TaskLoadError naming it', async () => {
    const error = await loadError(['./test/fixtures/missing.ts:AddOne']);
    expect(error).toBeInstanceOf(TaskLoadError);
    expect(error.code).toBe('TF_TASK_LOAD');
    expect(error.message).toContain("Cannot load the tasks module './test/fixtures/missing.ts'");
    expect((error as TaskLoadError).specifier).toBe('./test/fixtures/missing.ts:AddOne');
    const pkg = await loadError(['no-such-package-tf-worker-test:Thing']);
    expect(pkg.code).toBe('TF_TASK_LOAD');
    expect(pkg.message).toContain('no-such-package-tf-worker-test');
  });

  it('a TypeScript module Node refuses (no loader) is a TaskLoadError whose one line names the fix', async () => {
    // What Node 20 throws for `import('./tasks.mts')` without a loader (the real thing is tested across processes).
    const refuse = (file: string) => async () => {
      throw Object.assign(new TypeError(`Unknown file extension "${path.extname(file)}" for ${file}`), {
        code: 'ERR_UNKNOWN_FILE_EXTENSION',
      });
    };
    const itself = path.join(cwd, 'tasks.mts');
    const error = await loadError(['./tasks.mts'], { cwd, importer: refuse(itself) });
    expect(error.code).toBe('TF_TASK_LOAD');
    expect(error.message).toBe(
      `Cannot load the tasks module './tasks.mts' (from ${cwd}): Node cannot import ".mts" files without a TypeScript loader. ` +
        'Register one before the tasks load: tf-worker --import tsx ... (or node --import tsx $(which tf-worker) ...), ' +
        'with tsx installed (npm install tsx); or point the tasks at built JavaScript.',
    );
    expect(error.message).not.toContain('\n');
    // A JavaScript tasks module that imports TypeScript: the refused file is named.
    const nested = await loadError(['./tasks.js'], { cwd, importer: refuse('/srv/app/lib.cts') });
    expect(nested.message).toContain('Node cannot import ".cts" files without a TypeScript loader (it imports /srv/app/lib.cts).');
    // Another unknown extension keeps Node's own message.
    const coffee = await loadError(['./tasks.coffee'], { cwd, importer: refuse(path.join(cwd, 'tasks.coffee')) });
    expect(coffee.message).toMatch(/: Unknown file extension "\.coffee" for .*tasks\.coffee$/);
    expect(coffee.message).not.toContain('--import');
  });

  it('a missing export is a TaskLoadError that lists what the module exports', async () => {
    const error = await loadError(['./test/fixtures/more-tasks.ts:Nope']);
    expect(error.code).toBe('TF_TASK_LOAD');
    expect(error.message).toContain("has no export 'Nope'");
    expect(error.message).toContain('AddOne, Echo');
  });

  it('an export that is not a Task class is a TaskLoadError', async () => {
    for (const name of ['notATask', 'helper', 'Task']) {
      const error = await loadError([`./test/fixtures/tasks.ts:${name}`]);
      expect(error.code, name).toBe('TF_TASK_LOAD');
      expect(error.message, name).toMatch(/is not a Task class|is the Task base class/);
    }
    const entry = await loadError([42 as unknown as string]);
    expect(entry.code).toBe('TF_TASK_LOAD');
  });

  it('a module without Task classes is a TaskLoadError', async () => {
    const error = await loadError(['./test/fixtures/no-tasks.mjs']);
    expect(error.code).toBe('TF_TASK_LOAD');
    expect(error.message).toContain('exports no Task class');
  });

  it('two different classes with one taskName are a DuplicateTaskError; one class twice is fine', async () => {
    const error = await loadError(['./test/fixtures/tasks.ts:AddOne', './test/fixtures/more-tasks.ts']);
    expect(error).toBeInstanceOf(DuplicateTaskError);
    expect(error.code).toBe('TF_DUPLICATE_TASK');
    expect(error.message).toContain("'tasks.AddOne'");
    const ok = await resolveTasks(['./test/fixtures/tasks.ts:AddOne', './test/fixtures/tasks.ts:AddOne'], { cwd });
    expect(ok.size).toBe(1);
  });

  describe('package specifiers, resolved from the working directory', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'tf-worker-pkg-'));
      const pkg = path.join(dir, 'node_modules', '@acme', 'tasks');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        path.join(pkg, 'package.json'),
        JSON.stringify({
          name: '@acme/tasks',
          version: '1.0.0',
          exports: {
            '.': { import: './index.mjs', require: './index.cjs' },
            './extra': { import: './extra.mjs' },
            './package.json': './package.json',
          },
        }),
      );
      const body = (flavour: string) => `
const B = Symbol.for('tf.task');
class Base { static get taskName() { return Object.prototype.hasOwnProperty.call(this, 'wire') ? this.wire : this.name; } }
Object.defineProperty(Base, B, { value: true });
Object.defineProperty(Base.prototype, B, { value: true });
class Greet extends Base { execute({ who }) { return 'hello ' + who + ' (${flavour})'; } }
Greet.wire = 'acme.Greet';
`;
      writeFileSync(path.join(pkg, 'index.mjs'), `${body('esm')}export { Greet };\n`);
      writeFileSync(path.join(pkg, 'index.cjs'), `${body('cjs')}module.exports = { Greet };\n`);
      writeFileSync(path.join(pkg, 'extra.mjs'), `${body('extra')}export { Greet as Hello };\n`);
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    afterEach(() => memoryBroker.reset());

    it("resolves 'pkg:Export' and 'pkg/sub:Export' from cwd, preferring the ESM entry", async () => {
      expect(resolveModuleSpecifier('@acme/tasks', dir)).toMatch(/index\.mjs$/);
      const tasks = await resolveTasks(['@acme/tasks:Greet'], { cwd: dir });
      expect([...tasks.keys()]).toEqual(['acme.Greet']);
      const Greet = tasks.get('acme.Greet')!.cls as unknown as new () => { execute(a: object): string };
      expect(new Greet().execute({ who: 'x' })).toBe('hello x (esm)');
      const extra = await resolveTasks(['@acme/tasks/extra:Hello'], { cwd: dir });
      expect([...extra.keys()]).toEqual(['acme.Greet']);
    });

    it('a package that is not installed where the worker runs is a TaskLoadError', async () => {
      const error = await loadError(['@acme/tasks:Greet'], { cwd: fixtures });
      expect(error.code).toBe('TF_TASK_LOAD');
    });
  });
});

describe('Worker.start() and the allow-list', () => {
  afterEach(() => memoryBroker.reset());

  it('serves tasks named by module specifiers', async () => {
    const exchange = uniqueExchange();
    const engine = await new FakeEngine(exchange).start();
    const worker = new Worker({ exchange, topic: 't', tasks: ['./test/fixtures/more-tasks.ts:Echo'], cwd, transport: 'memory' });
    await worker.start();
    try {
      expect(worker.tasks).toEqual(['more.Echo']);
      const id = await engine.request('t', { task_cls: 'more.Echo', arguments: { value: { deep: [1, 'two', null] } } });
      expect((await engine.final(id)).at(-1)).toEqual({ state: 'SUCCESS', data: { result: { deep: [1, 'two', null] } } });
    } finally {
      await worker.stop();
      await engine.close();
    }
  });

  it('a bad entry fails start() before connecting', async () => {
    const worker = new Worker({
      exchange: uniqueExchange(),
      topic: 't',
      tasks: ['./test/fixtures/more-tasks.ts:Nope'],
      cwd,
      transport: 'memory',
    });
    await expect(worker.start()).rejects.toMatchObject({ code: 'TF_TASK_LOAD' });
    expect(worker.transport).toBeUndefined();
    expect(worker.state).toBe('idle');
  });
});
