/**
 * TLS on the wire, against brokers this file starts itself (./own-brokers.ts) with a throwaway
 * CA (./tls-material.ts): a Redis that listens for TLS only, a RabbitMQ node with an SSL
 * listener. With the right CA, messages go round and a flow runs between this process's
 * engine and a `tf-worker` process; with a wrong CA, connecting fails at once (no retry loop)
 * with an error that names certificate verification.
 *
 * Skipped outside CI when openssl, redis-server or RabbitMQ's scripts are not installed; under
 * CI=true they run, and a missing tool fails them, saying which.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { load } from '@tf/engine';
import { ConnectFailureReason, TfError } from '@tf/transport';
import type { ConnectionFailedError, Delivery, Transport } from '@tf/transport';
import { AmqpTransport } from '@tf/transport-amqp';
import { RedisTransport } from '@tf/transport-redis';
import { fixtureWorkerArgs, startWorker, type WorkerProcess } from './helpers';
import { expectEverySquare, squaresFlow } from './fixtures/flows';
import { canStartOwnRabbit, canStartOwnRedis, type OwnTlsBroker, startOwnRabbit, startOwnRedis } from './own-brokers';
import { IN_CI } from './services';
import { canRunOpenssl, makeTestTls, type TestTls } from './tls-material';

/** The longest a failed TLS connect may take: it must fail at once, not retry. */
const FAIL_FAST_MS = 5_000;
/** The longest a message may take to come back. */
const ROUND_TRIP_MS = 10_000;

