/**
 * tf-transport-nats against NATS servers this file starts itself (./own-brokers.ts): one that
 * wants a user and password, one that wants TLS (a throwaway CA from ./tls-material.ts). The
 * right credentials and CA carry messages and a flow between this process's engine and a
 * `tf-worker` process; a wrong password or CA fails connect() at once, with the reason named.
 *
 * Skipped outside CI when nats-server or openssl cannot be run; under CI=true they run, and a
 * missing tool fails them.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { load } from '@tf/engine';
import { ConnectFailureReason, TfError } from '@tf/transport';
import type { ConnectionFailedError, Transport } from '@tf/transport';
import { NatsTransport } from 'tf-transport-nats';
import { expectEverySquare, squaresFlow } from './fixtures/flows';
import { fixtureWorkerArgs, startWorker, type WorkerProcess } from './helpers';
import { canStartOwnNats, type OwnBroker, startOwnNats } from './own-brokers';
import { IN_CI } from './services';
import { canRunOpenssl, makeTestTls, type TestTls } from './tls-material';

const PASSWORD = 'nats-s3cret';
const FAIL_FAST_MS = 5_000;
const noRetry = { intervalStartMs: 100, intervalStepMs: 0, intervalMaxMs: 100, maxRetries: 0 };

const brokers: OwnBroker[] = [];
const transports: Transport[] = [];
let workers: WorkerProcess[] = [];
let material: TestTls | undefined;

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  await Promise.allSettled(transports.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
});
afterAll(async () => {
  await Promise.allSettled(brokers.map((b) => b.stop()));
  await material?.remove();
});

function open(options: ConstructorParameters<typeof NatsTransport>[0]): NatsTransport {
  const t = new NatsTransport({ retryOptions: noRetry, ...options });
  transports.push(t);
  return t;
}

async function failedConnect(t: Transport): Promise<{ error: ConnectionFailedError; ms: number }> {
  const started = Date.now();
  const error = await t.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(TfError.is(error, 'TF_TRANSPORT_CONNECTION_FAILED'), `connect() should fail, got ${String(error)}`).toBe(true);
  return { error: error as ConnectionFailedError, ms: Date.now() - started };
}

/** A flow of 4 squares run by this process's engine and one tf-worker process, both over `url` with `transportOptions`. */
async function flowOver(url: string, transportOptions: Record<string, unknown>): Promise<void> {
  const exchange = `auth${Date.now().toString(36)}`;
  const worker = await startWorker(
    fixtureWorkerArgs(['--transport', 'nats', '--url', url, '--transport-options', JSON.stringify(transportOptions)], exchange, 'squares'),
  );
  workers.push(worker);
  const { flow, names } = squaresFlow(4);
  const engine = load(flow, {
    engine: 'worker-based',
    exchange,
    topics: ['squares'],
    transport: 'nats',
    url,
    transport_options: transportOptions,
    store: { ms: 50 },
    transition_timeout: 60,
  });
  await engine.run();
  const pids = expectEverySquare(engine.storage.fetchAll(), names);
  expect(new Set(pids.values())).toEqual(new Set([worker.pid]));
}

const tools = { 'nats-server': canStartOwnNats(), openssl: canRunOpenssl() };
const missing = Object.entries(tools)
  .filter(([, ok]) => !ok)
  .map(([tool]) => tool);

if (missing.length > 0 && !IN_CI) {
  describe.skip(`nats credentials and TLS (skipped: no ${missing.join(', ')})`, () => {
    it('needs its tools', () => undefined);
  });
} else {
  describe('nats credentials and TLS', { timeout: 120_000 }, () => {
    it('a user and password in the URL: a flow runs; a wrong password fails at once as auth, and is never shown', async () => {
      const broker = await startOwnNats({ args: ['--user', 'tf', '--pass', PASSWORD] });
      brokers.push(broker);
      const url = broker.url.replace('nats://', `nats://tf:${PASSWORD}@`);
      await flowOver(url, {});
      const wrong = open({ url: broker.url.replace('nats://', 'nats://tf:not-it@') });
      const { error, ms } = await failedConnect(wrong);
      expect(error.reason).toBe(ConnectFailureReason.Auth);
      expect(ms).toBeLessThan(FAIL_FAST_MS);
      expect(String(error.message)).not.toContain('not-it');
      expect(JSON.stringify(wrong.details())).not.toContain('not-it');
    });

    it('TLS with the CA that signed the server: a flow runs; an unrelated CA fails at once as a certificate error', async () => {
      material = await makeTestTls();
      const broker = await startOwnNats({ args: ['--tls', '--tlscert', material.certFile, '--tlskey', material.keyFile] });
      brokers.push(broker);
      const url = broker.url.replace('nats://', 'tls://');
      await flowOver(url, { tls: { caFile: material.caFile } });
      const { error, ms } = await failedConnect(open({ url, tls: { ca: material.wrongCa } }));
      expect(error.reason).toBe(ConnectFailureReason.Certificate);
      expect(ms).toBeLessThan(FAIL_FAST_MS);
      // nats:// without a CA to a server that wants TLS: the client upgrades as the server asks
      // (tls_required), and the system CAs do not know this server's certificate.
      const { error: plain } = await failedConnect(open({ url: broker.url }));
      expect(plain.reason).toBe(ConnectFailureReason.Certificate);
    });
  });
}
