import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Transport } from '@tf/transport';
import { replyPublishSuite, temporaryTopicsSuite, transportConformance } from '@tf/transport-testkit';
import type { ConformanceOptions } from '@tf/transport-testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { NatsTransport } from '../src/index';
import { NATS_URL, natsAvailable } from './available';
import { CuttableProxy } from './proxy';

const PASSWORD = 's3cret-pw';
// Prefixes of this run's own: the suite's streams are deleted after each test, and other runs
// (or engineers) on the shared server are never touched.
const run = `${process.pid}${Date.now().toString(36)}`;
const streamPrefix = `TFC${run}`;
const subjectPrefix = `tfc${run}`;
const target = { host: new URL(NATS_URL).hostname, port: Number(new URL(NATS_URL).port || 4222) };

if (await natsAvailable()) {
  let admin: { nc: NatsConnection; jsm: JetStreamManager } | undefined;
  const jsm = async (): Promise<JetStreamManager> => {
    if (!admin) {
      const nc = await connect({ servers: NATS_URL.replace('nats://', '') });
      admin = { nc, jsm: await jetstreamManager(nc) };
    }
    return admin.jsm;
  };
  const proxies = new Map<Transport, CuttableProxy>();
  const options: ConformanceOptions = {
    name: 'nats',
    create: async () => {
      const proxy = new CuttableProxy(target);
      const url = (await proxy.listen()).replace('nats://', `nats://tf:${PASSWORD}@`);
      // The shared server has no users: a user and password it ignores, that details() must hide.
      const t = new NatsTransport({
        url: url.replace(`tf:${PASSWORD}@`, ''),
        streamPrefix,
        subjectPrefix,
        leaseMs: 1_000,
        pullExpiresMs: 1_000,
        temporaryTopicExpiryMs: 1_000,
        retryOptions: { intervalStartMs: 50, intervalStepMs: 50, maxRetries: 40 },
      });
      proxies.set(t, proxy);
      return t;
    },
    cleanup: async () => {
      const m = await jsm();
      for await (const name of m.streams.names(`${subjectPrefix}.>`)) await m.streams.delete(name).catch(() => undefined);
      for (const p of proxies.values()) await p.close();
      proxies.clear();
    },
    dropConnection: (t) => proxies.get(t)?.cut(),
    crash: (t) => (t as NatsTransport).simulateCrash(),
    topicExists: async (exchange, topic) => {
      const stream = new NatsTransport({ streamPrefix, subjectPrefix }).addressOf(exchange, topic).stream;
      try {
        await (await jsm()).streams.info(stream);
        return true;
      } catch {
        return false;
      }
    },
    temporaryTopicExpiryMs: 1_000,
  };
  transportConformance(options);
  replyPublishSuite(options);
  temporaryTopicsSuite(options);
  afterAll(async () => {
    await admin?.nc.close();
  });

  describe('nats details with credentials in the URL', () => {
    it('hides the password and names the client', () => {
      const t = new NatsTransport({ url: `nats://tf:${PASSWORD}@127.0.0.1:4222` });
      expect(t.details().uri).toBe('nats://tf:***@127.0.0.1:4222');
      expect(JSON.stringify(t.details())).not.toContain(PASSWORD);
      expect(t.details()).toMatchObject({ name: 'nats', driver: '@nats-io/transport-node' });
      expect(t.details().version).toMatch(/^3\.\d+\.\d+/);
    });
  });
} else {
  describe.skip('transport conformance: nats (no NATS at 127.0.0.1:4222)', () => {
    it('needs NATS', () => undefined);
  });
}