/** What certificate verification failing looks like in Node's words (which one depends on the chain the server sends). */
const CERTIFICATE_FAILED =
  /TLS certificate verification failed \((self-signed certificate in certificate chain|unable to verify the first certificate|unable to get local issuer certificate)/;

function describeIf(tools: Record<string, boolean>, name: string, fn: () => void): void {
  const missing = Object.entries(tools)
    .filter(([, ok]) => !ok)
    .map(([tool]) => tool);
  if (missing.length === 0) describe(name, { timeout: 120_000 }, fn);
  else if (IN_CI) {
    describe(name, () => {
      it('has its tools', () => {
        throw new Error(`CI is set, and the TLS tests need ${missing.join(' and ')}, which cannot be run here.`);
      });
    });
  } else describe.skip(`${name} (skipped: no ${missing.join(', ')})`, fn);
}

/** Resolves with the first delivery on `exchange`/`topic` after publishing `body`; bounded. */
async function roundTrip(t: Transport, exchange: string, topic: string, body: string): Promise<Delivery> {
  let timer: NodeJS.Timeout | undefined;
  const got = new Promise<Delivery>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no delivery within ${ROUND_TRIP_MS} ms`)), ROUND_TRIP_MS);
    void t
      .consume(exchange, topic, async (d) => {
        await d.ack();
        resolve(d);
      })
      .then(() => t.publish(exchange, topic, body, { type: 'REQUEST' }))
      .catch(reject);
  });
  try {
    return await got;
  } finally {
    clearTimeout(timer);
  }
}

/** Connects once (no retry) and returns how it failed and how long that took. */
async function failedConnect(t: Transport): Promise<{ error: ConnectionFailedError; ms: number }> {
  const started = Date.now();
  const error = await t.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  const ms = Date.now() - started;
  await t.close();
  expect(TfError.is(error, 'TF_TRANSPORT_CONNECTION_FAILED'), `connect() should fail, got ${String(error)}`).toBe(true);
  return { error: error as ConnectionFailedError, ms };
}

/** A flow of 4 squares on `exchange`, run by this process's engine and one tf-worker process, both over `url`. */
async function flowOverTls(url: string, transportOptions: Record<string, unknown>, exchange: string, workers: WorkerProcess[]) {
  const worker = await startWorker(
    fixtureWorkerArgs(['--url', url, '--transport-options', JSON.stringify(transportOptions)], exchange, 'squares'),
  );
  workers.push(worker);
  const { flow, names } = squaresFlow(4);
  const engine = load(flow, {
    engine: 'worker-based',
    exchange,
    topics: ['squares'],
    url,
    transport_options: transportOptions,
    store: { ms: 50 }, // how long each square takes
    transition_timeout: 60,
  });
  await engine.run();
  const pids = expectEverySquare(engine.storage.fetchAll(), names);
  expect(new Set(pids.values())).toEqual(new Set([worker.pid]));
}

let material: TestTls | undefined;
const brokers: OwnTlsBroker[] = [];
const transports: Transport[] = [];
let workers: WorkerProcess[] = [];

async function tlsMaterial(): Promise<TestTls> {
  material ??= await makeTestTls();
  return material;
}

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  await Promise.allSettled(transports.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
});

afterAll(async () => {
  await Promise.allSettled(brokers.map((b) => b.stop()));
  await material?.remove();
});

describeIf({ openssl: canRunOpenssl(), 'redis-server': canStartOwnRedis() }, 'TLS: rediss:// to an own Redis with a TLS port', () => {
  let tls: TestTls;
  let broker: OwnTlsBroker;
  beforeAll(async () => {
    tls = await tlsMaterial();
    broker = await startOwnRedis({ tls });
    brokers.push(broker);
  });

  it('with the CA in the tls option: a message goes round', async () => {
    const t = new RedisTransport({ url: broker.tlsUrl, tls: { ca: tls.ca }, retryOptions: { maxRetries: 0 } });
    transports.push(t);
    await t.connect();
    const d = await roundTrip(t, 'tls-ex', 'tls-topic', '"over tls"');
    expect(d.body).toBe('"over tls"');
    expect(d.properties.type).toBe('REQUEST');
  });

  it('with the CA: a flow runs between this engine and a tf-worker process', async () => {
    await flowOverTls(broker.tlsUrl, { tls: { ca: tls.ca } }, 'tls-flow', workers);
  });

  it('with a wrong CA: fails at once, naming certificate verification', async () => {
    const t = new RedisTransport({ url: broker.tlsUrl, tls: { ca: tls.wrongCa }, retryOptions: { maxRetries: 0 } });
    const { error, ms } = await failedConnect(t);
    expect(error.reason).toBe(ConnectFailureReason.Certificate);
    expect(error.message).toMatch(CERTIFICATE_FAILED);
    expect(error.message).toContain(broker.tlsUrl);
    expect(ms).toBeLessThan(FAIL_FAST_MS);
    expect(t.state).toBe('closed');
  });

  it("with no CA (Node's own roots): the throwaway CA is not trusted", async () => {
    const { error } = await failedConnect(new RedisTransport({ url: broker.tlsUrl, retryOptions: { maxConnectRetries: 0 } }));
    expect(error.message).toMatch(CERTIFICATE_FAILED);
  });

  it('a plain redis:// client on the TLS port: the message says to use rediss://', async () => {
    const plain = broker.tlsUrl.replace(/^rediss:/, 'redis:');
    const { error, ms } = await failedConnect(new RedisTransport({ url: plain, retryOptions: { maxRetries: 0 } }));
    expect(error.reason).toBe(ConnectFailureReason.Closed);
    expect(error.message).toMatch(/use rediss:\/\//);
    expect(ms).toBeLessThan(FAIL_FAST_MS);
  });
});

describeIf(
  { openssl: canRunOpenssl(), rabbitmq: canStartOwnRabbit() },
  'TLS: amqps:// to an own RabbitMQ node with an SSL listener',
  () => {
    let tls: TestTls;
    let broker: OwnTlsBroker;
    beforeAll(async () => {
      tls = await tlsMaterial();
      broker = await startOwnRabbit({ tls });
      brokers.push(broker);
    });

    it('with the CA in the tls option: a message goes round', async () => {
      const t = new AmqpTransport({ url: broker.tlsUrl, tls: { ca: tls.ca }, retryOptions: { maxRetries: 0 } });
      transports.push(t);
      await t.connect();
      const d = await roundTrip(t, 'tls-ex', 'tls-topic', '"over tls"');
      expect(d.body).toBe('"over tls"');
      expect(d.properties.type).toBe('REQUEST');
    });

    it('with the CA: a flow runs between this engine and a tf-worker process', async () => {
      await flowOverTls(broker.tlsUrl, { tls: { ca: tls.ca } }, 'tls-flow', workers);
    });

    it('with a wrong CA: fails at once, naming certificate verification', async () => {
      const t = new AmqpTransport({ url: broker.tlsUrl, tls: { ca: tls.wrongCa }, retryOptions: { maxRetries: 0 } });
      const { error, ms } = await failedConnect(t);
      expect(error.reason).toBe(ConnectFailureReason.Certificate);
      expect(error.message).toMatch(CERTIFICATE_FAILED);
      expect(error.message).toContain('amqps://guest:***@127.0.0.1:');
      expect(ms).toBeLessThan(FAIL_FAST_MS);
      expect(t.state).toBe('closed');
    });

    it('amqps:// to the plain port: the server does not speak TLS there', async () => {
      const wrongPort = broker.url.replace(/^amqp:/, 'amqps:');
      const { error } = await failedConnect(new AmqpTransport({ url: wrongPort, tls: { ca: tls.ca }, retryOptions: { maxRetries: 0 } }));
      expect(error.reason).toBe(ConnectFailureReason.TlsMismatch);
    });

    it('a plain amqp:// client on the TLS port: the message says to use amqps://', async () => {
      const plain = broker.tlsUrl.replace(/^amqps:/, 'amqp:');
      const { error, ms } = await failedConnect(
        new AmqpTransport({ url: plain, connectTimeoutMs: 3_000, retryOptions: { maxRetries: 0 } }),
      );
      expect(error.message).toMatch(/use amqps:\/\//);
      expect(ms).toBeLessThan(FAIL_FAST_MS);
    });
  },
);
