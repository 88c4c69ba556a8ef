/**
 * Conductors end to end (docs/conductors.md), on a Redis board and on a PostgreSQL board: two
 * `tf-conductor` processes and two `tf-worker` processes (Redis transport), one sqlite backend
 * file. Every task execution appends `start`/`end <job> <step> <pid>` to a journal file, and the
 * test watches the board's events, so it can tell:
 * - 20 jobs posted: each job's flow runs to completion, every step once; a claim is never held
 *   by two conductors at once (no `claimed` before the previous claim ended);
 * - kill -9 of the conductor holding a long flow mid-step: its claim expires, the other conductor
 *   claims the job and resumes the flow detail from the backend: the steps that finished before
 *   the kill do not run again (only the step in flight may), and every job completes;
 * - a job naming a flow no conductor serves stays on the board, unclaimed, with each conductor's note;
 * - SIGTERM: the conductor abandons its claim (an `abandoned` event, no expiry) and the other
 *   takes the job over and finishes it; no step runs twice (the running step finished first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, type Jobboard, type JobboardEvent, registerJobboard, resolveJobboard } from '@tf/jobboard';
import { createJobboard as createPostgresBoard } from '@tf/jobboard-postgres';
import { createJobboard as createRedisBoard } from '@tf/jobboard-redis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import pg from 'pg';
import { REDIS_URL } from '../packages/transport-redis/test/available';
import { adminClient, deleteKeys } from '../packages/transport-redis/test/util';
import { root, startWorker, waitUntil, type WorkerProcess } from './helpers';
import { describeWith, uniqueName } from './services';

registerJobboard('redis', createRedisBoard);
registerJobboard('postgresql', createPostgresBoard);

const PG_URL = process.env['TF_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const CLAIM_TTL_MS = 3_000;
const folder = mkdtempSync(join(tmpdir(), 'tf-it-conductor-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

interface ConductorProcess {
  readonly name: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, and the exit code. */
  stop(): Promise<number | null>;
  kill9(): Promise<void>;
}

/** Starts `tf-conductor` (from source, through tsx) and resolves once it printed its banner. */
async function startConductor(name: string, config: string, timeoutMs = 30_000): Promise<ConductorProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'packages/conductor/src/cli.ts', '--log-level', 'warn', '--config', config, '--name', name],
    { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tf-conductor ${name} did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stdout.on('data', () => {
      if (out.includes('Supported flows')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`tf-conductor ${name} exited with ${code} before starting:\n${out}`));
    });
  });
  return {
    name,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

interface Line {
  kind: 'start' | 'end';
  job: string;
  step: number;
}

function journalLines(file: string): Line[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line, i) => {
      const m = /^(start|end) (\S+) (\d+) \d+$/.exec(line);
      if (!m) throw new Error(`${file}:${i + 1} is no journal line: ${line}`);
      return { kind: m[1] as 'start' | 'end', job: m[2]!, step: Number(m[3]) };
    });
}

/** How many times each step of `job` ended (ran to completion), by step index. */
function ends(lines: readonly Line[], job: string, n: number): number[] {
  const out = new Array<number>(n).fill(0);
  for (const l of lines) if (l.kind === 'end' && l.job === job) out[l.step]!++;
  return out;
}

/**
 * Claims held by two owners at once, from the board's events: a `claimed` while another claim
 * is live. A claim of a conductor killed with kill -9 lapses: taking it over is no double hold
 * (PostgreSQL sends only the new `claimed` when a lapsed claim is taken before its expiry check).
 */
function doubleClaims(events: readonly JobboardEvent[], dead: ReadonlySet<string> = new Set()): string[] {
  const holder = new Map<string, string>();
  const problems: string[] = [];
  for (const e of events) {
    if (e.type === 'claimed') {
      const held = holder.get(e.uuid);
      if (held !== undefined && !dead.has(held)) problems.push(`${e.uuid} claimed by ${e.owner} while held by ${held}`);
      holder.set(e.uuid, e.owner);
    } else if (e.type === 'abandoned' || e.type === 'expired' || e.type === 'consumed' || e.type === 'trashed') {
      holder.delete(e.uuid);
    }
  }
  return problems;
}

/** The Redis transport's keys of this file (workers and conductors), deleted at the end. */
const keyPrefix = `tf-it-conductor-${process.pid}-${Date.now().toString(36)}:`;
const transportOptions = { key_prefix: keyPrefix };

const schemaName = `tf_it_conductor_${process.pid}_${Date.now().toString(36)}`;

