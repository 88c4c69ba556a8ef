import { createServer } from 'node:net';
import { resolveJobboard } from '@tf/jobboard';
import { boardLayout } from '@tf/jobboard-redis';
import { afterAll, describe, expect, it } from 'vitest';
import { REDIS_URL, redisAvailable } from '../../transport-redis/test/available';
import { adminClient, deleteKeys } from '../../transport-redis/test/util';

const available = await redisAvailable();
const board = `tfr-${process.pid}-${Date.now().toString(36)}`;
const admin = adminClient(REDIS_URL);
afterAll(async () => {
  if (available) await deleteKeys(admin, `${boardLayout(board).prefix}*`);
  admin.disconnect();
});

/** A port nothing listens on (bound, then closed). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.runIf(available)('redis jobboard: what it keeps where', () => {
  it('keys live under tf:jobboard:<board>:, a claim is a key with the claim TTL, an outcome with the outcome TTL', async () => {
    const jobboard = await resolveJobboard(`${REDIS_URL}/0?board=${board}`, {});
    try {
      expect(jobboard.name).toBe(board);
      const job = await jobboard.post({ flow: 'f', args: {}, store: {} }, { uuid: 'layout-1' });
      const keys = boardLayout(board);
      await jobboard.claim(job.uuid, 'c1');
      expect(await admin.get(keys.claim(job.uuid))).toBe('c1');
      const ttl = await admin.pttl(keys.claim(job.uuid));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(30_000);
      expect(await admin.hget(keys.claimed, job.uuid)).toBe('c1');
      await jobboard.consume(job.uuid, 'c1', { state: 'SUCCESS' });
      expect(await admin.exists(keys.job(job.uuid), keys.claim(job.uuid))).toBe(0);
      expect(await admin.zscore(keys.jobs, job.uuid)).toBeNull();
      const outcomeTtl = await admin.pttl(keys.outcome(job.uuid));
      expect(outcomeTtl).toBeGreaterThan(23 * 3600 * 1000);
    } finally {
      await jobboard.close();
    }
  });

  it('a malformed event on the board channel is ignored (logged), later events still arrive', async () => {
    const warned: string[] = [];
    const logger = { trace() {}, debug() {}, info() {}, error() {}, warn: (_: unknown, msg?: string) => void warned.push(msg ?? '') };
    const jobboard = await resolveJobboard({ connection: REDIS_URL, board, logger });
    try {
      const events: string[] = [];
      const posted = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no posted event in 10 s')), 10_000);
        jobboard.watch((e) => {
          events.push(e.type);
          if (e.type === 'posted') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      await admin.publish(boardLayout(board).channel, '{"type":"claimed","uuid":"x"}');
      await admin.publish(boardLayout(board).channel, 'x'.repeat(100_000));
      await jobboard.post({ flow: 'f', args: {}, store: {} });
      await posted;
      expect(events).toEqual(['posted']);
      expect(warned.filter((m) => m.includes('malformed event'))).toHaveLength(2);
    } finally {
      await jobboard.close();
    }
  });
});

describe('redis jobboard: an unreachable Redis', () => {
  it('is TF_JOBBOARD_UNAVAILABLE within the connect timeout', async () => {
    const port = await freePort();
    await expect(resolveJobboard({ connection: `redis://127.0.0.1:${port}`, connectTimeoutMs: 1_000 })).rejects.toMatchObject({
      code: 'TF_JOBBOARD_UNAVAILABLE',
    });
  });
});
