// Builds every package and packs each into an npm tarball, for installing tf outside this
// repository while the packages are not published (see docs/getting-started.md).
//
// Usage: node scripts/pack.mjs [--out <dir>] [--no-build]     (pnpm pack:all runs it)
//
// `pnpm pack` rewrites `workspace:` ranges into plain semver ranges, so the tarballs install
// with npm, from the folder, as a set. Each tarball is checked before the script succeeds:
// no `workspace:` range left, nothing outside the package's `files` (plus package.json,
// README, LICENSE), no tests, no tsconfig or build configs. Old tarballs of these packages
// in the folder are removed first; nothing else there is touched.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const BUILD_TIMEOUT_MS = 10 * 60_000;
const PACK_TIMEOUT_MS = 5 * 60_000;

function parseArgs(argv) {
  let out = join(root, 'packs');
  let build = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out' && argv[i + 1] !== undefined) out = resolve(argv[++i]);
    else if (arg.startsWith('--out=')) out = resolve(arg.slice('--out='.length));
    else if (arg === '--no-build') build = false;
    else if (arg === '-h' || arg === '--help') {
      console.log(
        'Usage: node scripts/pack.mjs [--out <dir>] [--no-build]\nBuilds the packages and writes one tarball per package to <dir> (default: packs/).',
      );
      process.exit(0);
    } else {
      console.error(`pack: unknown argument ${arg}`);
      process.exit(2);
    }
  }
  return { out, build };
}

/** Runs pnpm in the repository. `quiet`: its output is shown only when it fails. */
function pnpm(args, timeout, { quiet = false } = {}) {
  const result = spawnSync('pnpm', args, {
    cwd: root,
    stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    encoding: 'utf8',
    timeout,
    shell: process.platform === 'win32',
  });
  const failed = result.error ?? (result.status !== 0 ? new Error(`exited with ${result.status ?? result.signal}`) : undefined);
  if (failed) {
    if (quiet) process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}`);
    throw new Error(`pnpm ${args.join(' ')}: ${failed.message}`);
  }
}

/** The packages under packages/: folder, name, version, `files`. */
function workspacePackages() {
  const dir = join(root, 'packages');
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const manifest = JSON.parse(readFileSync(join(dir, entry.name, 'package.json'), 'utf8'));
      return { folder: entry.name, name: manifest.name, version: manifest.version, files: manifest.files ?? [], private: manifest.private };
    })
    .filter((p) => !p.private);
}

/** `@tf/core` -> `tf-core`: the prefix of the file name pnpm pack writes. */
const tarballStem = (name) => name.replace(/^@/, '').replace('/', '-');

/** The entries of a .tgz: name -> contents (a small ustar reader; pnpm writes plain ustar). */
function readTarball(file) {
  const data = gunzipSync(readFileSync(file));
  const entries = new Map();
  let offset = 0;
  while (offset + 512 <= data.length) {
    const header = data.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start, length) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const name = field(0, 100);
    const prefix = field(345, 155);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const path = prefix ? `${prefix}/${name}` : name;
    if (type === '0' || type === '') entries.set(path, data.subarray(offset + 512, offset + 512 + size));
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return entries;
}

const ALWAYS_PACKED = /^(package\.json|readme(\.[a-z]+)?|license(\.[a-z]+)?|licence(\.[a-z]+)?|changelog(\.[a-z]+)?)$/i;
const NEVER_PACKED =
  /(^|\/)(test|tests|__tests__|fixtures)\/|\.(test|spec)\.[cm]?[jt]sx?$|(^|\/)tsconfig[^/]*\.json$|(^|\/)(tsup|vitest|vite)\.config\.[cm]?[jt]s$|\.tsbuildinfo$/;

/** What is wrong with one package's tarball (an empty list when nothing is). */
function tarballProblems(file, pkg) {
  const problems = [];
  const entries = readTarball(file);
  const manifestBytes = entries.get('package/package.json');
  if (manifestBytes === undefined) return [`${pkg.name}: no package.json in ${file}`];
  const manifest = JSON.parse(manifestBytes.toString('utf8'));
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
    for (const [dep, range] of Object.entries(manifest[field] ?? {})) {
      if (String(range).startsWith('workspace:')) problems.push(`${pkg.name}: ${field}.${dep} is still ${range}`);
    }
  }
  const allowed = pkg.files.map((f) => f.replace(/^\.\//, '').replace(/\/$/, ''));
  for (const path of entries.keys()) {
    const inner = path.replace(/^package\//, '');
    if (NEVER_PACKED.test(inner)) problems.push(`${pkg.name}: packs ${inner}`);
    else if (!ALWAYS_PACKED.test(inner) && !allowed.some((f) => inner === f || inner.startsWith(`${f}/`))) {
      problems.push(`${pkg.name}: packs ${inner}, outside its files (${allowed.join(', ')})`);
    }
  }
  for (const main of ['main', 'module', 'types']) {
    if (manifest[main] && !entries.has(`package/${manifest[main].replace(/^\.\//, '')}`)) {
      problems.push(`${pkg.name}: ${main} ${manifest[main]} is not in the tarball (not built?)`);
    }
  }
  return problems;
}

function main() {
  const { out, build } = parseArgs(process.argv.slice(2));
  const packages = workspacePackages();
  if (build) pnpm(['-r', '--filter', './packages/*', 'run', 'build'], BUILD_TIMEOUT_MS);

  mkdirSync(out, { recursive: true });
  const stems = packages.map((p) => tarballStem(p.name));
  for (const file of readdirSync(out)) {
    // Only this script's own earlier output: `<stem>-<version>.tgz` for one of our packages.
    if (stems.some((stem) => file.startsWith(`${stem}-`) && /^\d/.test(file.slice(stem.length + 1)) && file.endsWith('.tgz'))) {
      rmSync(join(out, file));
    }
  }
  pnpm(['-r', '--filter', './packages/*', 'pack', '--pack-destination', out], PACK_TIMEOUT_MS, { quiet: true });

  const problems = [];
  const written = [];
  for (const pkg of packages) {
    const file = join(out, `${tarballStem(pkg.name)}-${pkg.version}.tgz`);
    try {
      problems.push(...tarballProblems(file, pkg));
      written.push(file);
    } catch (error) {
      problems.push(`${pkg.name}: ${error.message}`);
    }
  }
  if (problems.length > 0) {
    for (const problem of problems) console.error(`pack: ${problem}`);
    process.exit(1);
  }
  const near = relative(process.cwd(), out);
  const shown = near === '' ? '.' : near.startsWith('..') ? out : near;
  console.log(`\n${written.length} tarballs in ${shown}:`);
  for (const file of written) console.log(`  ${relative(out, file)}`);
}

try {
  main();
} catch (error) {
  console.error(`pack: ${error.message}`);
  process.exit(1);
}
