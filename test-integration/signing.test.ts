/**
 * Message signing across processes, on real brokers (Redis and RabbitMQ): a `tf-worker`
 * started with `--signing-key-file` and a worker-based engine with `signingKey`. A signed flow
 * runs; a forged SUCCESS (unsigned, or signed wrongly) for a running request is ignored; an
 * unsigned REQUEST put on the worker's topic is never run; a worker with another key serves
 * nothing. The task leaves a line in a file for each run, so "never run" is observed.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { resolveTransport, signedTransport, SigningHeader, type MessageHeaders, type Transport, type TransportSelection } from '@tf/core';
import { encodeBody } from '@tf/core/internal';
import { load } from '@tf/engine';
import { REDIS_URL, redisAvailable } from '../packages/transport-redis/test/available';
import { adminClient, deleteKeys } from '../packages/transport-redis/test/util';
import { RecordRun } from './fixtures/signing-tasks';
import { fixtureWorkerArgs, startWorker, type WorkerProcess } from './helpers';
import { AMQP_URL, describeWith, uniqueName } from './services';

const KEY = 'integration-signing-key-0123456789abcdef';
const OTHER = 'integration-OTHER-key-0123456789abcdef!!';
const TASKS = ['--tasks', './test-integration/fixtures/signing-tasks.ts'];

const dir = mkdtempSync(path.join(tmpdir(), 'tf-it-signing-'));
function secretFile(name: string, secret: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return file;
}
const keyFile = secretFile('key', KEY);
const otherKeyFile = secretFile('other', OTHER);

let workers: WorkerProcess[] = [];
let transports: Transport[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await Promise.all(transports.map((t) => t.close().catch(() => undefined)));
  workers = [];
  transports = [];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Broker {
  /** `tf-worker` flags selecting the broker. */
  readonly workerArgs: readonly string[];
  /** The same, for `resolveTransport` and the engine. */
  readonly selection: TransportSelection;
}

/** A connected transport of the test's own (closed after the test). */
async function connected(broker: Broker): Promise<Transport> {
  const transport = await resolveTransport(broker.selection);
  transports.push(transport);
  await transport.connect();
  return transport;
}

function runs(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
}

async function signingWorker(broker: Broker, exchange: string, topic: string, key = keyFile): Promise<WorkerProcess> {
  const worker = await startWorker(
    fixtureWorkerArgs(broker.workerArgs, exchange, topic, [...TASKS, '--signing-key-file', key, '--log-level', 'info']),
  );
  workers.push(worker);
  return worker;
}

/** `SigningStats` the worker process logged on stopping. */
async function stoppedStats(
  worker: WorkerProcess,
): Promise<{ signed: number; verified: number; rejected: number; rejectedBy: Record<string, number> }> {
  expect(await worker.stop()).toBe(0);
  const line = worker
    .output()
    .split('\n')
    .find((l) => l.includes('"msg":"stopped"'));
  return JSON.parse(line!).signing;
}

