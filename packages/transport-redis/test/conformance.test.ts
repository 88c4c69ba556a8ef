import { Redis } from 'ioredis';
import { describe, it } from 'vitest';
import type { Transport } from '@tf/transport';
import { replyPublishSuite, temporaryTopicsSuite, transportConformance } from '@tf/transport-testkit';
import type { ConformanceOptions } from '@tf/transport-testkit';
import { RedisTransport } from '@tf/transport-redis';
import { REDIS_URL, redisAvailable } from './available';
import { deleteKeys, killConnections } from './util';

const PASSWORD = 's3cret-pw';
// One prefix per test file run: the conformance suite's keys are deleted after each test.
const prefix = `tfc-${process.pid}-${Date.now().toString(36)}:`;
// A URL with a user and password that the server ignores (the default user has no password):
// details() must still not show it.
const url = REDIS_URL.replace('redis://', `redis://default:${PASSWORD}@`);

if (await redisAvailable()) {
  const admin = new Redis(REDIS_URL, { lazyConnect: true });
  const options: ConformanceOptions = {
    name: 'redis',
    create: () =>
      new RedisTransport({
        url: REDIS_URL,
        keyPrefix: prefix,
        leaseMs: 1_000,
        temporaryTopicExpiryMs: 1_000,
        retryOptions: { intervalStartMs: 50, intervalStepMs: 50, maxRetries: 20 },
      }),
    cleanup: async () => {
      await deleteKeys(admin, `${prefix}*`);
    },
    dropConnection: async (t: Transport) => {
      await killConnections(admin, (t as RedisTransport).connectionName);
    },
    crash: (t: Transport) => (t as RedisTransport).simulateCrash(),
    topicExists: async (exchange, topic) => {
      if (admin.status === 'wait') await admin.connect();
      return (await admin.exists(`${prefix}${exchange}:${topic}`)) === 1;
    },
    temporaryTopicExpiryMs: 1_000,
    password: PASSWORD,
  };
  transportConformance(options);
  replyPublishSuite(options);
  temporaryTopicsSuite(options);
  describe('redis details with a password in the URL', () => {
    it('hides it', async () => {
      const { expect } = await import('vitest');
      const t = new RedisTransport({ url });
      expect(t.details().uri).toBe('redis://default:***@127.0.0.1:6379');
      expect(JSON.stringify(t.details())).not.toContain(PASSWORD);
      expect(t.details().driver).toBe('ioredis');
      expect(t.details().version).toMatch(/^5\.\d+\.\d+/);
    });
  });
} else {
  describe.skip('transport conformance: redis (no Redis at 127.0.0.1:6379)', () => {
    it('needs Redis', () => undefined);
  });
}
