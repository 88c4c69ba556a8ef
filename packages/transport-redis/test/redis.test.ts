/**
 * What the conformance suite does not see: options and selection, the key layout, acks that
 * delete, lease renewal, claims after a crash, stream clean-up, safe trimming, blocking reads
 * beside publishing, giving up a reconnect, TLS.
 */
import { readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { createServer, type Server } from 'node:tls';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { Redis as IoRedis } from 'ioredis';
import { TfError, resolveTransport } from '@tf/transport';
import type { Delivery } from '@tf/transport';
import { Recorder, sleep, waitFor } from '@tf/transport-testkit';
import { RedisTransport, transport as factory } from '@tf/transport-redis';
import { GROUP } from '../src/layout';
import { TRIM } from '../src/scripts';
import { FIELDS, entryFields, parseEntry } from '../src/wire';
import { REDIS_URL, redisAvailable } from './available';
import { adminClient, deleteKeys } from './util';

describe('redis transport: options (no server needed)', () => {
  it('is selected by name and by redis:// and rediss:// URLs, with snake_case options', async () => {
    const byName = await resolveTransport({ transport: 'redis', transport_options: { lease_ms: 1234, key_prefix: 'x:' } });
    expect(byName).toBeInstanceOf(RedisTransport);
    expect((byName as RedisTransport).leaseMs).toBe(1234);
    expect((byName as RedisTransport).keyPrefix).toBe('x:');
    expect(await resolveTransport({ url: 'redis://127.0.0.1:6379/2' })).toBeInstanceOf(RedisTransport);
    expect(await resolveTransport({ url: 'rediss://h.example:6380' })).toBeInstanceOf(RedisTransport);
    expect(factory.schemes).toEqual(['redis', 'rediss']);
  });

  it('rejects unknown options, bad values and other URL schemes', async () => {
    await expect(resolveTransport({ transport: 'redis', transportOptions: { queueName: 'q' } })).rejects.toSatisfy((e) =>
      TfError.is(e, 'TF_TRANSPORT_UNKNOWN_OPTION'),
    );
    expect(() => new RedisTransport({ leaseMs: -1 })).toThrow(/leaseMs/);
    expect(() => new RedisTransport({ db: 1.5 })).toThrow(/db/);
    expect(() => new RedisTransport({ url: 'amqp://localhost' })).toThrow(/redis:\/\//);
  });

  it('reports ioredis and its version, and the URI without the password', () => {
    const t = new RedisTransport({ url: 'rediss://app:pa55word@redis.example:6380/3' });
    expect(t.details()).toMatchObject({ name: 'redis', driver: 'ioredis', uri: 'rediss://app:***@redis.example:6380/3' });
    expect(t.details().version).toMatch(/^\d+\.\d+\.\d+/);
    expect(new RedisTransport().details().uri).toBe('redis://127.0.0.1:6379');
  });

  it('encodes properties as entry fields and back, leaving out what is absent', () => {
    const fields = entryFields('{"a":1}', { type: 'REQUEST', replyTo: 'r', correlationId: 'c', headers: { attempt: 2 } });
    expect(fields).toEqual(['body', '{"a":1}', 'type', 'REQUEST', 'reply_to', 'r', 'correlation_id', 'c', 'headers', '{"attempt":2}']);
    expect(entryFields('', { headers: {} })).toEqual(['body', '']);
    expect(parseEntry([...fields, FIELDS.prior, '3'])).toEqual({
      body: '{"a":1}',
      properties: { type: 'REQUEST', replyTo: 'r', correlationId: 'c', headers: { attempt: 2 } },
      prior: 3,
    });
    expect(parseEntry(['other', 'x'])).toBeUndefined();
  });

  it('gives up reconnecting under retryOptions when nothing listens', async () => {
    const t = new RedisTransport({ url: 'redis://127.0.0.1:1', retryOptions: { intervalStartMs: 10, intervalStepMs: 0, maxRetries: 2 } });
    const attempts: number[] = [];
    t.on('reconnecting', ({ attempt }) => attempts.push(attempt));
    await expect(t.connect()).rejects.toSatisfy((e) => TfError.is(e, 'TF_TRANSPORT_CONNECTION_FAILED'));
    expect(attempts).toEqual([1, 2]);
    expect(t.state).toBe('closed');
  });
});

const available = await redisAvailable();

describe.skipIf(!available)('redis transport against Redis', () => {
  const prefix = `tfu-${process.pid}-${Date.now().toString(36)}:`;
  const admin = adminClient(REDIS_URL);
  const made: RedisTransport[] = [];
  let n = 0;
  const exchange = () => `ex${++n}`;
  async function open(options: ConstructorParameters<typeof RedisTransport>[0] = {}): Promise<RedisTransport> {
    const t = new RedisTransport({ url: REDIS_URL, keyPrefix: prefix, leaseMs: 600, ...options });
    made.push(t);
    await t.connect();
    return t;
  }
  afterEach(async () => {
    await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
    await deleteKeys(admin, `${prefix}*`);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('keeps a topic in the stream <prefix><exchange>:<topic>; an ack removes the entry and its pending record', async () => {
    const ex = exchange();
    const t = await open();
    await t.publish(ex, 'work', '{"x":1}', { type: 'REQUEST', replyTo: 'engine-1', correlationId: 'c-1', headers: { h: [1] } });
    const key = `${prefix}${ex}:work`;
    expect(t.keyOf(ex, 'work')).toBe(key);
    const [[, fields]] = (await admin.xrange(key, '-', '+')) as [[string, string[]]];
    expect(fields).toEqual(['body', '{"x":1}', 'type', 'REQUEST', 'reply_to', 'engine-1', 'correlation_id', 'c-1', 'headers', '{"h":[1]}']);
    const inbox = new Recorder('hold');
    await t.consume(ex, 'work', inbox.handler);
    await waitFor(() => inbox.count === 1);
    expect((await admin.xpending(key, GROUP))[0]).toBe(1);
    await inbox.deliveries[0]!.ack();
    await waitFor(async () => (await admin.xlen(key)) === 0 && (await admin.xpending(key, GROUP))[0] === 0, {
      message: 'the entry to be acked and deleted',
    });
  });

  it('deletes what an autoAck consumer reads (NOACK) with XDEL alone: no XACK, and no entry left behind', async () => {
    const ex = exchange();
    const t = await open();
    const key = t.keyOf(ex, 'replies');
    const inbox = new Recorder();
    await t.consume(ex, 'replies', inbox.handler, { autoAck: true });
    const monitor = await admin.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.includes(key)) seen.push(args);
    });
    try {
      for (let i = 0; i < 3; i++) await t.publish(ex, 'replies', `"r${i}"`);
      await waitFor(() => inbox.count === 3);
      // The deletions ride with the next write (here: another publish) or go after a few ms.
      await t.publish(ex, 'other', '"x"');
      await waitFor(async () => (await admin.xlen(key)) === 0, { message: 'the read entries to be deleted' });
      const names = seen.map((args) => args[0]!.toUpperCase());
      expect(names).toContain('XDEL');
      expect(names).not.toContain('XACK');
      expect((await admin.xpending(key, GROUP))[0]).toBe(0);
    } finally {
      monitor.disconnect();
    }
  });

  it('sends the publishes of one turn in one batch (a few in MULTI/EXEC) and fails only the one Redis refused', async () => {
    const ex = exchange();
    const t = await open();
    const good = t.keyOf(ex, 'a');
    // XADD to a key holding a string: WRONGTYPE, at EXEC time for that command alone.
    await admin.set(t.keyOf(ex, 'plain'), 'not a stream');
    // No ioredis Pipeline (see src/batch.ts: V8 keeps each one, with its commands, until a full collection).
    const pipelines = vi.spyOn(IoRedis.prototype, 'pipeline');
    const multis = vi.spyOn(IoRedis.prototype, 'multi');
    const inbox = new Recorder('hold');
    await t.consume(ex, 'a', inbox.handler);
    const monitor = await admin.monitor();
    const seen: { name: string; key: string | undefined; source: string }[] = [];
    monitor.on('monitor', (_time: string, args: string[], source: string) =>
      seen.push({ name: args[0]!.toUpperCase(), key: args[1], source }),
    );
    try {
      const few = await Promise.allSettled([t.publish(ex, 'a', '"1"'), t.publish(ex, 'plain', '"2"'), t.publish(ex, 'a', '"3"')]);
      expect(few.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((few[1] as PromiseRejectedResult).reason)).toMatch(/WRONGTYPE/);
      // More than fit a transaction: a plain batch, each command answered on its own.
      const many = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => t.publish(ex, i === 7 ? 'plain' : 'a', `"m${i}"`)));
      expect(many.filter((s) => s.status === 'rejected')).toHaveLength(1);
      expect((many[7] as PromiseSettledResult<void>).status).toBe('rejected');
      expect(await admin.xlen(good)).toBe(21);
      await waitFor(() => seen.filter((s) => s.name === 'XADD' && s.key === good).length === 21, { message: 'MONITOR to show every XADD' });
      const source = seen.find((s) => s.name === 'XADD' && s.key === good)!.source;
      const names = seen.filter((s) => s.source === source).map((s) => s.name);
      expect(names.filter((name) => name === 'MULTI')).toHaveLength(1);
      expect(names.filter((name) => name === 'EXEC')).toHaveLength(1);
      expect(names.filter((name) => name === 'XADD')).toHaveLength(23);
      // The consumer's acks ride with its reads, in one write each.
      await waitFor(() => inbox.count === 21);
      for (const d of inbox.deliveries) await d.ack();
      await waitFor(async () => (await admin.xlen(good)) === 0, { message: 'the acked entries to be deleted' });
      expect(pipelines).not.toHaveBeenCalled();
      expect(multis).not.toHaveBeenCalled();
    } finally {
      pipelines.mockRestore();
      multis.mockRestore();
      monitor.disconnect();
    }
  });

  it('an autoAck consumer acks (XACK, then XDEL) what it claims from a crashed acking consumer on its topic', async () => {
    const ex = exchange();
    const a = await open({ leaseMs: 300 });
    const held = new Recorder('hold');
    await a.consume(ex, 'work', held.handler);
    await a.publish(ex, 'work', '"w"');
    await waitFor(() => held.count === 1);
    const key = a.keyOf(ex, 'work');
    const [[id]] = (await admin.xrange(key, '-', '+')) as [[string, string[]]];
    a.simulateCrash();
    const monitor = await admin.monitor();
    const seen: string[][] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.includes(key)) seen.push(args.map((arg) => arg.toUpperCase()));
    });
    try {
      const b = await open({ leaseMs: 300 });
      const inbox = new Recorder();
      await b.consume(ex, 'work', inbox.handler, { autoAck: true });
      await waitFor(() => inbox.count === 1, { message: 'the claim of the crashed consumer’s entry' });
      expect(inbox.deliveries[0]!.redelivered).toBe(true);
      // Deleting it alone would leave it in the pending list (Redis 6.2 keeps it there for good).
      await waitFor(() => seen.some((args) => args[0] === 'XACK' && args.includes(id!.toUpperCase())), {
        message: 'an XACK of the claimed entry',
      });
      await waitFor(async () => (await admin.xlen(key)) === 0, { message: 'the claimed entry to be deleted' });
    } finally {
      monitor.disconnect();
    }
  });

  it('renews the lease of what a live consumer holds: a slow handler keeps its message', async () => {
    const ex = exchange();
    const a = await open();
    const b = await open();
    const slow = new Recorder('hold');
    await a.consume(ex, 'work', slow.handler);
    await a.publish(ex, 'work', '"long task"');
    await waitFor(() => slow.count === 1);
    const other = new Recorder();
    await b.consume(ex, 'work', other.handler);
    await sleep(2_000); // more than three leases
    expect(other.count).toBe(0);
    await slow.deliveries[0]!.ack();
  });

  it('claims what a crashed consumer held once the lease has run out, counting the delivery', async () => {
    const ex = exchange();
    const a = await open();
    const b = await open();
    const held = new Recorder('hold');
    await a.consume(ex, 'work', held.handler);
    await a.publish(ex, 'work', '"orphan"');
    await waitFor(() => held.count === 1);
    const crashedAt = Date.now();
    a.simulateCrash();
    await expect(a.publish(ex, 'work', '"x"')).rejects.toThrow(/crashed/);
    const other = new Recorder();
    await b.consume(ex, 'work', other.handler);
    await waitFor(() => other.count === 1, { message: 'the claim' });
    // The lease (600 ms, checked every 200 ms) is the behaviour: not before it, nor five times later.
    expect(Date.now() - crashedAt).toBeGreaterThanOrEqual(500);
    expect(Date.now() - crashedAt).toBeLessThan(3_000);
    const d = other.deliveries[0] as Delivery;
    expect(d.redelivered).toBe(true);
    expect(d.deliveryCount).toBe(2);
  });

  it('counts deliveries across requeues', async () => {
    const ex = exchange();
    const t = await open();
    const inbox = new Recorder(async (d) => {
      if (inbox.count < 3) await d.reject({ requeue: true });
      else await d.ack();
    });
    await t.consume(ex, 'work', inbox.handler);
    await t.publish(ex, 'work', '"again"');
    await waitFor(() => inbox.count === 3);
    expect(inbox.deliveries.map((d) => d.deliveryCount)).toEqual([1, 2, 3]);
    await waitFor(async () => (await admin.xlen(t.keyOf(ex, 'work'))) === 0);
  });

  it('deletes the stream when its last consumer leaves it empty (an engine reply topic), and keeps one that holds messages', async () => {
    const ex = exchange();
    const t = await open();
    const c1 = await t.consume(ex, 'replies', new Recorder().handler);
    await t.publish(ex, 'replies', '"r"');
    await waitFor(async () => (await admin.xlen(t.keyOf(ex, 'replies'))) === 0);
    await c1.cancel();
    expect(await admin.exists(t.keyOf(ex, 'replies'))).toBe(0);

    const c2 = await t.consume(ex, 'kept', new Recorder('hold').handler, { prefetch: 1 });
    await t.publish(ex, 'kept', '"1"');
    await t.publish(ex, 'kept', '"2"');
    await c2.cancel();
    expect(await admin.xlen(t.keyOf(ex, 'kept'))).toBe(2);
  });

  it('trims only acked entries (the safety net for an ack whose XDEL never ran)', async () => {
    const ex = exchange();
    const t = await open();
    const key = t.keyOf(ex, 'work');
    for (let i = 0; i < 6; i++) await t.publish(ex, 'work', JSON.stringify(i));
    await admin.xgroup('CREATE', key, GROUP, '0');
    const read = (await admin.xreadgroup('GROUP', GROUP, 'manual', 'COUNT', 4, 'STREAMS', key, '>')) as [string, [string, string[]][]][];
    const ids = read[0]![1].map(([id]) => id);
    await admin.xack(key, GROUP, ids[0]!, ids[2]!); // acked, not deleted: 0 and 2; pending: 1 and 3; unread: 4 and 5
    const trimmed = await admin.eval(TRIM, 1, key, GROUP);
    expect(trimmed).toBe(1); // only entry 0 is below the oldest pending one
    const left = ((await admin.xrange(key, '-', '+')) as [string, string[]][]).map(([, f]) => f[1]);
    expect(left).toEqual(['1', '2', '3', '4', '5']);
    await admin.xack(key, GROUP, ids[1]!, ids[3]!);
    await admin.eval(TRIM, 1, key, GROUP);
    const rest = ((await admin.xrange(key, '-', '+')) as [string, string[]][]).map(([, f]) => f[1]);
    expect(rest).toEqual(['4', '5']); // never an unread entry
  });

  it('publishes at full speed while its consumers block on reads (separate connections)', async () => {
    const ex = exchange();
    const t = await open({ blockMs: 20_000 });
    await t.consume(ex, 'idle', new Recorder().handler); // blocks for 20 s at a time
    const started = performance.now();
    for (let i = 0; i < 100; i++) await t.publish(ex, 'other', JSON.stringify(i));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(await admin.xlen(t.keyOf(ex, 'other'))).toBe(100);
    // and closing does not wait out the 20 s block
    const closing = performance.now();
    await t.close();
    expect(performance.now() - closing).toBeLessThan(2_000);
  });

  describe('over TLS (rediss://, through a local TLS terminator in front of Redis)', () => {
    let server: Server | undefined;
    afterEach(() => {
      server?.close();
      server = undefined;
    });
    it('connects, publishes and consumes with the CA given in tls', async () => {
      const cert = readFileSync(new URL('./fixtures/tls-cert.pem', import.meta.url));
      const key = readFileSync(new URL('./fixtures/tls-key.pem', import.meta.url));
      const upstream = new URL(REDIS_URL);
      server = createServer({ cert, key }, (socket) => {
        const redis = netConnect({ host: upstream.hostname, port: Number(upstream.port || 6379) });
        socket.pipe(redis).pipe(socket);
        socket.on('error', () => redis.destroy());
        redis.on('error', () => socket.destroy());
      });
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const ex = exchange();
      const t = await open({ url: `rediss://localhost:${port}`, tls: { ca: cert } });
      expect(t.details().uri).toBe(`rediss://localhost:${port}`);
      const inbox = new Recorder();
      await t.consume(ex, 'secure', inbox.handler);
      await t.publish(ex, 'secure', '"over tls"');
      await waitFor(() => inbox.count === 1);
      expect(inbox.bodies).toEqual(['"over tls"']);
      // Without the CA the self-signed certificate is refused.
      const refused = new RedisTransport({ url: `rediss://localhost:${port}`, retryOptions: { maxRetries: 0 } });
      await expect(refused.connect()).rejects.toSatisfy((e) => TfError.is(e, 'TF_TRANSPORT_CONNECTION_FAILED'));
    });
  });
});
