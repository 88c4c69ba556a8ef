import { readFileSync } from 'node:fs';
import { createServer as createTlsServer } from 'node:tls';
import type { Server } from 'node:tls';
import { connect as netConnect } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as amqplib from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { TfError, resolveTransport } from '@tf/transport';
import type { Transport, TransportEventName } from '@tf/transport';
import { Recorder, sleep, uniqueName, waitFor } from '@tf/transport-testkit';
import { AmqpTransport, transport as factory } from '@tf/transport-amqp';
import type { AmqpTransportInit } from '@tf/transport-amqp';
import {
  AMQP_URL,
  Topology,
  closeConnectionNamed,
  connectionsNamed,
  describeBroker,
  heartbeatOf,
  listExchanges,
  listQueues,
} from './broker';
import { parseAmqpUrl, parseAmqpUrls } from '../src/url';

const fast = { intervalStartMs: 50, intervalStepMs: 50, intervalMaxMs: 300, maxRetries: 40 };
const topology = new Topology();
const made: Transport[] = [];
const raw: amqplib.ChannelModel[] = [];

function make(config: AmqpTransportInit = {}): AmqpTransport {
  const t = topology.track(new AmqpTransport({ url: AMQP_URL, retryOptions: fast, ...config }));
  made.push(t);
  return t;
}
async function open(config: AmqpTransportInit = {}): Promise<AmqpTransport> {
  const t = make(config);
  await t.connect();
  return t;
}
/** A plain amqplib connection: plays Python TaskFlow's kombu side. */
async function rawChannel(): Promise<amqplib.Channel> {
  const conn = await amqplib.connect(AMQP_URL);
  raw.push(conn);
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  return ch;
}

afterEach(async () => {
  await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
  await Promise.allSettled(raw.splice(0).map((c) => c.close()));
  await topology.cleanup();
});

