import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as amqplib from 'amqplib';
import { afterAll, afterEach, expect, it } from 'vitest';
import type { Transport } from '@tf/transport';
import { Recorder, sleep, uniqueName, waitFor } from '@tf/transport-testkit';
import { AmqpTransport } from '@tf/transport-amqp';
import type { AmqpTransportInit } from '@tf/transport-amqp';
import { AMQP_URL, Topology, closeAdmin, describeBroker, queueExists, queueListed, rabbitmqctl } from './broker';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const script = fileURLToPath(new URL('./fixtures/temporary-consumer.ts', import.meta.url));
const topology = new Topology();
const made: Transport[] = [];
const children: ChildProcess[] = [];
const raw: amqplib.ChannelModel[] = [];

async function open(config: AmqpTransportInit = {}): Promise<AmqpTransport> {
  const t = topology.track(new AmqpTransport({ url: AMQP_URL, ...config }));
  made.push(t);
  await t.connect();
  return t;
}

/** A child process consuming `exchange/topic` as a temporary topic; resolves once it consumes. */
async function temporaryConsumer(exchange: string, topic: string, expiryMs: number, flags: 'taskflow' | 'durable'): Promise<ChildProcess> {
  topology.note(exchange, topic);
  const child = spawn(process.execPath, ['--import', 'tsx', script, AMQP_URL, exchange, topic, String(expiryMs), flags], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  child.stderr?.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  await waitFor(() => out.includes('ready'), { timeoutMs: 20_000, message: `the child to consume (stderr: ${err})` });
  return child;
}

async function killed(child: ChildProcess): Promise<void> {
  const exit = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exit;
}

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
  await Promise.allSettled(raw.splice(0).map((c) => c.close()));
  await topology.cleanup();
});
afterAll(closeAdmin);

describeBroker('amqp transport: temporary topics and replies that create nothing', () => {
  it('with TaskFlow\u2019s flags, declares a temporary queue with no arguments (Python re-declares it as is) and deletes it on cancel', async () => {
    const ex = uniqueName('tmp-interop');
    const t = await open();
    const c = await t.consume(ex, 'reply', new Recorder().handler, { temporary: true });
    const listed = await rabbitmqctl('list_queues', 'name', 'arguments', 'auto_delete', 'durable', '--formatter', 'json');
    const queue = (JSON.parse(listed) as { name: string; arguments: unknown; auto_delete: boolean; durable: boolean }[]).find(
      (q) => q.name === `${ex}_reply`,
    );
    expect(queue).toMatchObject({ auto_delete: true, durable: false });
    expect(queue?.arguments).toEqual([]);
    // kombu's declaration of the same queue, as Python TaskFlow makes it: accepted.
    const conn = await amqplib.connect(AMQP_URL);
    raw.push(conn);
    const ch = await conn.createChannel();
    await ch.assertQueue(`${ex}_reply`, { durable: false, autoDelete: true, exclusive: false });
    await ch.close();
    await c.cancel();
    expect(await queueExists(`${ex}_reply`)).toBe(false);
  });

  it('with TaskFlow\u2019s flags, a returned createTopic: false message is dropped, not declared again', async () => {
    const ex = uniqueName('tmp-returned');
    const t = await open();
    await t.consume(ex, 'other', new Recorder().handler);
    await t.publish(ex, 'reply', '"r"', {}, { createTopic: false });
    expect(await queueExists(`${ex}_reply`)).toBe(false);
  });

  it('ttlMs becomes the message expiration: a message nobody read in time is dropped', async () => {
    const ex = uniqueName('tmp-ttl');
    const t = await open({ queueOptions: { durable: true, autoDelete: false } });
    await t.publish(ex, 'work', '"stale"', {}, { ttlMs: 100 });
    await t.publish(ex, 'work', '"fresh"', {}, { ttlMs: 60_000 });
    await sleep(400);
    const inbox = new Recorder();
    await t.consume(ex, 'work', inbox.handler);
    await waitFor(() => inbox.count === 1, { message: 'the message still in time' });
    await sleep(200);
    expect(inbox.bodies).toEqual(['"fresh"']);
  });

  it('after kill -9 of the process consuming a temporary topic (TaskFlow\u2019s flags), the queue is gone', async () => {
    const ex = uniqueName('tmp-kill');
    const child = await temporaryConsumer(ex, 'reply', 1_000, 'taskflow');
    expect(await queueExists(`${ex}_reply`)).toBe(true);
    const p = await open();
    await p.publish(ex, 'reply', '"r1"', {}, { createTopic: false });
    await killed(child);
    await waitFor(async () => !(await queueExists(`${ex}_reply`)), { timeoutMs: 10_000, intervalMs: 100, message: 'the queue to go' });
    await p.publish(ex, 'reply', '"late"', {}, { createTopic: false });
    expect(await queueExists(`${ex}_reply`)).toBe(false);
  });

  it('after kill -9 of the process consuming a temporary topic (durable flags), the queue expires (x-expires)', async () => {
    const ex = uniqueName('tmp-kill-durable');
    const child = await temporaryConsumer(ex, 'reply', 1_000, 'durable');
    const p = await open({ queueOptions: { durable: true, autoDelete: false } });
    await p.publish(ex, 'reply', '"r1"', {}, { createTopic: false });
    await killed(child);
    // rabbitmqctl, not a passive declare: that would renew the x-expires lease.
    await waitFor(async () => !(await queueListed(`${ex}_reply`)), { timeoutMs: 15_000, intervalMs: 200, message: 'the queue to expire' });
    await p.publish(ex, 'reply', '"late"', {}, { createTopic: false });
    expect(await queueListed(`${ex}_reply`)).toBe(false);
  });
});
