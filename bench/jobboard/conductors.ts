/**
 * Jobs per second through a jobboard: 1,000 jobs of a one-task flow, two conductors, on the
 * Redis board and on the PostgreSQL board. The two conductors run in this process (each with
 * its own board object, so its own connections and its own claims), on the serial engine with
 * an in-memory persistence backend: the flow costs next to nothing, what is measured is the
 * board (post, event, claim, renew, consume) and the conductor around it.
 *
 * Two ways of feeding them:
 * - backlog: 1,000 jobs posted first, then the conductors start and drain the board;
 * - stream: the conductors run, then 1,000 jobs are posted back to back (one post awaited
 *   after the other, as one producer would).
 *
 * Figures: jobs/s (first claim or post to the last consume), claim-to-start latency (the
 * conductor's `job_claimed` to `job_started`: building the flow, opening and locking its flow
 * detail), post-to-claim latency in the stream (how long a job waits on the board), and the
 * raw floor of the store: sequential round trips of a trivial command (Redis PING, PostgreSQL
 * SELECT 1) on two connections, what three board calls per job (post, claim, consume) cannot beat.
 *
 *   pnpm bench:jobboard                # (= tsx bench/jobboard/conductors.ts) 1,000 jobs
 *   pnpm bench:jobboard -- --jobs 200  # fewer
 *   pnpm bench:jobboard -- --only redis
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { Conductor, ConductorEvent, type ConductorEventDetails } from '@tf/conductor';
import { linearFlow, Task } from '@tf/core';
import { type Jobboard, registerJobboard, resolveJobboard } from '@tf/jobboard';
import { createJobboard as createPostgresBoard } from '@tf/jobboard-postgres';
import { createJobboard as createRedisBoard } from '@tf/jobboard-redis';
import { MemoryPersistenceBackend } from '@tf/persistence';
import Redis from 'ioredis';
import pg from 'pg';

registerJobboard('redis', createRedisBoard);
registerJobboard('postgresql', createPostgresBoard);

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const JOBS = Number(arg('--jobs') ?? 1_000);
const ONLY = arg('--only');
const MAX_FLOWS = Number(arg('--max-flows') ?? 4);
const REDIS_URL = process.env['TF_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const PG_URL = process.env['TF_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const TIMEOUT_MS = 300_000;

class Noop extends Task<Record<string, never>, number> {
  static override taskName = 'bench.Noop';
  override execute(): number {
    return 1;
  }
}

const flows = { one: () => linearFlow('one').add(new Noop({ name: 'noop' })) };

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? Number.NaN;
}

const fmt = (n: number, digits = 1): string => n.toFixed(digits);

interface Result {
  board: string;
  mode: 'backlog' | 'stream';
  jobsPerSecond: number;
  claimToStart: { p50: number; p95: number };
  postToClaim?: { p50: number; p95: number };
  postsPerSecond?: number;
  claimedBy: Record<string, number>;
}

/** The PostgreSQL board's tables go in a schema of their own, dropped at the end. */
const PG_SCHEMA = `tf_bench_jobboard_${randomBytes(4).toString('hex')}`;

