/**
 * The backends alone, without an engine: how fast each takes the writes a run makes.
 * A "linear" run of n tasks saves each task twice (RUNNING, then SUCCESS with a result),
 * one atom per batch, as the serial engine would; an "unordered" run saves n tasks in
 * batches of 100 atoms (RUNNING), then again (SUCCESS). Two ways of writing:
 *
 * - awaited: each batch awaited before the next (a round trip per batch: the latency bound);
 * - pipelined: every batch given at once, then awaited (what group commit makes of a burst).
 *
 *   pnpm tsx bench/persistence-backends/run.ts            # linear 1,000 and unordered 10,000
 *   pnpm tsx bench/persistence-backends/run.ts --quick    # 200 and 2,000
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { AtomRecord, StorageBatch } from '@tf/core';
import { DirBackend, MemoryPersistenceBackend, type PersistenceBackend } from '@tf/persistence';
import { PostgresBackend } from '@tf/persistence-postgres';
import { SqliteBackend } from '@tf/persistence-sqlite';

const quick = process.argv.includes('--quick');
const linearN = quick ? 200 : 1_000;
const unorderedN = quick ? 2_000 : 10_000;
const PG_URL = process.env['TF_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const tmp = mkdtempSync(join(tmpdir(), 'tf-bench-persistence-'));
const schema = `tf_bench_${randomBytes(4).toString('hex')}`;

const atom = (name: string, state: 'RUNNING' | 'SUCCESS'): AtomRecord => ({
  name,
  kind: 'task',
  state,
  intention: 'EXECUTE',
  progress: state === 'SUCCESS' ? 1 : 0,
  ...(state === 'SUCCESS' ? { result: { value: name.length, note: 'a small result' } } : {}),
});

function linearBatches(n: number): StorageBatch[] {
  const out: StorageBatch[] = [];
  for (let i = 0; i < n; i++) out.push({ atoms: [atom(`t${i}`, 'RUNNING')] }, { atoms: [atom(`t${i}`, 'SUCCESS')] });
  return out;
}

function unorderedBatches(n: number): StorageBatch[] {
  const out: StorageBatch[] = [];
  for (const state of ['RUNNING', 'SUCCESS'] as const) {
    for (let i = 0; i < n; i += 100) {
      out.push({ atoms: Array.from({ length: Math.min(100, n - i) }, (_, k) => atom(`t${i + k}`, state)) });
    }
  }
  return out;
}

async function runOnce(backend: PersistenceBackend, batches: StorageBatch[], pipelined: boolean): Promise<number> {
  const uuid = `bench-${randomBytes(6).toString('hex')}`;
  await backend.saveFlow({ uuid, name: 'bench', state: 'RUNNING', store: {} });
  const started = performance.now();
  if (pipelined) await Promise.all(batches.map((b) => backend.saveBatch(uuid, b)));
  else for (const b of batches) await backend.saveBatch(uuid, b);
  const ms = performance.now() - started;
  const atoms = await backend.loadAtoms(uuid);
  if (atoms.length !== new Set(batches.flatMap((b) => b.atoms.map((a) => a.name))).size || atoms.some((a) => a.state !== 'SUCCESS')) {
    throw new Error('bench: the backend lost writes');
  }
  return ms;
}

const backends: [string, () => Promise<PersistenceBackend>][] = [
  ['memory', async () => new MemoryPersistenceBackend()],
  ['dir', async () => new DirBackend(join(tmp, `dir-${randomBytes(3).toString('hex')}`))],
  ['sqlite', async () => new SqliteBackend(join(tmp, `s-${randomBytes(3).toString('hex')}.db`))],
  ['postgres', () => PostgresBackend.open(new URL(PG_URL), { schema })],
  ['dir durable:false', async () => new DirBackend(join(tmp, `dirnd-${randomBytes(3).toString('hex')}`), { durable: false })],
  ['postgres sync_commit:off', () => PostgresBackend.open(new URL(PG_URL), { schema, synchronousCommit: 'off' })],
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

try {
  const rows: string[] = [];
  for (const [label, batches, tasks] of [
    [`linear ${linearN}`, linearBatches(linearN), linearN],
    [`unordered ${unorderedN}`, unorderedBatches(unorderedN), unorderedN],
  ] as const) {
    for (const pipelined of [false, true]) {
      let memory = Number.NaN;
      for (const [name, open] of backends) {
        const backend = await open();
        const times: number[] = [];
        for (let r = 0; r < 3; r++) times.push(await runOnce(backend, batches, pipelined));
        await backend.close();
        const perSecond = tasks / (median(times) / 1000);
        if (name === 'memory') memory = perSecond;
        rows.push(
          `| ${label} | ${pipelined ? 'pipelined' : 'awaited'} | ${name} | ${batches.length} | ${Math.round(perSecond).toLocaleString('en')} | ${(perSecond / memory).toFixed(3)} |`,
        );
        console.error(rows.at(-1));
      }
    }
  }
  console.log('| run | writes | backend | batches | tasks/s | vs memory |\n|---|---|---|---|---|---|');
  console.log(rows.join('\n'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
  // pg is the postgres backend's dependency, not the bench's own.
  const pg = createRequire(new URL('../../packages/persistence-postgres/package.json', import.meta.url))('pg') as {
    Client: new (config: object) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> };
  };
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
}