describe('amqp URLs, options and details (no broker needed)', () => {
  it('reads URLs as kombu does: // and / are vhost "/", defaults guest@localhost', () => {
    expect(parseAmqpUrl('amqp://guest:guest@localhost:5672//')).toMatchObject({
      protocol: 'amqp',
      hostname: 'localhost',
      port: 5672,
      username: 'guest',
      password: 'guest',
      vhost: '/',
    });
    expect(parseAmqpUrl('amqp://localhost/').vhost).toBe('/');
    expect(parseAmqpUrl('amqp://localhost').vhost).toBe('/');
    expect(parseAmqpUrl('amqp://localhost/%2F').vhost).toBe('/');
    expect(parseAmqpUrl('amqp://localhost/prod').vhost).toBe('prod');
    expect(parseAmqpUrl('amqp://u%40x:p%3Aw@h/').username).toBe('u@x');
    expect(parseAmqpUrl('amqp://u%40x:p%3Aw@h/').password).toBe('p:w');
    expect(parseAmqpUrl('amqp://h').username).toBe('guest');
    expect(parseAmqpUrl('amqp://h').port).toBeUndefined();
    expect(parseAmqpUrl('amqp://h:80//').port).toBe(80);
    expect(parseAmqpUrl('amqps://h:443//')).toMatchObject({ protocol: 'amqps', port: 443 });
    expect(parseAmqpUrl('amqp://[::1]:5673//')).toMatchObject({ hostname: '::1', port: 5673 });
    expect(parseAmqpUrl('amqp://h//?heartbeat=15&frame_max=8192')).toMatchObject({ heartbeatSeconds: 15, frameMax: 8192 });
    expect(parseAmqpUrls('amqp://a//;amqp://b//').map((e) => e.hostname)).toEqual(['a', 'b']);
    expect(() => parseAmqpUrl('redis://h')).toThrow(/amqp:\/\/ or amqps:\/\//);
    expect(() => parseAmqpUrl('amqp://h//?heartbeat=soon')).toThrow(/heartbeat/);
  });

  it('details(): driver amqplib, its installed version, the URI without password', () => {
    const require = createRequire(import.meta.url);
    const installed = (JSON.parse(readFileSync(join(dirname(require.resolve('amqplib')), 'package.json'), 'utf8')) as { version: string })
      .version;
    const t = new AmqpTransport({ url: 'amqp://tf:s3cret@broker.example:5672//' });
    expect(t.details()).toEqual({ name: 'amqp', driver: 'amqplib', version: installed, uri: 'amqp://tf:***@broker.example:5672//' });
    const list = new AmqpTransport({ url: 'amqps://a:pw1@h1//;amqps://b:pw2@h2//' }).details().uri ?? '';
    expect(list).toBe('amqps://a:***@h1//;amqps://b:***@h2//');
    expect(new AmqpTransport().details().uri).toBe('amqp://guest:***@localhost:5672//');
  });

  it('defaults to TaskFlow topology flags; capabilities follow the options', () => {
    const t = new AmqpTransport();
    expect(t.topology).toEqual({ queue: { durable: false, autoDelete: true }, exchange: { durable: false, autoDelete: true } });
    expect(t.capabilities).toEqual({
      crossProcess: true,
      persistent: false,
      reconnect: true,
      deliveryCount: false,
      autoAck: true,
      publishWithoutCreate: true,
      temporaryTopics: true,
    });
    const d = new AmqpTransport({ queueOptions: { durable: true, autoDelete: false } });
    expect(d.topology.exchange).toEqual({ durable: true, autoDelete: false }); // follows queueOptions
    expect(d.capabilities.persistent).toBe(true);
    const mixed = new AmqpTransport({ queueOptions: { durable: true }, exchangeOptions: { autoDelete: false } });
    expect(mixed.topology).toEqual({ queue: { durable: true, autoDelete: true }, exchange: { durable: true, autoDelete: false } });
  });

  it('rejects bad URLs and options with TF_INVALID_ARGUMENT', () => {
    const bad: AmqpTransportInit[] = [
      { url: 'http://x' },
      { url: '' },
      { queueOptions: { durable: 'yes' as unknown as boolean } },
      { queueOptions: { exclusive: true } as never },
      { tls: { verify: true } as never },
      { heartbeatMs: -1 },
      { connectTimeoutMs: Number.NaN },
    ];
    for (const config of bad) {
      expect(() => new AmqpTransport(config), JSON.stringify(config)).toThrow(
        expect.objectContaining({ code: 'TF_INVALID_ARGUMENT' }) as Error,
      );
    }
  });

  it('is found by name and by amqp:// and amqps:// URLs; snake_case options are accepted, unknown ones refused', async () => {
    expect(factory.name).toBe('amqp');
    expect(factory.schemes).toEqual(['amqp', 'amqps']);
    const byUrl = await resolveTransport({
      url: 'amqp://guest:guest@localhost:5672//',
      transport_options: { queue_options: { durable: true, auto_delete: false }, heartbeat_ms: 5000 },
      retry_options: { interval_start: 0.1, max_retries: 2 },
    });
    expect(byUrl).toBeInstanceOf(AmqpTransport);
    expect((byUrl as AmqpTransport).topology.queue).toEqual({ durable: true, autoDelete: false });
    expect(byUrl.retryOptions).toMatchObject({ intervalStartMs: 100, maxRetries: 2 });
    expect(await resolveTransport({ url: 'amqps://guest:guest@localhost//' })).toBeInstanceOf(AmqpTransport);
    expect(await resolveTransport({ transport: 'amqp' })).toBeInstanceOf(AmqpTransport);
    await expect(resolveTransport({ transport: 'amqp', transportOptions: { confirmPublish: true } })).rejects.toSatisfy((e) =>
      TfError.is(e, 'TF_TRANSPORT_UNKNOWN_OPTION'),
    );
  });

  it('fails with TF_TRANSPORT_CONNECTION_FAILED when the broker is unreachable after the retries', async () => {
    const t = new AmqpTransport({
      url: 'amqp://guest:guest@127.0.0.1:1//',
      retryOptions: { intervalStartMs: 10, intervalStepMs: 10, intervalMaxMs: 20, maxRetries: 2 },
    });
    const attempts: number[] = [];
    t.on('reconnecting', (e) => attempts.push(e.attempt));
    const err: unknown = await t.connect().catch((e: unknown) => e);
    expect(TfError.is(err, 'TF_TRANSPORT_CONNECTION_FAILED')).toBe(true);
    expect(String((err as Error).message)).toMatch(/amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1\/\/.*ECONNREFUSED/);
    expect(attempts).toEqual([1, 2]);
    expect(t.state).toBe('closed');
  });

  it('logs one warn line per failed connect attempt, without a stack (the stacks are at debug)', async () => {
    const lines: { level: string; obj: Record<string, unknown>; msg: string | undefined }[] = [];
    const at =
      (level: string) =>
      (obj: unknown, msg?: string): void => {
        lines.push({ level, obj: obj as Record<string, unknown>, msg });
      };
    const logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
    const t = new AmqpTransport({
      url: 'amqp://guest:guest@127.0.0.1:1//',
      retryOptions: { intervalStartMs: 10, intervalStepMs: 10, intervalMaxMs: 20, maxRetries: 1 },
      logger,
    });
    const err: unknown = await t.connect().catch((e: unknown) => e);
    expect(TfError.is(err, 'TF_TRANSPORT_CONNECTION_FAILED')).toBe(true);
    const warns = lines.filter((l) => l.level === 'warn');
    expect(warns).toHaveLength(1);
    const [warn] = warns;
    expect(warn?.msg).toMatch(
      /^transport amqp: connection attempt 1 failed \(connection refused \(connect ECONNREFUSED 127\.0\.0\.1:1\): nothing listens there; .*\); retrying in 10 ms$/,
    );
    expect(err).toMatchObject({ reason: 'refused' });
    expect(Object.values(warn?.obj ?? {}).some((v) => v instanceof Error)).toBe(false);
    expect(JSON.stringify(warn?.obj)).not.toMatch(/\\n|\bat /);
    expect(lines.filter((l) => l.level === 'error')).toEqual([]);
    // Both attempts' errors, with their stacks, are at debug (the driver's and the base's).
    const stacks = lines.filter((l) => l.level === 'debug' && l.obj['err'] instanceof Error);
    expect(stacks.length).toBeGreaterThanOrEqual(2);
  });
});

describeBroker('amqp transport on RabbitMQ: TaskFlow wire compatibility', () => {
  it("declares exactly TaskFlow's topology by default (and the heartbeat asked for)", async () => {
    const ex = uniqueName('tf-amqp-topo');
    const t = await open({ heartbeatMs: 7_000 });
    // A publish to a topic nobody consumes declares and binds its queue: the message is kept.
    await t.publish(ex, 'topic1', '{}', { type: 'NOTIFY', replyTo: 'engine-1' });
    const inbox = new Recorder('hold');
    await t.consume(ex, 'engine-1', inbox.handler); // the engine's reply queue
    const queues = (await listQueues()).filter((q) => q.name.startsWith(ex));
    expect(queues.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: `${ex}_engine-1`, durable: false, auto_delete: true, consumers: 1, messages: 0 },
      { name: `${ex}_topic1`, durable: false, auto_delete: true, consumers: 0, messages: 1 },
    ]);
    expect((await listExchanges()).filter((e) => e.name === ex)).toEqual([{ name: ex, type: 'direct', durable: false, auto_delete: true }]);
    // A passive declaration with kombu's flags agrees, and the binding routes `<topic>`.
    const ch = await rawChannel();
    await expect(ch.checkQueue(`${ex}_topic1`)).resolves.toMatchObject({ messageCount: 1 });
    await ch.assertQueue(`${ex}_topic1`, { durable: false, autoDelete: true }); // no 406: same flags
    expect(await heartbeatOf(t.connectionName)).toBe(7);
  });

  it('sends the properties Python TaskFlow sends, and reads what kombu sends', async () => {
    const ex = uniqueName('tf-amqp-wire');
    topology.note(ex, 'workers');
    topology.note(ex, 'engine-uuid');
    const ch = await rawChannel();
    // The Python side: a worker queue declared as kombu declares it.
    await ch.assertExchange(ex, 'direct', { durable: false, autoDelete: true });
    await ch.assertQueue(`${ex}_workers`, { durable: false, autoDelete: true });
    await ch.bindQueue(`${ex}_workers`, ex, 'workers');
    const got: amqplib.ConsumeMessage[] = [];
    await ch.consume(`${ex}_workers`, (m) => {
      if (m) {
        got.push(m);
        ch.ack(m);
      }
    });
    const t = await open();
    const body = '{"task_cls": "tasks.AddOne", "task_name": "add-1", "task_version": [1, 0], "action": "execute", "arguments": {"x": 7}}';
    await t.publish(ex, 'workers', body, { type: 'REQUEST', replyTo: 'engine-uuid', correlationId: 'req-1' });
    await waitFor(() => got.length === 1);
    const m = got[0] as amqplib.ConsumeMessage;
    expect(m.content.toString('utf8')).toBe(body);
    expect(m.fields).toMatchObject({ exchange: ex, routingKey: 'workers', redelivered: false });
    expect(m.properties).toMatchObject({
      type: 'REQUEST',
      replyTo: 'engine-uuid',
      correlationId: 'req-1',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      headers: {},
    });

    // The worker answers (as Python does) to the engine's reply queue, declared by tf.
    const inbox = new Recorder();
    await t.consume(ex, 'engine-uuid', inbox.handler);
    const reply = '{"state": "SUCCESS", "data": {"result": 8}}';
    ch.publish(ex, 'engine-uuid', Buffer.from(reply), {
      type: 'RESPONSE',
      correlationId: 'req-1',
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      headers: { attempt: 2, bin: Buffer.from('bytes'), when: { '!': 'timestamp', value: 1700000000 } },
    });
    await waitFor(() => inbox.count === 1);
    const d = inbox.deliveries[0];
    expect(d?.body).toBe(reply);
    expect(d?.properties).toEqual({
      type: 'RESPONSE',
      correlationId: 'req-1',
      headers: { attempt: 2, bin: 'bytes', when: 1700000000 },
    });
  });

  it('refuses, with TF_AMQP_PRECONDITION_FAILED, to declare a queue that exists with other flags, and stays usable', async () => {
    const ex = uniqueName('tf-amqp-406');
    const taskflow = await open();
    await taskflow.publish(ex, 'work', '"from TaskFlow"'); // TaskFlow's flags: transient, auto-delete
    const durable = await open({ queueOptions: { durable: true, autoDelete: false } });
    // Publishes to other topics sharing the publish channel are not hurt by the refused declaration.
    const [refused, ...others] = await Promise.allSettled([
      durable.publish(ex, 'work', '"x"'),
      ...Array.from({ length: 5 }, (_, i) => durable.publish(`${ex}-other`, 'w', JSON.stringify(i))),
    ]);
    expect(others.map((r) => r.status)).toEqual(Array(5).fill('fulfilled'));
    expect(refused?.status).toBe('rejected');
    const err = (refused as PromiseRejectedResult).reason as Error;
    expect(TfError.is(err, 'TF_AMQP_PRECONDITION_FAILED')).toBe(true);
    expect(err.message).toMatch(/queueOptions/);
    // A message amqplib cannot encode (headers over 64 KiB): a typed error at once, nothing retried.
    await expect(durable.publish(`${ex}-other`, 'w', '{}', { headers: { big: 'x'.repeat(70_000) } })).rejects.toSatisfy((e) =>
      TfError.is(e, 'TF_AMQP_PUBLISH_FAILED'),
    );
    const consumeErr: unknown = await durable
      .consume(`${ex}-other`, 'w0', () => undefined)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(consumeErr).toBeUndefined(); // a fresh exchange: fine
    // The connection survived the closed channel.
    expect(durable.state).toBe('connected');
    const inbox = new Recorder();
    await durable.consume(`${ex}-other`, 'w2', inbox.handler);
    await durable.publish(`${ex}-other`, 'w2', '"ok"');
    await waitFor(() => inbox.count === 1);
    const early = new Recorder();
    await durable.consume(`${ex}-other`, 'w', early.handler);
    await waitFor(() => early.count === 5);
    const bad = await durable.consume(ex, 'work', () => undefined).catch((e: unknown) => e);
    expect(TfError.is(bad, 'TF_AMQP_PRECONDITION_FAILED')).toBe(true);
  });

  it('keeps a message to an auto-deleted queue: a vanished queue (and exchange) is declared again', async () => {
    const ex = uniqueName('tf-amqp-vanish');
    const publisher = await open();
    const worker = await open();
    const queueGone = (topic: string) => async () => !(await listQueues()).some((q) => q.name === `${ex}_${topic}`);
    // The engine's reply queue keeps the exchange bound (alive) at first.
    const replies = await publisher.consume(ex, 'engine-1', () => undefined);
    const inbox = new Recorder();
    let consumer = await worker.consume(ex, 'work', inbox.handler);
    await publisher.publish(ex, 'work', '"first"'); // declared and cached by the publisher's channel
    await waitFor(() => inbox.count === 1);
    // 1. The worker's last consumer leaves: RabbitMQ deletes its queue; the exchange stays.
    await consumer.cancel();
    await waitFor(queueGone('work'), { timeoutMs: 10_000 });
    await publisher.publish(ex, 'work', '"second"'); // returned unroutable, declared again, sent again
    consumer = await worker.consume(ex, 'work', inbox.handler);
    await waitFor(() => inbox.count === 2);
    // 2. Every queue goes: the auto-delete exchange goes too (a publish to it closes the channel with 404).
    await consumer.cancel();
    await replies.cancel();
    await waitFor(queueGone('work'), { timeoutMs: 10_000 });
    await waitFor(async () => !(await listExchanges()).some((e) => e.name === ex), { timeoutMs: 10_000 });
    await publisher.publish(ex, 'work', '"third"');
    await publisher.publish(ex, 'work', '"fourth"');
    await worker.consume(ex, 'work', inbox.handler);
    await waitFor(() => inbox.count === 4);
    expect(inbox.bodies).toEqual(['"first"', '"second"', '"third"', '"fourth"']);
  });

  it('goes on consuming when its queue is deleted under it (the broker cancels the consumer)', async () => {
    const ex = uniqueName('tf-amqp-deleted');
    const t = await open({ queueOptions: { durable: true, autoDelete: false } });
    const inbox = new Recorder();
    await t.consume(ex, 'work', inbox.handler);
    const ch = await rawChannel();
    await ch.deleteQueue(`${ex}_work`);
    await waitFor(async () => (await listQueues()).some((q) => q.name === `${ex}_work` && q.consumers === 1), {
      timeoutMs: 10_000,
    });
    await t.publish(ex, 'work', '"after delete"');
    await waitFor(() => inbox.count === 1);
    expect(t.state).toBe('connected');
  });

  it('sends again the publishes in flight when the connection drops: none rejected, none lost', async () => {
    const ex = uniqueName('tf-amqp-inflight');
    const consumerSide = await open({ queueOptions: { durable: true, autoDelete: false } });
    const inbox = new Recorder();
    await consumerSide.consume(ex, 'work', inbox.handler, { prefetch: 50 });
    const t = await open({ queueOptions: { durable: true, autoDelete: false } });
    const events: TransportEventName[] = [];
    let inFlight = 0;
    let inFlightAtDrop = -1;
    t.on('disconnected', () => {
      events.push('disconnected');
      inFlightAtDrop = inFlight;
    });
    t.on('connected', () => events.push('connected'));
    // Keep 25 publishes in flight until the connection has dropped, then 50 more.
    const sent: string[] = [];
    let afterDrop = 0;
    const pump = async (lane: number): Promise<void> => {
      for (let i = 0; afterDrop < 50 && i < 100_000; i++) {
        const body = JSON.stringify({ lane, i });
        sent.push(body);
        inFlight += 1;
        try {
          await t.publish(ex, 'work', body);
        } finally {
          inFlight -= 1;
        }
        if (events.includes('disconnected')) afterDrop += 1;
      }
    };
    const publishing = Promise.all(Array.from({ length: 25 }, (_, lane) => pump(lane)));
    await waitFor(() => sent.length > 200);
    await closeConnectionNamed(t.connectionName);
    await publishing; // every publish resolves: none rejected
    expect(inFlightAtDrop).toBeGreaterThan(0);
    expect(events).toEqual(['disconnected', 'connected']);
    await waitFor(() => new Set(inbox.bodies).size === sent.length, { timeoutMs: 20_000 });
    expect(new Set(inbox.bodies)).toEqual(new Set(sent));
    await t.publish(ex, 'work', '"after"');
    await waitFor(() => inbox.bodies.includes('"after"'));
    expect(t.state).toBe('connected');
  });

  it('close() during an in-flight reconnect attempt leaves it closed (no connection comes back to life)', async () => {
    const t = make({ retryOptions: { intervalStartMs: 100, intervalStepMs: 0, intervalMaxMs: 100, maxRetries: 5 } });
    await t.connect();
    let closing: Promise<void> | undefined;
    // Close 3 ms into the first reconnect attempt (it takes longer: TCP, AMQP handshake, confirm channel).
    t.on('reconnecting', (e) => {
      setTimeout(() => {
        closing ??= t.close();
      }, e.delayMs + 3);
    });
    await closeConnectionNamed(t.connectionName);
    await waitFor(() => closing !== undefined);
    await closing;
    await sleep(300);
    expect(t.state).toBe('closed');
    expect(await connectionsNamed(t.connectionName)).toBe(0);
  });

  it('destroy() drops the connection like a killed process: no reconnect; connect() opens it again', async () => {
    const ex = uniqueName('tf-amqp-destroy');
    const t = await open();
    const events: string[] = [];
    t.on('disconnected', (e) => events.push(`disconnected:${e.willReconnect}`));
    t.on('reconnecting', () => events.push('reconnecting'));
    const held = new Recorder('hold');
    const consumer = await t.consume(ex, 'work', held.handler);
    await t.publish(ex, 'work', '"x"');
    await waitFor(() => held.count === 1);
    t.destroy();
    await waitFor(() => t.state === 'closed');
    expect(consumer.active).toBe(false);
    expect(events).toEqual(['disconnected:false']);
    await held.deliveries[0]?.ack(); // harmless
    await t.close();
    await t.connect();
    expect(t.capabilities.reconnect).toBe(true);
    const inbox = new Recorder();
    await t.consume(`${ex}2`, 'work', inbox.handler);
    await t.publish(`${ex}2`, 'work', '"y"');
    await waitFor(() => inbox.count === 1);
  });
});

