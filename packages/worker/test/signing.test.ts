import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SigningHeader, SigningKeys, signedTransport, TfError, type Delivery, type SignedTransport, type Transport } from '@tf/core';
import { encodeBody } from '@tf/core/internal';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildOptions, main } from '../src/cli';
import { Worker } from '../src/index';
import { AddOne } from './fixtures/tasks';
import { recordingLogger, sleep, uniqueExchange } from './helpers';

const KEY = 'worker-test-signing-key-0123456789abcdef';
const OTHER = 'a-different-signing-key-0123456789abcdef';
const dir = mkdtempSync(path.join(tmpdir(), 'tf-signing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const workers: Worker[] = [];
const transports: Transport[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  await Promise.all(transports.splice(0).map((t) => t.close()));
  memoryBroker.reset();
});

/** An engine's side: a transport (signed with `key`, or plain) and what arrives on its topic. */
async function engineSide(exchange: string, key?: string) {
  const plain = new MemoryTransport();
  const transport = key === undefined ? plain : signedTransport(plain, key);
  transports.push(transport);
  await transport.connect();
  const replyTo = `engine-${randomUUID()}`;
  const received: Delivery[] = [];
  await transport.consume(
    exchange,
    replyTo,
    (d) => {
      received.push(d);
    },
    { autoAck: true },
  );
  const request = async (topic: string, x: number) => {
    const correlationId = randomUUID();
    const body = { task_cls: 'tasks.AddOne', task_name: 'add', task_version: [1, 0], action: 'execute', arguments: { x } };
    await transport.publish(exchange, topic, encodeBody(body), { type: 'REQUEST', replyTo, correlationId, headers: { 'x-tf-attempt': 1 } });
    return correlationId;
  };
  return { transport, received, request, replyTo };
}

async function startWorker(exchange: string, signingKey?: string) {
  const worker = new Worker({ exchange, topic: 't', tasks: [AddOne], transport: 'memory', ...(signingKey ? { signingKey } : {}) });
  workers.push(worker);
  await worker.start();
  return worker;
}

describe('Worker with signingKey', () => {
  it('serves a signing engine, signing every response', async () => {
    const exchange = uniqueExchange();
    const worker = await startWorker(exchange, KEY);
    const engine = await engineSide(exchange, KEY);
    const id = await engine.request('t', 1);
    await vi.waitFor(() => expect(engine.received.map((d) => JSON.parse(d.body).state)).toContain('SUCCESS'));
    for (const d of engine.received) {
      expect(d.properties.correlationId).toBe(id);
      // Verified, then handed on as published: without the signature's headers.
      expect(d.properties.headers[SigningHeader.KEY_ID]).toBeUndefined();
      expect(d.properties.headers['x-tf-worker']).toBe(worker.id);
    }
    expect((engine.transport as SignedTransport).counters.snapshot()).toMatchObject({ verified: engine.received.length, rejected: 0 });
    expect(worker.signingStats).toMatchObject({ verified: 1, rejected: 0 });
    expect(worker.signingStats!.signed).toBeGreaterThanOrEqual(2);
  });

  it('runs nothing it receives unsigned or signed with another key, and ignores unsigned CANCELs', async () => {
    const exchange = uniqueExchange();
    const logger = recordingLogger();
    const worker = new Worker({ exchange, topic: 't', tasks: [AddOne], transport: 'memory', signingKey: KEY, logger });
    workers.push(worker);
    await worker.start();
    const unsigned = await engineSide(exchange);
    const stranger = await engineSide(exchange, OTHER);
    await unsigned.request('t', 1);
    await stranger.request('t', 2);
    await unsigned.transport.publish(exchange, worker.controlTopic, '', { type: 'CANCEL', headers: { 'x-tf-cancel': ['x'] } });
    await vi.waitFor(() => expect(worker.signingStats!.rejected).toBe(3));
    await sleep(50);
    expect(unsigned.received).toEqual([]);
    expect(stranger.received).toEqual([]);
    expect(worker.signingStats!.rejectedBy).toMatchObject({ unsigned: 2, badSignature: 1 });
    expect(worker.signingStats!.verified).toBe(0);
    expect(logger.records.filter((r) => r.level === 'warn').map((r) => r.obj)).toEqual([
      expect.objectContaining({ reason: 'unsigned', topic: 't', type: 'REQUEST' }),
      expect.objectContaining({ reason: 'badSignature' }),
    ]);
    // Dropped, not requeued: nothing is left on the topic for a worker to take later.
    const plain = await startWorker(exchange);
    await sleep(50);
    expect(plain.activeTasks).toBe(0);
    expect(unsigned.received).toEqual([]);
  });

  it('has no signingStats without a key, and refuses a short key with TF_SIGNING_CONFIG', async () => {
    const exchange = uniqueExchange();
    expect((await startWorker(exchange)).signingStats).toBeUndefined();
    let error: unknown;
    try {
      new Worker({ exchange, topic: 't', tasks: [AddOne], transport: 'memory', signingKey: 'too short' });
    } catch (caught) {
      error = caught;
    }
    expect(TfError.is(error, 'TF_SIGNING_CONFIG')).toBe(true);
    expect((error as Error).message).toMatch(/signingKey: .*at least 32/);
  });
});

describe('tf-worker signing flags', () => {
  const base = { transport: 'memory', exchange: 'e', topic: 't', tasks: ['./x.js'] };
  const keyFile = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  };

  it('reads --signing-key-file (a secret or a JSON keyring), else TF_SIGNING_KEY', () => {
    const single = buildOptions({ ...base, signingKeyFile: keyFile('single', `${KEY}\n`) }, {}).options.signingKey;
    expect(single).toBeInstanceOf(SigningKeys);
    expect((single as SigningKeys).current.toString()).toBe(KEY);
    const ring = keyFile('ring.json', JSON.stringify({ keys: { old: OTHER, new: KEY }, current: 'new' }));
    expect((buildOptions({ ...base, signingKeyFile: ring }, {}).options.signingKey as SigningKeys).ids).toEqual(['old', 'new']);
    const fromEnv = buildOptions(base, { TF_SIGNING_KEY: OTHER }).options.signingKey as SigningKeys;
    expect(fromEnv.current.toString()).toBe(OTHER);
    // The file wins over the environment.
    const both = buildOptions({ ...base, signingKeyFile: keyFile('both', KEY) }, { TF_SIGNING_KEY: OTHER }).options.signingKey;
    expect((both as SigningKeys).current.toString()).toBe(KEY);
    expect(buildOptions(base, {}).options.signingKey).toBeUndefined();
  });

  it('refuses a short or missing key file, and a key inside the config file', () => {
    expect(() => buildOptions({ ...base, signingKeyFile: keyFile('short', 'short\n') }, {})).toThrow(/TF_SIGNING_CONFIG|at least 32/);
    expect(() => buildOptions({ ...base, signingKeyFile: path.join(dir, 'absent') }, {})).toThrow(/cannot read/);
    expect(() => buildOptions(base, { TF_SIGNING_KEY: 'short' })).toThrow(/TF_SIGNING_KEY: .*at least 32/);
    const config = keyFile('config.json', JSON.stringify({ ...base, signing_key: KEY }));
    expect(() => buildOptions({ config }, {})).toThrow(/unknown key 'signingKey'/);
    const withFile = keyFile('config2.json', JSON.stringify({ ...base, signing_key_file: keyFile('k', KEY) }));
    expect(buildOptions({ config: withFile }, {}).options.signingKey).toBeInstanceOf(SigningKeys);
  });

  it('main() with --signing-key-file serves only signed requests; --help shows the flag', async () => {
    let help = '';
    await main(['--help'], { stdout: (t) => (help += t), handleSignals: false });
    expect(help).toContain('--signing-key-file <path>');
    const exchange = uniqueExchange();
    const controller = new AbortController();
    let started: Worker | undefined;
    const done = main(
      [
        '--transport',
        'memory',
        '--exchange',
        exchange,
        '--topic',
        't',
        '--tasks',
        './packages/worker/test/fixtures/tasks.ts',
        '--signing-key-file',
        keyFile('main', KEY),
      ],
      {
        stdout: () => {},
        stderr: () => {},
        logger: recordingLogger(),
        signal: controller.signal,
        handleSignals: false,
        onStarted: (w) => (started = w),
      },
    );
    await vi.waitFor(() => expect(started?.state).toBe('running'));
    expect(started!.banner).toContain('  Signing = HMAC-SHA256, key default');
    const engine = await engineSide(exchange, KEY);
    const unsigned = await engineSide(exchange);
    await unsigned.request('t', 5);
    await engine.request('t', 1);
    await vi.waitFor(() => expect(engine.received.map((d) => d.body)).toContain(encodeBody({ state: 'SUCCESS', data: { result: 2 } })));
    expect(unsigned.received).toEqual([]);
    expect(started!.signingStats).toMatchObject({ verified: 1, rejected: 1 });
    controller.abort();
    expect(await done).toBe(0);
  });
});
