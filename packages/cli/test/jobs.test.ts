import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Failure } from '@tf/core';
import { type Jobboard, resolveJobboard } from '@tf/jobboard';
import { jobsList, jobsShow } from '@tf/cli';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = 'packages/cli/src/cli.ts';
const PG_URL = process.env['TF_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env['TF_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const schema = `tf_jb_cli_${randomBytes(5).toString('hex')}`;
const board = `cli-${randomBytes(5).toString('hex')}`;
const boards = {
  postgresql: `${PG_URL}?board=${board}&schema=${schema}`,
  redis: `${REDIS_URL}/0?board=${board}`,
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tf` from source in its own node process (tsx loader, cwd = repo root), killed after 30 s. */
function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tf ${args.join(' ')} did not finish in 30 s; stdout: ${stdout} stderr: ${stderr}`));
    }, 30_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Three jobs: one claimed, one with a note (a conductor would not run it), one ended with a failure. */
async function fill(jobboard: Jobboard): Promise<void> {
  await jobboard.post(
    { flow: 'checkout', args: { order: 42 }, store: { cart: ['book'] }, book: 'shop' },
    { uuid: 'job-claimed', priority: 'HIGH' },
  );
  await jobboard.claim('job-claimed', 'conductor-1');
  await jobboard.post({ flow: 'mystery', args: {}, store: {} }, { uuid: 'job-noted', name: 'odd one' });
  await jobboard.note('job-noted', { by: 'conductor-1', reason: "no flow factory named 'mystery'" });
  await jobboard.post({ flow: 'checkout', args: {}, store: {} }, { uuid: 'job-done' });
  await jobboard.claim('job-done', 'conductor-2');
  const failure = Failure.fromError(new Error('card declined', { cause: new TypeError('gateway timeout') })).toDict();
  await jobboard.consume('job-done', 'conductor-2', { state: 'REVERTED', flowDetailId: 'fd-7', failure });
}

const opened: Jobboard[] = [];
beforeAll(async () => {
  for (const url of Object.values(boards)) {
    // Outcomes kept for a minute: the shared Redis keeps no litter for long.
    const jobboard = await resolveJobboard({ connection: url, outcomeTtlMs: 60_000 });
    opened.push(jobboard);
    await fill(jobboard);
  }
});
afterAll(async () => {
  // The claim must outlive the spawned commands: end the jobs and close only at the end.
  for (const jobboard of opened) {
    await jobboard.consume('job-claimed', 'conductor-1', { state: 'SUCCESS' });
    await jobboard.claim('job-noted', 'cleanup');
    await jobboard.trash('job-noted', 'cleanup', 'test over');
  }
  await Promise.allSettled(opened.map((b) => b.close()));
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe.each(Object.entries(boards))('tf jobs (spawned) on the %s board', { timeout: 60_000 }, (_scheme, url) => {
  it('list prints the jobs by priority then age with state, owner, claims and notes', async () => {
    const { code, stdout, stderr } = await run(['jobs', 'list', url]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`board: ${board} at `);
    expect(stdout).toMatch(/job-claimed\s+checkout\s+checkout\s+HIGH\s+CLAIMED\s+conductor-1\s+1\s+0\s+\d{4}-/);
    expect(stdout).toMatch(/job-noted\s+odd one\s+mystery\s+NORMAL\s+UNCLAIMED\s+-\s+0\s+1\s+/);
    expect(stdout.indexOf('job-claimed')).toBeLessThan(stdout.indexOf('job-noted'));
    expect(stdout).not.toContain('job-done');
    const unclaimed = await run(['jobs', 'list', url, '--unclaimed']);
    expect(unclaimed.code).toBe(0);
    expect(unclaimed.stdout).toContain('job-noted');
    expect(unclaimed.stdout).not.toContain('job-claimed');
  });

  it("show prints a job's state, details and notes, and a consumed job's outcome with its failure", async () => {
    const claimed = await run(['jobs', 'show', url, 'job-claimed']);
    expect(claimed.code).toBe(0);
    expect(claimed.stdout).toContain('state: CLAIMED by conductor-1, claimed 1 time');
    expect(claimed.stdout).toContain('flow: checkout, book shop, priority HIGH');
    expect(claimed.stdout).toContain('args: {"order":42}');
    const noted = await run(['jobs', 'show', url, 'job-noted']);
    expect(noted.stdout).toMatch(/notes:\n\s+\d{4}-\S+ conductor-1: no flow factory named 'mystery'/);
    const done = await run(['jobs', 'show', url, 'job-done']);
    expect(done.code).toBe(0);
    expect(done.stdout).toContain('no longer on the board');
    expect(done.stdout).toContain('outcome: REVERTED by conductor-2');
    expect(done.stdout).toContain('flow detail: fd-7');
    expect(done.stdout).toMatch(/Error: card declined\n\s+caused by TypeError: gateway timeout/);
  });

  it('show of an unknown job exits 1 with one line naming it', async () => {
    const { code, stdout, stderr } = await run(['jobs', 'show', url, 'no-such-job']);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('no-such-job');
  });
});

describe('tf jobs: bad input', { timeout: 60_000 }, () => {
  it('an uninstalled scheme or a bad URL exits 1 with one line', async () => {
    for (const url of ['etcd://127.0.0.1:2379', 'not a url']) {
      const { code, stderr } = await run(['jobs', 'list', url]);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await run(['jobs', 'list', 'etcd://127.0.0.1:2379'])).stderr).toContain('tf-jobboard-etcd');
  });

  it('jobsList and jobsShow on an in-process board', async () => {
    const memory = await resolveJobboard('memory://cli-in-process');
    try {
      expect(await jobsList(memory, 'memory://cli-in-process')).toEqual([
        'board: cli-in-process at memory://cli-in-process',
        '',
        '(no jobs on the board)',
      ]);
      await memory.post({ flow: 'f', args: {}, store: {} }, { uuid: 'm-1' });
      expect((await jobsList(memory, 'memory://')).join('\n')).toMatch(/m-1\s+f\s+f\s+NORMAL\s+UNCLAIMED/);
      await expect(jobsShow(memory, 'm-2')).rejects.toMatchObject({ code: 'TF_NOT_FOUND' });
    } finally {
      await memory.close();
    }
  });
});
