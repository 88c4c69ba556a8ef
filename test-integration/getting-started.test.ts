/**
 * docs/getting-started.md, followed as written, outside the workspace: the packages are
 * built and packed (scripts/pack.mjs, what `pnpm pack:all` runs), the page's install
 * commands run in a temporary folder with npm, its code blocks become the project's files,
 * the installed `tf-worker` serves them on the filesystem transport, and the engine
 * script's output must be the output the page shows.
 *
 * The page's blocks are found by their titles (```js title="tasks.mjs"), so the page and
 * this test cannot drift apart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './helpers';

const PACK_TIMEOUT_MS = 10 * 60_000; // builds every package first
const INSTALL_TIMEOUT_MS = 5 * 60_000; // npm, third-party dependencies from the registry
const WORKER_START_TIMEOUT_MS = 30_000;
const ENGINE_TIMEOUT_MS = 60_000;
const WORKER_STOP_TIMEOUT_MS = 30_000;

/** The fenced code blocks of a Markdown page that carry a `title="..."`, by title. */
function titledBlocks(markdown: string): Map<string, string> {
  const blocks = new Map<string, string>();
  for (const m of markdown.matchAll(/^```[\w-]*[ \t]+title="([^"]+)"[^\n]*\n([\s\S]*?)^```[ \t]*$/gm)) {
    const [, title, body] = m;
    if (blocks.has(title!)) throw new Error(`two code blocks titled ${title} in the page`);
    blocks.set(title!, body!);
  }
  return blocks;
}

function block(blocks: Map<string, string>, title: string): string {
  const body = blocks.get(title);
  if (body === undefined) throw new Error(`docs/getting-started.md has no code block titled "${title}"`);
  return body;
}

