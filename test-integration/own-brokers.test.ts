/**
 * The brokers a fault test starts for itself (./own-brokers.ts): each listens on a free port,
 * loses what was not durable when restarted, takes new connections afterwards, and no longer
 * accepts any once stopped. The shared Redis and RabbitMQ are neither used nor touched.
 *
 * Skipped outside CI when redis-server or RabbitMQ's scripts are not installed; under CI=true
 * they run (and fail, saying what is missing).
 */
import { afterAll, describe, expect, it } from 'vitest';
// test-integration does not depend on amqplib or ioredis: both come from the packages that do.
import * as amqplib from '../packages/transport-amqp/node_modules/amqplib';
import { adminClient } from '../packages/transport-redis/test/util';
import { acceptsConnections, canStartOwnRabbit, canStartOwnRedis, type OwnBroker, startOwnRabbit, startOwnRedis } from './own-brokers';
import { IN_CI } from './services';

const started: OwnBroker[] = [];
afterAll(async () => {
  await Promise.all(started.map((b) => b.stop()));
});

function describeIf(available: boolean, missing: string, name: string, fn: () => void): void {
  if (available || IN_CI) describe(name, { timeout: 120_000 }, fn);
  else describe.skip(`${name} (skipped: no ${missing})`, fn);
}

async function eventually<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeIf(canStartOwnRedis(), 'redis-server', 'an own Redis', () => {
  it('starts on a free port, loses its keys on restart, takes new connections, and is gone once stopped', async () => {
    const broker = await startOwnRedis();
    started.push(broker);
    expect(broker.port).not.toBe(6379);
    expect(broker.url).toBe(`redis://127.0.0.1:${broker.port}`);

    const before = adminClient(broker.url);
    before.on('error', () => undefined); // it reconnects by itself; the errors while the server is down are expected
    const closed = new Promise<void>((resolve) => before.once('close', () => resolve()));
    await before.set('tf-own-broker', 'lost on restart');
    expect(await before.get('tf-own-broker')).toBe('lost on restart');
    const runId = /run_id:(\w+)/.exec(await before.info('server'))?.[1];

    await broker.restart({ downMs: 200 });
    await closed; // the server closed the connection
    before.disconnect();

    const after = adminClient(broker.url);
    try {
      expect(await after.get('tf-own-broker')).toBeNull();
      expect(await after.dbsize()).toBe(0);
      expect(/run_id:(\w+)/.exec(await after.info('server'))?.[1]).not.toBe(runId); // another process
      await after.set('tf-own-broker', 'written after the restart');
      expect(await after.get('tf-own-broker')).toBe('written after the restart');
    } finally {
      after.disconnect();
    }

    await broker.stop();
    expect(await acceptsConnections(broker.port)).toBe(false);
    await broker.stop(); // idempotent
    await expect(broker.restart()).rejects.toThrow(/stopped/);
  });
});

describeIf(canStartOwnRabbit(), 'rabbitmq-server', 'an own RabbitMQ node', () => {
  it('starts on a free port, loses its non-durable queues on restart, takes new connections, and is gone once stopped', async () => {
    const broker = await startOwnRabbit();
    started.push(broker);
    expect(broker.port).not.toBe(5672);
    expect(broker.url).toBe(`amqp://guest:guest@127.0.0.1:${broker.port}//`);

    const before = await amqplib.connect(broker.url);
    const errors: Error[] = [];
    before.on('error', (e: Error) => errors.push(e)); // not always emitted (see below), but must not throw
    const closed = new Promise<Error | undefined>((resolve) => before.once('close', (e?: Error) => resolve(e)));
    const ch = await before.createChannel();
    ch.on('error', () => undefined);
    await ch.assertQueue('tf-transient', { durable: false, autoDelete: false });
    await ch.assertQueue('tf-durable', { durable: true, autoDelete: false });
    ch.sendToQueue('tf-transient', Buffer.from('lost on restart'));
    ch.sendToQueue('tf-durable', Buffer.from('kept'), { persistent: true });
    await eventually(
      'messages queued',
      async () => [(await ch.checkQueue('tf-transient')).messageCount, (await ch.checkQueue('tf-durable')).messageCount],
      (counts) => counts[0] === 1 && counts[1] === 1,
    );

    await broker.restart({ downMs: 200 });
    // The broker closed the connection: 'close' with 320 CONNECTION_FORCED, or a socket error
    // (then 'error' too) when the close raced the socket's end.
    const reason = await closed;
    expect(reason?.message ?? '').toMatch(/CONNECTION_FORCED|ECONNRESET|EPIPE|closed/i);

    const after = await amqplib.connect(broker.url);
    try {
      after.on('error', () => undefined);
      const check = await after.createChannel();
      check.on('error', () => undefined);
      await expect(check.checkQueue('tf-transient')).rejects.toThrow(/NOT_FOUND/);
      const ch2 = await after.createChannel();
      expect((await ch2.checkQueue('tf-durable')).messageCount).toBe(1);
      const kept = await ch2.get('tf-durable', { noAck: true });
      expect(kept === false ? undefined : kept.content.toString()).toBe('kept');
      await ch2.assertQueue('tf-transient', { durable: false, autoDelete: false });
      ch2.sendToQueue('tf-transient', Buffer.from('sent after the restart'));
      const got = await eventually(
        'the message sent after the restart',
        () => ch2.get('tf-transient', { noAck: true }),
        (m) => m !== false,
      );
      expect(got === false ? undefined : got.content.toString()).toBe('sent after the restart');
    } finally {
      await after.close().catch(() => undefined);
    }

    await broker.stop();
    expect(await acceptsConnections(broker.port)).toBe(false);
    await broker.stop(); // idempotent
    await expect(broker.restart()).rejects.toThrow(/stopped/);
  });
});
