/**
 * Poison requests on real brokers, with real `tf-worker` processes: a request that kills every
 * worker taking it runs at most `--max-deliveries` times, then lands in the exchange's
 * `tf-dead-letters` topic with the reason and is answered TF_DELIVERY_LIMIT; a request whose
 * reply the broker refuses runs once, not in a loop.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEAD_LETTER_TOPIC, resolveTransport, TfHeader, type Delivery, type ResponseBody, type Transport } from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
// test-integration does not depend on amqplib: it comes from the package that does.
import * as amqp from '../packages/transport-amqp/node_modules/amqplib';
import { afterAll, afterEach, expect, it } from 'vitest';
import { REDIS_URL, redisAvailable } from '../packages/transport-redis/test/available';
import { adminClient, deleteKeys } from '../packages/transport-redis/test/util';
import { waitUntil, fixtureWorkerArgs, startWorker, type WorkerProcess } from './helpers';
import { AMQP_URL, describeWith, uniqueName } from './services';

const redisUp = await redisAvailable();
const prefix = `tf-it-poison-${process.pid}-${Date.now().toString(36)}:`;
const admin = redisUp ? adminClient(REDIS_URL) : undefined;
const folder = mkdtempSync(join(tmpdir(), 'tf-it-poison-'));
const DURABLE = { durable: true, autoDelete: false };

let workers: WorkerProcess[] = [];
const transports: Transport[] = [];
const amqpExchanges: string[] = [];
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  await Promise.all(transports.splice(0).map((t) => t.close()));
  if (admin) await deleteKeys(admin, `${prefix}*`);
  if (amqpExchanges.length > 0) {
    const connection = await amqp.connect(AMQP_URL);
    const channel = await connection.createChannel();
    for (const exchange of amqpExchanges.splice(0)) {
      for (const topic of ['poison', 'replies', DEAD_LETTER_TOPIC]) await channel.deleteQueue(`${exchange}_${topic}`);
      await channel.deleteExchange(exchange);
    }
    await connection.close();
  }
});
afterAll(async () => {
  await admin?.quit();
  rmSync(folder, { recursive: true, force: true });
});

interface Broker {
  readonly name: string;
  readonly args: string[];
  readonly options: { transport: string; url?: string; transportOptions: Record<string, unknown> };
}

const fsOptions = { data_folder_in: folder, data_folder_out: folder, polling_interval: 0.1 };
const brokers: Broker[] = [
  {
    name: 'filesystem',
    args: ['--transport', 'filesystem', '--transport-options', JSON.stringify(fsOptions)],
    options: { transport: 'filesystem', transportOptions: fsOptions },
  },
  {
    name: 'redis',
    // A short lease: a dead worker's request is taken again after a second.
    args: ['--transport', 'redis', '--url', REDIS_URL, '--transport-options', JSON.stringify({ key_prefix: prefix, lease_ms: 1000 })],
    options: { transport: 'redis', url: REDIS_URL, transportOptions: { keyPrefix: prefix, leaseMs: 1000 } },
  },
  {
    // Durable queues: with TaskFlow's auto-delete ones, the last worker's death deletes the
    // queue and the request with it. Classic queues count no deliveries: the worker does.
    name: 'amqp',
    args: ['--transport', 'amqp', '--url', AMQP_URL, '--transport-options', JSON.stringify({ queueOptions: DURABLE })],
    options: { transport: 'amqp', url: AMQP_URL, transportOptions: { queueOptions: DURABLE } },
  },
];

const runsIn = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

/** A raw transport on the test's side: the engine's reply topic and the dead letters. */
async function listen(broker: Broker, exchange: string) {
  const transport = await resolveTransport(broker.options);
  transports.push(transport);
  await transport.connect();
  const replies: Delivery[] = [];
  const dead: Delivery[] = [];
  await transport.consume(exchange, 'replies', async (d) => {
    replies.push(d);
    await d.ack();
  });
  await transport.consume(exchange, DEAD_LETTER_TOPIC, async (d) => {
    dead.push(d);
    await d.ack();
  });
  const request = (taskCls: string, file: string, correlationId: string) =>
    transport.publish(
      exchange,
      'poison',
      JSON.stringify({ task_cls: taskCls, task_name: 'poison', task_version: [1, 0], action: 'execute', arguments: { file } }),
      { type: 'REQUEST', replyTo: 'replies', correlationId },
    );
  const finals = (): ResponseBody[] => {
    const out: ResponseBody[] = [];
    for (const message of replies.map((d) => decodeMessage(d))) {
      if (message.type === 'RESPONSE' && (message.body.state === 'SUCCESS' || message.body.state === 'FAILURE')) out.push(message.body);
    }
    return out;
  };
  return { transport, replies, dead, request, finals };
}