describeBroker('amqp transport on RabbitMQ: amqps://', () => {
  const fixtures = join(dirname(new URL(import.meta.url).pathname), 'fixtures');
  const cert = readFileSync(join(fixtures, 'broker-cert.pem'));
  const key = readFileSync(join(fixtures, 'broker-key.pem'));
  let server: Server | undefined;
  const sockets = new Set<Socket>();

  /** A TLS front before RabbitMQ (TLS terminated here, AMQP passed through). */
  async function tlsFront(): Promise<number> {
    const { hostname, port } = parseAmqpUrl(AMQP_URL);
    server = createTlsServer({ cert, key }, (client) => {
      const upstream = netConnect({ host: hostname, port: port ?? 5672 });
      sockets.add(client);
      sockets.add(upstream);
      client.pipe(upstream).pipe(client);
      const end = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', end).on('close', end);
      upstream.on('error', end).on('close', end);
    });
    server.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  afterEach(async () => {
    // Inner hooks run first: close the transports before their TLS front goes.
    await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('connects over TLS with the given CA, and refuses an untrusted certificate', async () => {
    const port = await tlsFront();
    const url = `amqps://guest:guest@localhost:${port}//`;
    const t = await open({ url, tls: { ca: cert } });
    const ex = uniqueName('tf-amqp-tls');
    const inbox = new Recorder();
    await t.consume(ex, 'work', inbox.handler);
    await t.publish(ex, 'work', '"secret"');
    await waitFor(() => inbox.count === 1);
    expect(inbox.bodies).toEqual(['"secret"']);
    expect(t.details().uri).toBe(`amqps://guest:***@localhost:${port}//`);

    const untrusted = make({ url, retryOptions: { maxRetries: 0 } });
    const err: unknown = await untrusted.connect().catch((e: unknown) => e);
    expect(TfError.is(err, 'TF_TRANSPORT_CONNECTION_FAILED')).toBe(true);
    expect((err as Error).message).toMatch(/certificate/i);

    // tls on an amqp:// URL upgrades it; servername picks the name checked.
    const upgraded = await open({ url: `amqp://guest:guest@127.0.0.1:${port}//`, tls: { ca: cert, servername: 'localhost' } });
    await upgraded.publish(ex, 'work', '"upgraded"');
    await waitFor(() => inbox.count === 2);
  });
});