/** Removes what a board stored (the outcomes are kept for 24 h otherwise). */
async function cleanup(kind: 'redis' | 'postgresql', board: string): Promise<void> {
  if (kind === 'redis') {
    const redis = new Redis(REDIS_URL);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `tf:jobboard:${board}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    } finally {
      redis.disconnect();
    }
    return;
  }
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${PG_SCHEMA}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function runMode(boardName: string, kind: 'redis' | 'postgresql', connection: string, mode: 'backlog' | 'stream'): Promise<Result> {
  const board = `bench-${randomBytes(4).toString('hex')}`;
  const boardOptions = kind === 'postgresql' ? { schema: PG_SCHEMA } : {};
  const poster = await resolveJobboard({ connection, board, ...boardOptions });
  const backend = new MemoryPersistenceBackend();
  const events: (ConductorEventDetails & { event: string })[] = [];
  const conductors: Conductor[] = [];
  const boards: Jobboard[] = [poster];
  for (const name of ['c1', 'c2']) {
    const b = await resolveJobboard({ connection, board, ...boardOptions });
    boards.push(b);
    const c = new Conductor({ board: b, backend, flows, engine: 'serial', maxFlows: MAX_FLOWS, name });
    c.notifier.on('*', (event, details) => events.push({ event, ...details }));
    conductors.push(c);
  }
  const postedAt = new Map<string, number>();
  const uuids: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    let consumed = 0;
    const timer = setTimeout(
      () => reject(new Error(`${boardName} ${mode}: ${consumed}/${JOBS} consumed after ${TIMEOUT_MS} ms`)),
      TIMEOUT_MS,
    );
    for (const c of conductors) {
      c.notifier.on(ConductorEvent.Consumed, () => {
        consumed += 1;
        if (consumed === JOBS) {
          clearTimeout(timer);
          resolve();
        }
      });
    }
  });
  const post = async () => {
    const t0 = performance.now();
    for (let i = 0; i < JOBS; i++) {
      const at = Date.now();
      const job = await poster.post({ flow: 'one', args: {}, store: {} });
      postedAt.set(job.uuid, at);
      uuids.push(job.uuid);
    }
    return performance.now() - t0;
  };
  let postMs: number;
  let started: number;
  try {
    if (mode === 'backlog') {
      postMs = await post();
      started = performance.now();
      await Promise.all(conductors.map((c) => c.start()));
    } else {
      await Promise.all(conductors.map((c) => c.start()));
      started = performance.now();
      postMs = await post();
    }
    await done;
    const elapsed = performance.now() - started;
    // Every job consumed SUCCESS, once.
    const outcomes = await Promise.all(uuids.map((u) => poster.outcome(u)));
    const bad = outcomes.filter((o) => o?.state !== 'SUCCESS').length;
    if (bad > 0) throw new Error(`${boardName} ${mode}: ${bad} jobs without a SUCCESS outcome`);
    const claimed = new Map<string, number>();
    const claimToStart: number[] = [];
    const postToClaim: number[] = [];
    const claimedBy: Record<string, number> = {};
    for (const e of events) {
      if (e.event === ConductorEvent.Claimed) {
        if (claimed.has(e.uuid)) throw new Error(`${boardName} ${mode}: ${e.uuid} claimed twice`);
        claimed.set(e.uuid, e.at);
        claimedBy[e.conductor] = (claimedBy[e.conductor] ?? 0) + 1;
        const p = postedAt.get(e.uuid);
        if (p !== undefined) postToClaim.push(e.at - p);
      } else if (e.event === ConductorEvent.Started) {
        claimToStart.push(e.at - claimed.get(e.uuid)!);
      }
    }
    const result: Result = {
      board: boardName,
      mode,
      jobsPerSecond: (JOBS / elapsed) * 1000,
      claimToStart: { p50: percentile(claimToStart, 50), p95: percentile(claimToStart, 95) },
      claimedBy,
      postsPerSecond: (JOBS / postMs) * 1000,
    };
    if (mode === 'stream') result.postToClaim = { p50: percentile(postToClaim, 50), p95: percentile(postToClaim, 95) };
    return result;
  } finally {
    await Promise.all(conductors.map((c) => c.stop({ timeoutMs: 10_000 })));
    await Promise.all(boards.map((b) => b.close()));
    await cleanup(kind, board);
  }
}

/** Sequential round trips of a trivial command on two connections at once: ops/s in all. */
async function floor(kind: 'redis' | 'postgresql'): Promise<number> {
  const n = JOBS * 3;
  if (kind === 'redis') {
    const clients = [new Redis(REDIS_URL, { lazyConnect: true }), new Redis(REDIS_URL, { lazyConnect: true })];
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const t0 = performance.now();
      await Promise.all(
        clients.map(async (c) => {
          for (let i = 0; i < n / 2; i++) await c.ping();
        }),
      );
      return (n / (performance.now() - t0)) * 1000;
    } finally {
      for (const c of clients) c.disconnect();
    }
  }
  const clients = [new pg.Client({ connectionString: PG_URL }), new pg.Client({ connectionString: PG_URL })];
  await Promise.all(clients.map((c) => c.connect()));
  try {
    const t0 = performance.now();
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < n / 2; i++) await c.query('SELECT 1');
      }),
    );
    return (n / (performance.now() - t0)) * 1000;
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

const targets: { name: string; kind: 'redis' | 'postgresql'; connection: string }[] = [
  { name: 'Redis', kind: 'redis', connection: `${REDIS_URL}/0` },
  { name: 'PostgreSQL', kind: 'postgresql', connection: PG_URL },
].filter((t) => ONLY === undefined || t.kind.startsWith(ONLY)) as { name: string; kind: 'redis' | 'postgresql'; connection: string }[];

console.log(
  `# jobboard bench: ${JOBS} jobs of a one-task flow, 2 in-process conductors (serial engine, memory backend, maxFlows ${MAX_FLOWS})`,
);
console.log(
  `# Node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
console.log(
  '| board | feed | jobs/s | claim→start p50 / p95 (ms) | post→claim p50 / p95 (ms) | posts/s | claims c1 / c2 | floor: round trips/s (2 connections) |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const target of targets) {
  const floorOps = await floor(target.kind);
  for (const mode of ['backlog', 'stream'] as const) {
    const r = await runMode(target.name, target.kind, target.connection, mode);
    console.log(
      `| ${r.board} | ${r.mode} | ${fmt(r.jobsPerSecond, 0)} | ${fmt(r.claimToStart.p50)} / ${fmt(r.claimToStart.p95)} | ${
        r.postToClaim ? `${fmt(r.postToClaim.p50)} / ${fmt(r.postToClaim.p95)}` : '-'
      } | ${fmt(r.postsPerSecond ?? Number.NaN, 0)} | ${r.claimedBy['c1'] ?? 0} / ${r.claimedBy['c2'] ?? 0} | ${fmt(floorOps, 0)} |`,
    );
  }
}
console.log(
  `# load average after: ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