function signingSuite(broker: Broker): void {
  it('runs a flow signed end to end, ignoring a forged SUCCESS for the running request', async () => {
    const exchange = uniqueName('it-sign');
    const file = path.join(dir, `${randomUUID()}.runs`);
    const worker = await signingWorker(broker, exchange, 'signed');
    // The engine's own transport, tapped to learn the correlation id of the request it sends.
    const tapped = await resolveTransport(broker.selection);
    transports.push(tapped);
    const sent: { correlationId: string; headers: MessageHeaders }[] = [];
    const publish = tapped.publish.bind(tapped);
    tapped.publish = (exchange, topic, body, properties, ...rest) => {
      if (properties?.type === 'REQUEST') sent.push({ correlationId: properties.correlationId!, headers: properties.headers ?? {} });
      return publish(exchange, topic, body, properties, ...rest);
    };
    const flowUuid = randomUUID();
    const engine = load(new RecordRun({ name: 'run' }), {
      engine: 'worker-based',
      exchange,
      topics: ['signed'],
      transport: tapped,
      flowUuid,
      signingKey: KEY,
      store: { file, tag: 'engine', ms: 2_000 },
    });
    const running = engine.run();
    await vi.waitFor(() => expect(runs(file)).toEqual(['engine']), { timeout: 30_000, interval: 20 });
    const request = sent[0]!;
    expect(request.headers[SigningHeader.SIGNATURE]).toMatch(/^[0-9a-f]{64}$/);

    const forger = await connected(broker);
    const forged = encodeBody({ state: 'SUCCESS', data: { result: 'forged' } });
    const properties = { type: 'RESPONSE', correlationId: request.correlationId };
    await forger.publish(exchange, flowUuid, forged, properties);
    // The request's own signature headers, replayed onto the forgery.
    await forger.publish(exchange, flowUuid, forged, { ...properties, headers: request.headers });
    // Correctly formed, with a key the engine does not have (under the id it trusts).
    await signedTransport(forger, OTHER).publish(exchange, flowUuid, forged, properties);

    await running;
    expect(engine.storage.get('run')).toBe('engine');
    expect(runs(file)).toEqual(['engine']);
    const stats = engine.signingStats!;
    expect(stats.rejectedBy).toMatchObject({ unsigned: 1, badSignature: 2 });
    expect(stats.rejected).toBe(3);
    expect(stats.verified).toBeGreaterThanOrEqual(3); // NOTIFY answer, RUNNING, SUCCESS (and heartbeats)
    await engine.close();
    const workerStats = await stoppedStats(worker);
    expect(workerStats.rejected).toBe(0);
    expect(workerStats.verified).toBeGreaterThanOrEqual(2); // NOTIFY, REQUEST
  });

  it('never runs a REQUEST put on the worker topic unsigned or signed wrongly; counts and logs the drops', async () => {
    const exchange = uniqueName('it-sign');
    const file = path.join(dir, `${randomUUID()}.runs`);
    const worker = await signingWorker(broker, exchange, 'signed');
    const intruder = await connected(broker);
    const replyTo = `attacker-${randomUUID()}`;
    const answers: string[] = [];
    await intruder.consume(exchange, replyTo, (d) => void answers.push(d.body), { autoAck: true });
    const request = (tag: string) =>
      encodeBody({ task_cls: 'it.RecordRun', task_name: tag, task_version: [1, 0], action: 'execute', arguments: { file, tag, ms: 0 } });
    const properties = () => ({ type: 'REQUEST', replyTo, correlationId: randomUUID(), headers: { 'x-tf-attempt': 1 } });
    await intruder.publish(exchange, 'signed', request('unsigned'), properties());
    await signedTransport(intruder, OTHER).publish(exchange, 'signed', request('wrong-key'), properties());
    await intruder.publish(exchange, 'signed', '{}', { type: 'NOTIFY', replyTo });

    // A signed flow after them: the worker is alive and has read past them.
    const engine = load(new RecordRun({ name: 'run' }), {
      engine: 'worker-based',
      exchange,
      topics: ['signed'],
      ...broker.selection,
      signingKey: KEY,
      store: { file, tag: 'engine', ms: 0 },
    });
    await engine.run();
    await engine.close();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(runs(file)).toEqual(['engine']);
    expect(answers).toEqual([]);
    const stats = await stoppedStats(worker);
    expect(stats.rejectedBy).toMatchObject({ unsigned: 2, badSignature: 1 });
    expect(stats.rejected).toBe(3);
    const warnings = worker
      .output()
      .split('\n')
      .filter((l) => l.includes('not correctly signed'));
    expect(warnings.some((l) => l.includes('"reason":"unsigned"'))).toBe(true);
    expect(warnings.some((l) => l.includes('"reason":"badSignature"'))).toBe(true);
    // No body in the logs.
    expect(worker.output()).not.toContain('wrong-key');
  });

  it('a worker with another key serves nothing to a signing engine', async () => {
    const exchange = uniqueName('it-sign');
    const file = path.join(dir, `${randomUUID()}.runs`);
    const stranger = await signingWorker(broker, exchange, 'stranger', otherKeyFile);
    const engine = load(new RecordRun({ name: 'run' }), {
      engine: 'worker-based',
      exchange,
      topics: ['stranger'],
      ...broker.selection,
      signingKey: KEY,
      notifyIntervalMs: 500,
      transitionTimeoutMs: 3_000,
      noWorkerWarningMs: null,
      store: { file, tag: 'engine', ms: 0 },
    });
    await expect(engine.run()).rejects.toMatchObject({ code: 'TF_REQUEST_TIMEOUT' });
    await engine.close();
    expect(runs(file)).toEqual([]);
    // It cannot verify the engine's NOTIFYs, so it never answered one.
    expect(engine.signingStats!.verified).toBe(0);
    const stats = await stoppedStats(stranger);
    expect(stats.rejectedBy.badSignature).toBeGreaterThanOrEqual(1);
    expect(stats.verified).toBe(0);
    expect(stats.signed).toBe(0);
  });
}

const redisUp = await redisAvailable();
const redisPrefix = `tf-it-sign-${process.pid}-${Date.now().toString(36)}:`;
const admin = redisUp ? adminClient(REDIS_URL) : undefined;
describe.skipIf(!redisUp)('signing on redis', () => {
  afterEach(async () => {
    if (admin) await deleteKeys(admin, `${redisPrefix}*`);
  });
  afterAll(async () => {
    await admin?.quit();
  });
  signingSuite({
    workerArgs: ['--transport', 'redis', '--url', REDIS_URL, '--transport-options', JSON.stringify({ key_prefix: redisPrefix })],
    selection: { transport: 'redis', url: REDIS_URL, transportOptions: { key_prefix: redisPrefix } },
  });
});

await describeWith(['rabbitmq'], 'signing on amqp', () => {
  signingSuite({ workerArgs: ['--transport', 'amqp', '--url', AMQP_URL], selection: { transport: 'amqp', url: AMQP_URL } });
});