for (const broker of brokers) {
  const needs = broker.name === 'amqp' ? (['rabbitmq'] as const) : ([] as const);
  await describeWith(needs, `${broker.name}: poison requests`, () => {
    it.skipIf(broker.name === 'redis' && !redisUp)(
      'a request that kills its workers runs at most --max-deliveries times, then is dead-lettered and answered',
      { timeout: 120_000 },
      async () => {
        const exchange = uniqueName(`it-poison-${broker.name}`);
        if (broker.name === 'amqp') amqpExchanges.push(exchange);
        const file = join(folder, `${exchange}.runs`);
        const side = await listen(broker, exchange);
        await side.request('it.KillWorker', file, 'poison-1');
        // One worker after another takes it (and dies with it), until one refuses it.
        for (let i = 0; i < 5 && side.finals().length === 0; i++) {
          const args = fixtureWorkerArgs(broker.args, exchange, 'poison', ['--max-deliveries', '2', '--concurrency', '1']);
          // It may take the request, and die, before it has printed its banner.
          const worker = await startWorker(args).catch((error: Error) => {
            if (/exited with null/.test(error.message)) return undefined;
            throw error;
          });
          if (!worker) continue;
          workers.push(worker);
          await waitUntil(() => worker.child.signalCode !== null || side.finals().length > 0, 30_000, 'the worker to die or answer');
        }
        await waitUntil(() => side.dead.length > 0, 10_000, 'the dead letter');
        expect(runsIn(file)).toHaveLength(2);
        const [final] = side.finals();
        expect(final?.state).toBe('FAILURE');
        const failure = final?.state === 'FAILURE' ? final.data.result : undefined;
        expect(failure?.exc_type_names[0]).toBe('DeliveryLimitError');
        expect(failure?.exception_str).toContain('delivered 3 times');
        const [letter] = side.dead;
        expect(letter?.properties.correlationId).toBe('poison-1');
        expect(letter?.properties.headers[TfHeader.DEAD_TOPIC]).toBe('poison');
        expect(String(letter?.properties.headers[TfHeader.DEAD_REASON])).toContain('limit 2');
        expect(JSON.parse(letter!.body)).toMatchObject({ task_cls: 'it.KillWorker', arguments: { file } });
        // Still serving: nothing else was run meanwhile.
        expect(side.dead).toHaveLength(1);
      },
    );
  });
}

await describeWith([], 'redis: a reply the broker refuses', () => {
  it.skipIf(!redisUp)('is not a reason to run the task again: it runs once and the request is settled', { timeout: 60_000 }, async () => {
    const broker = brokers.find((b) => b.name === 'redis')!;
    const exchange = uniqueName('it-poison-reply');
    const file = join(folder, `${exchange}.runs`);
    const transport = await resolveTransport(broker.options);
    transports.push(transport);
    await transport.connect();
    // The reply topic's key holds a string: every XADD to it fails (WRONGTYPE), for good.
    await admin!.set(`${prefix}${exchange}:refused`, 'not a stream');
    await transport.publish(
      exchange,
      'poison',
      JSON.stringify({ task_cls: 'it.CountRun', task_name: 'r', task_version: [1, 0], action: 'execute', arguments: { file } }),
      { type: 'REQUEST', replyTo: 'refused', correlationId: 'refused-1' },
    );
    const worker = await startWorker(fixtureWorkerArgs(broker.args, exchange, 'poison', ['--concurrency', '1']));
    workers.push(worker);
    await waitUntil(() => worker.output().includes('could not publish the final response'), 20_000, 'the refused reply');
    // Two leases later it has not come back.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(runsIn(file)).toHaveLength(1);
    expect(await admin!.xlen(`${prefix}${exchange}:poison`)).toBe(0);
  });
});
