/**
 * A claim holder killed with kill -9 (no abandon, no close): its claim expires within the
 * claim TTL (plus one expiry check), another board object hears `expired` and claims the job.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type JobboardEvent, resolveJobboard } from '@tf/jobboard';
import { boardLayout } from '@tf/jobboard-redis';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL, redisAvailable } from './available';
import { adminClient, deleteKeys } from './util';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const available = await redisAvailable();
const board = `tfk-${process.pid}-${Date.now().toString(36)}`;
afterAll(async () => {
  if (!available) return;
  const admin = adminClient(REDIS_URL);
  await deleteKeys(admin, `${boardLayout(board).prefix}*`);
  admin.disconnect();
});

describe.runIf(available)('redis jobboard: a claim holder killed with kill -9', () => {
  it('loses its claim within the TTL; the `expired` event lets another take the job over', { timeout: 60_000 }, async () => {
    const claimTtlMs = 1_000;
    const survivor = await resolveJobboard({ connection: REDIS_URL, board, claimTtlMs });
    try {
      const job = await survivor.post({ flow: 'long', args: {}, store: {} });
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'packages/jobboard-redis/test/fixtures/claimer.ts',
          JSON.stringify({ connection: REDIS_URL, board, claimTtlMs }),
          job.uuid,
          'victim',
        ],
        { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr.on('data', (c: Buffer) => (out += c.toString()));
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`the claimer did not claim in 30 s:\n${out}`));
        }, 30_000);
        child.stdout.on('data', () => {
          if (out.includes('claimed victim')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      // Held and renewed past its TTL while the holder lives.
      await new Promise((r) => setTimeout(r, claimTtlMs * 2));
      expect(await survivor.owner(job.uuid)).toBe('victim');
      const expired = new Promise<JobboardEvent>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no expired event within 15 s')), 15_000);
        survivor.watch((e) => {
          if (e.type === 'expired' && e.uuid === job.uuid) {
            clearTimeout(timer);
            resolve(e);
          }
        });
      });
      child.kill('SIGKILL');
      await exited;
      expect(await expired).toEqual({ type: 'expired', uuid: job.uuid, owner: 'victim' });
      const claim = await survivor.claim(job.uuid, 'survivor');
      expect(claim.job).toMatchObject({ owner: 'survivor', claims: 2 });
      await survivor.consume(job.uuid, 'survivor', { state: 'SUCCESS' });
    } finally {
      await survivor.close();
    }
  });
});