/** Splits a one-command shell block into words: quotes, backslash-newline continuations. */
function shellWords(command: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const text = command.replace(/\\\n/g, ' ').trim();
  if (text.includes('\n')) throw new Error(`expected one command, got:\n${command}`);
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unbalanced ${c} in ${text}`);
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (/[;&|<>$`\\]/.test(c)) {
      throw new Error(`'${c}' in ${text}: this test runs plain commands only`);
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * The environment for npm and the project's processes: ours, without what pnpm adds for
 * the scripts it runs (npm warns about pnpm's config keys), and npm kept quiet and offline-first.
 */
function projectEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const pnpmKeys = new Set(
    Object.keys(process.env)
      .filter((k) => /^pnpm_config_/i.test(k))
      .map((k) => k.toLowerCase().slice('p'.length)),
  );
  for (const [key, value] of Object.entries(process.env)) {
    const k = key.toLowerCase();
    if (/^pnpm_/.test(k) || pnpmKeys.has(k) || /^npm_(command|lifecycle_|package_|config_user_agent|execpath|node_execpath)/.test(k))
      continue;
    env[key] = value;
  }
  return {
    ...env,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_prefer_offline: 'true',
    npm_config_update_notifier: 'false',
  };
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs a process to its end; kills it and rejects after `timeoutMs`. */
function runToEnd(
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not end in ${options.timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const both = (f: Finished) => `${f.stdout}\n${f.stderr}`;

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

describe('docs/getting-started.md', () => {
  it('works as written from packed tarballs in a project outside the workspace', { timeout: 20 * 60_000 }, async () => {
    const page = readFileSync(join(root, 'docs/getting-started.md'), 'utf8');
    const blocks = titledBlocks(page);
    // Every block the page must have, and the two commands this test runs itself, read
    // before the slow part so a page that changed shape fails at once.
    const [npx, bin, ...workerArgs] = shellWords(block(blocks, 'worker'));
    expect([npx, bin]).toEqual(['npx', 'tf-worker']);
    const [node, ...engineArgs] = shellWords(block(blocks, 'engine'));
    expect(node).toBe('node');
    const expectedOutput = block(blocks, 'output').trim();
    expect(block(blocks, 'pack')).toContain('pnpm pack:all');
    const install = block(blocks, 'install');
    block(blocks, 'tasks.mjs');
    block(blocks, 'engine.mjs');
    const tmp = mkdtempSync(join(tmpdir(), 'tf-getting-started-'));
    let worker: ChildProcess | undefined;
    let workerExit: Promise<unknown> = Promise.resolve();
    try {
      // 1. Pack. The page runs `pnpm pack:all` in the clone; here the clone is this checkout
      // (already installed) and the tarballs go to <tmp>/tf/packs, where the page's
      // `../tf/packs` finds them from <tmp>/hello-tf.
      const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
      expect(rootManifest.scripts['pack:all']).toBe('node scripts/pack.mjs');
      const packs = join(tmp, 'tf', 'packs');
      mkdirSync(packs, { recursive: true });
      const packed = await runToEnd(process.execPath, ['scripts/pack.mjs', '--out', packs], { cwd: root, timeoutMs: PACK_TIMEOUT_MS });
      expect(packed.code, both(packed)).toBe(0);

      // 2. Create the project: the page's commands, run by sh from <tmp>.
      for (const tarball of install.match(/\.\.\/tf\/packs\/\S+\.tgz/g) ?? []) {
        expect(existsSync(join(tmp, 'hello-tf', tarball)), `the page installs ${tarball}, which pack.mjs did not write`).toBe(true);
      }
      const installed = await runToEnd('sh', ['-e', '-c', install], { cwd: tmp, env: projectEnv(), timeoutMs: INSTALL_TIMEOUT_MS });
      expect(installed.code, both(installed)).toBe(0);
      const project = join(tmp, 'hello-tf');

      // The minimal install is exactly the six packages the page names, installed from the
      // tarballs: no `workspace:` range, no tests or tsconfig files.
      const scope = join(project, 'node_modules', '@tf');
      expect(readdirSync(scope).sort()).toEqual(['core', 'engine', 'persistence', 'transport', 'transport-filesystem', 'worker']);
      const projectManifest = JSON.parse(readFileSync(join(project, 'package.json'), 'utf8'));
      for (const spec of Object.values<string>(projectManifest.dependencies)) expect(spec).toMatch(/^file:/);
      for (const name of readdirSync(scope)) {
        const dir = join(scope, name);
        expect(readFileSync(join(dir, 'package.json'), 'utf8')).not.toContain('workspace:');
        const files = filesUnder(dir);
        expect(files).toContain('dist/index.js');
        expect(files).toContain('dist/index.cjs');
        expect(
          files.filter((f) => /(^|\/)(test|tests|fixtures)\/|\.test\.[cm]?[jt]s$|tsconfig|tsup\.config|vitest\.config/.test(f)),
        ).toEqual([]);
        expect(files.filter((f) => !/^(dist|src|bin)\//.test(f) && f !== 'package.json' && f !== 'README.md')).toEqual([]);
      }
      const core = JSON.parse(readFileSync(join(scope, 'core', 'package.json'), 'utf8'));
      expect(core.dependencies['@tf/transport']).toMatch(/^\^\d+\.\d+\.\d+$/);

      // 3. The page's files.
      for (const [title, body] of blocks) {
        if (/\.(mjs|cjs|js|json)$/.test(title)) writeFileSync(join(project, title), body);
      }
      expect(statSync(join(project, 'tasks.mjs')).isFile()).toBe(true);
      expect(statSync(join(project, 'engine.mjs')).isFile()).toBe(true);

      // 4. The worker: the installed bin from node_modules/.bin, with the page's arguments.
      const child = spawn(process.execPath, [join(project, 'node_modules', '.bin', 'tf-worker'), ...workerArgs], {
        cwd: project,
        env: projectEnv(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      worker = child;
      let workerOut = '';
      child.stdout.on('data', (chunk: Buffer) => (workerOut += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (workerOut += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      workerExit = exited;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`tf-worker did not start in ${WORKER_START_TIMEOUT_MS} ms:\n${workerOut}`)),
          WORKER_START_TIMEOUT_MS,
        );
        const check = () => {
          if (/Supported endpoints:\n\s+- tasks\.Add/.test(workerOut)) {
            clearTimeout(timer);
            resolve();
          }
        };
        child.stdout.on('data', check);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`tf-worker exited with ${code} before starting:\n${workerOut}`));
        });
      });

      // 5. The engine: `node engine.mjs`, which must end by itself and print the page's output.
      const engine = await runToEnd(process.execPath, engineArgs, { cwd: project, env: projectEnv(), timeoutMs: ENGINE_TIMEOUT_MS });
      expect(engine.code, `${engine.stderr}\nworker:\n${workerOut}`).toBe(0);
      expect(engine.stdout.trim()).toBe(expectedOutput);

      // The worker did the work, through the folder the page names, and left no message behind.
      const option = (flag: string) => workerArgs[workerArgs.indexOf(flag) + 1]!;
      const queues = join(project, JSON.parse(option('--transport-options')).dataFolder, option('--exchange'), option('--topic'));
      expect(existsSync(queues)).toBe(true);
      expect(filesUnder(queues).filter((f) => f.endsWith('.msg') || f.endsWith('.claim'))).toEqual([]);

      // Ctrl-C (here SIGTERM) stops it cleanly.
      child.kill('SIGTERM');
      const stopped = await Promise.race([
        exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), WORKER_STOP_TIMEOUT_MS).unref()),
      ]);
      expect(stopped, workerOut).toBe(0);
    } finally {
      if (worker && worker.exitCode === null && worker.signalCode === null) {
        worker.kill('SIGKILL');
        await Promise.race([workerExit, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
      }
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