/** Each board's own options (a schema of its own on PostgreSQL), and how to remove what it stored. */
const boards = [
  {
    name: 'Redis',
    connection: `${REDIS_URL}/0`,
    options: (): Record<string, unknown> => ({}),
    cleanup: async (board: string) => {
      const admin = adminClient(REDIS_URL);
      try {
        await deleteKeys(admin, `tf:jobboard:${board}:*`);
      } finally {
        await admin.quit();
      }
    },
  },
  {
    name: 'PostgreSQL',
    connection: PG_URL,
    options: (): Record<string, unknown> => ({ schema: schemaName }),
    cleanup: async () => {
      const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS "${schemaName}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  },
];

afterAll(async () => {
  const admin = adminClient(REDIS_URL);
  try {
    await deleteKeys(admin, `${keyPrefix}*`);
  } finally {
    await admin.quit();
  }
});

for (const spec of boards) {
  await describeWith(['redis'], `conductors on a ${spec.name} board: 2 tf-conductor and 2 tf-worker processes`, () => {
    const boardName = uniqueName('it-conductor');
    const exchange = uniqueName('it-conductor');
    const journal = join(folder, `${boardName}.journal`);
    const topics = ['cond-a', 'cond-b'];
    const events: JobboardEvent[] = [];
    const conductors = new Map<string, ConductorProcess>();
    /** Conductors killed with kill -9: their claims lapse. */
    const killed = new Set<string>();
    let workers: WorkerProcess[] = [];
    let board: Jobboard;
    let unwatch: () => void = () => {};
    let config: string;

    beforeAll(async () => {
      board = await resolveJobboard({ connection: spec.connection, board: boardName, claimTtlMs: CLAIM_TTL_MS, ...spec.options() });
      unwatch = board.watch((event) => events.push(event));
      config = join(folder, `${boardName}.json`);
      writeFileSync(
        config,
        JSON.stringify({
          board: { connection: spec.connection, board: boardName, claimTtlMs: CLAIM_TTL_MS, ...spec.options() },
          // Four engine processes share one sqlite file on 2 loaded cores: a write may wait.
          backend: { connection: `sqlite://${join(folder, `${boardName}.db`)}`, busyTimeoutMs: 30_000 },
          flows: './test-integration/fixtures/conductor-flows.ts',
          transport: 'redis',
          url: REDIS_URL,
          transportOptions,
          exchange,
          topics,
          engineOptions: { notifyIntervalMs: 500 },
          maxFlows: 2,
          rescanIntervalMs: 2_000,
          stopTimeoutMs: 10_000,
        }),
      );
      workers = await Promise.all(
        topics.map((topic) =>
          startWorker(
            [
              '--transport',
              'redis',
              '--url',
              REDIS_URL,
              '--transport-options',
              JSON.stringify(transportOptions),
              '--exchange',
              exchange,
              '--topic',
              topic,
              '--tasks',
              './test-integration/fixtures/conductor-tasks.ts',
              '--concurrency',
              '4',
            ],
            30_000,
            { TF_CONDUCTOR_JOURNAL: journal },
          ),
        ),
      );
      for (const name of ['c1', 'c2']) conductors.set(name, await startConductor(name, config));
    });

    afterAll(async () => {
      unwatch();
      await Promise.all([...conductors.values()].map((c) => c.stop()));
      await Promise.all(workers.map((w) => w.stop()));
      await board?.close();
      await spec.cleanup(boardName);
    });

    const eventsOf = (uuid: string) => events.filter((e) => e.uuid === uuid && e.type !== 'posted');
    /** A job's claim history: `claimed c1`, `expired c1`, ... (a repeated event, as two board objects may report one expiry, once). */
    const historyOf = (uuid: string) =>
      eventsOf(uuid)
        .map((e) => `${e.type}${'owner' in e ? ` ${e.owner}` : ''}`)
        .filter((entry, i, all) => i === 0 || all[i - 1] !== entry);
    const output = () => [...conductors.values()].map((c) => `--- ${c.name}\n${c.output()}`).join('\n');

    it('20 jobs each run once to completion; kill -9 of the conductor mid long flow: the other resumes it from the backend', {
      timeout: 180_000,
    }, async () => {
      const long = await board.post({ flow: 'steps', args: { n: 10, ms: 400 }, store: {} }, { name: 'long' });
      const short: Job[] = [];
      for (let i = 0; i < 19; i++) short.push(await board.post({ flow: 'steps', args: { n: 3, ms: 50 }, store: {} }));

      // Kill the long flow's owner while its step 3 runs: steps 0-2 are recorded by then (write-ahead).
      await waitUntil(
        () => journalLines(journal).some((l) => l.kind === 'start' && l.job === long.uuid && l.step === 3),
        60_000,
        () => `the long job's step 3 to start\n${output()}`,
        20,
      );
      const claim = eventsOf(long.uuid).findLast((e) => e.type === 'claimed');
      const owner = claim?.type === 'claimed' ? claim.owner : undefined;
      const victim = owner === undefined ? undefined : conductors.get(owner);
      expect(victim, `the long job's owner ${owner} is one of ours`).toBeDefined();
      await victim!.kill9();
      killed.add(victim!.name);
      conductors.delete(victim!.name);
      const survivor = [...conductors.keys()][0]!;

      for (const job of [long, ...short]) {
        const outcome = await board.waitForOutcome(job.uuid, { timeoutMs: 90_000 });
        expect(outcome.state, `${JSON.stringify(outcome)}\n${output()}`).toBe('SUCCESS');
        expect(outcome.flowDetailId).toBe(job.uuid);
      }

      // The long job: claimed by the victim, expired, claimed by the survivor (a resumption), consumed.
      // (An `expired` event comes first when an expiry check saw the lapsed claim before the survivor took it.)
      const history = historyOf(long.uuid).filter((entry) => entry !== `expired ${victim!.name}`);
      expect(history, output()).toEqual([`claimed ${victim!.name}`, `claimed ${survivor}`, 'consumed']);
      const lines = journalLines(journal);
      const longEnds = ends(lines, long.uuid, 10);
      expect(longEnds.slice(0, 3), 'steps that finished before the kill did not run again').toEqual([1, 1, 1]);
      expect(longEnds[3], 'the step in flight ran at most twice').toBeGreaterThanOrEqual(1);
      expect(longEnds[3]).toBeLessThanOrEqual(2);
      expect(longEnds.slice(4)).toEqual([1, 1, 1, 1, 1, 1]);

      // Every other job ran each step exactly once, unless the victim held it too, or a conductor gave
      // it back after its run failed (a backend write): then the step in flight may have run twice.
      const claims = new Map<string, number>();
      for (const e of events) if (e.type === 'claimed') claims.set(e.uuid, (claims.get(e.uuid) ?? 0) + 1);
      const expired = new Set([...claims].filter(([, n]) => n > 1).map(([uuid]) => uuid));
      for (const job of short) {
        const runs = ends(lines, job.uuid, 3);
        expect(
          runs.every((r) => r >= 1),
          `${job.uuid} ran every step`,
        ).toBe(true);
        if (expired.has(job.uuid)) expect(runs.filter((r) => r > 1).length).toBeLessThanOrEqual(1);
        else expect(runs, `${job.uuid} ran each step once`).toEqual([1, 1, 1]);
      }
      expect(doubleClaims(events, new Set([victim!.name]))).toEqual([]);
      expect(await board.count()).toBe(0);

      // Two conductors again for what follows.
      conductors.set('c3', await startConductor('c3', config));
    });

    it('a job naming a flow no conductor serves stays on the board, unclaimed, with a note from each conductor', {
      timeout: 60_000,
    }, async () => {
      const job = await board.post({ flow: 'nope', args: {}, store: {} });
      const names = [...conductors.keys()];
      await waitUntil(
        async () => ((await board.get(job.uuid))?.notes.length ?? 0) >= names.length,
        30_000,
        async () => `notes from ${names.join(', ')}: ${JSON.stringify((await board.get(job.uuid))?.notes)}`,
      );
      const held = (await board.get(job.uuid))!;
      expect(held.state).toBe('UNCLAIMED');
      expect(held.claims).toBe(0);
      expect(held.notes.map((n) => n.by).sort()).toEqual(names.sort());
      for (const note of held.notes) expect(note.reason).toBe("no flow factory named 'nope' in this conductor (serves: steps)");
      expect(eventsOf(job.uuid).filter((e) => e.type === 'claimed')).toEqual([]);
    });

    it('SIGTERM: the conductor abandons its claim and the other takes the job over at once; no step runs twice', {
      timeout: 120_000,
    }, async () => {
      const job = await board.post({ flow: 'steps', args: { n: 8, ms: 400 }, store: {} }, { name: 'terminated' });
      await waitUntil(
        () => journalLines(journal).some((l) => l.kind === 'start' && l.job === job.uuid && l.step === 2),
        60_000,
        () => `the job's step 2 to start\n${output()}`,
        20,
      );
      const claim = eventsOf(job.uuid).findLast((e) => e.type === 'claimed');
      const owner = claim?.type === 'claimed' ? claim.owner : undefined;
      const stopped = owner === undefined ? undefined : conductors.get(owner);
      expect(stopped, `the job's owner ${owner} is one of ours`).toBeDefined();
      expect(await stopped!.stop(), stopped!.output()).toBe(0);
      conductors.delete(stopped!.name);
      const other = [...conductors.keys()][0]!;

      const outcome = await board.waitForOutcome(job.uuid, { timeoutMs: 60_000 });
      expect(outcome.state).toBe('SUCCESS');
      const history = historyOf(job.uuid);
      // Abandoned, not expired: the other conductor did not wait for the claim to time out.
      expect(history, output()).toEqual([`claimed ${stopped!.name}`, `abandoned ${stopped!.name}`, `claimed ${other}`, 'consumed']);
      expect(ends(journalLines(journal), job.uuid, 8)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
      expect(doubleClaims(events, killed)).toEqual([]);
    });
  });
}
