/**
 * The boards alone (no flows): how fast jobs go through a board. Posts N jobs, then B board
 * objects (separate connections, as separate conductors would be) each run C loops of
 * `claimNext` -> `consume` until the board is empty. Prints posts/s, jobs/s through claim and
 * consume, and the claimNext latency (p50/p95/max); checks every job was consumed exactly once.
 *
 *   pnpm tsx bench/jobboard/run.ts [memory|redis|postgres ...]    (default: all three)
 *   N=1000 BOARDS=2 LOOPS=4 pnpm tsx bench/jobboard/run.ts redis
 */
import { randomBytes } from 'node:crypto';
import { type ClaimNext, type Jobboard, registerJobboard, resolveJobboard } from '@tf/jobboard';
import { createJobboard as createPostgres } from '@tf/jobboard-postgres';
import { createJobboard as createRedis } from '@tf/jobboard-redis';
import { Redis } from 'ioredis';
import pg from 'pg';

registerJobboard('redis', createRedis);
registerJobboard('postgresql', createPostgres);

const N = Number(process.env['N'] ?? 1000);
const BOARDS = Number(process.env['BOARDS'] ?? 2);
const LOOPS = Number(process.env['LOOPS'] ?? 4);
const REDIS_URL = process.env['TF_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env['TF_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const schema = `tf_jb_bench_${randomBytes(4).toString('hex')}`;

const connections: Record<string, () => string> = {
  memory: () => 'memory://',
  redis: () => REDIS_URL,
  postgres: () => `${PG_URL}?schema=${schema}`,
};

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function run(kind: string): Promise<void> {
  const board = `bench-${randomBytes(4).toString('hex')}`;
  const open = async () =>
    (await resolveJobboard({ connection: connections[kind]!(), board, outcomeTtlMs: 60_000 })) as Jobboard & ClaimNext;
  const poster = await open();
  const conductors = await Promise.all(Array.from({ length: BOARDS }, () => open()));
  let t = performance.now();
  for (let i = 0; i < N; i++) await poster.post({ flow: 'one-task', args: { i }, store: {} });
  const postMs = performance.now() - t;

  const latencies: number[] = [];
  const consumed = new Map<string, number>();
  t = performance.now();
  await Promise.all(
    conductors.flatMap((b, bi) =>
      Array.from({ length: LOOPS }, async (_, li) => {
        const owner = `c${bi}-${li}`;
        for (;;) {
          const s = performance.now();
          const claim = await b.claimNext(owner, { flows: ['one-task'] });
          latencies.push(performance.now() - s);
          if (!claim) return;
          await b.consume(claim.job.uuid, owner, { state: 'SUCCESS' });
          consumed.set(claim.job.uuid, (consumed.get(claim.job.uuid) ?? 0) + 1);
        }
      }),
    ),
  );
  const runMs = performance.now() - t;
  const twice = [...consumed.values()].filter((n) => n !== 1).length;
  if (consumed.size !== N || twice > 0) throw new Error(`${kind}: ${consumed.size} of ${N} consumed, ${twice} more than once`);
  latencies.sort((a, b) => a - b);
  console.log(
    `${kind.padEnd(8)} post ${Math.round((N / postMs) * 1000)}/s (one at a time)  claimNext+consume ${Math.round((N / runMs) * 1000)} jobs/s` +
      ` (${BOARDS} boards x ${LOOPS} loops)  claimNext p50 ${quantile(latencies, 0.5).toFixed(2)} ms p95 ${quantile(latencies, 0.95).toFixed(2)} ms max ${latencies.at(-1)?.toFixed(1)} ms`,
  );
  await Promise.all([poster, ...conductors].map((b) => b.close()));
  if (kind === 'redis') {
    // The shared Redis keeps nothing of the run (SCAN, never FLUSHALL).
    const admin = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await admin.scan(cursor, 'MATCH', `tf:jobboard:${board}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await admin.del(...keys);
    } while (cursor !== '0');
    await admin.quit();
  }
}

const kinds = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['memory', 'redis', 'postgres'];
console.log(`N=${N} jobs, ${BOARDS} board objects, ${LOOPS} claim loops each; node ${process.version}`);
try {
  for (const kind of kinds) await run(kind);
} finally {
  if (kinds.includes('postgres')) {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  }
}
