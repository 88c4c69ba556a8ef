import { fileURLToPath } from 'node:url';
import { resolveJobboard } from '@tf/jobboard';
import { boardLayout } from '@tf/jobboard-redis';
import { jobboardConformance } from '@tf/jobboard-testkit';
import { afterAll, describe, it } from 'vitest';
import { REDIS_URL, redisAvailable } from '../../transport-redis/test/available';
import { adminClient, deleteKeys } from '../../transport-redis/test/util';

if (await redisAvailable()) {
  const admin = adminClient(REDIS_URL);
  afterAll(() => admin.quit());
  jobboardConformance({
    name: 'redis',
    open: (options) => resolveJobboard({ connection: REDIS_URL, ...options }),
    corrupt: async (board, uuid, text) => {
      await admin.hset(boardLayout(board).job(uuid), 'record', text);
    },
    cleanup: async (board) => {
      await deleteKeys(admin, `${boardLayout(board).prefix}*`);
    },
    claimer: {
      script: fileURLToPath(new URL('./fixtures/claimer.ts', import.meta.url)),
      input: (options) => ({ connection: REDIS_URL, ...options }),
    },
  });
} else {
  describe('redis jobboard conformance', () => {
    it.todo('needs Redis at 127.0.0.1:6379 (CI=true makes its absence a failure)');
  });
}
