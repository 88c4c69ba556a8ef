/**
 * A consumer declares its exchange, its queue, then the binding. With auto-delete flags
 * (TaskFlow's), the exchange goes when its last other queue does: if that happens between the
 * declaration and the binding, RabbitMQ answers the binding with 404 and closes the channel.
 * Here the exchange is deleted at exactly that moment, on the real broker.
 */
import * as amqplib from 'amqplib';
import { afterEach, expect, it, vi } from 'vitest';
import { Recorder, uniqueName, waitFor } from '@tf/transport-testkit';
import { AmqpTransport } from '@tf/transport-amqp';
import { AMQP_URL, Topology, describeBroker } from './broker';

const topology = new Topology();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  await topology.cleanup();
});

describeBroker('amqp consumer: its exchange vanishes while it declares', () => {
  it('declares again on a fresh channel and consumes', async () => {
    const exchange = uniqueName('tf-declare-race');
    const admin = await amqplib.connect(AMQP_URL);
    cleanups.push(() => admin.close());
    const adminChannel = await admin.createChannel();
    // The class of every amqplib channel, the transport's included.
    const channelClass = Object.getPrototypeOf(adminChannel) as amqplib.Channel;
    const bindQueue = channelClass.bindQueue;
    let vanished = 0;
    const binds = vi.spyOn(channelClass, 'bindQueue').mockImplementation(async function (
      this: amqplib.Channel,
      queue,
      source,
      pattern,
      args,
    ) {
      if (source === exchange && vanished === 0) {
        vanished += 1;
        await adminChannel.deleteExchange(exchange);
      }
      return bindQueue.call(this, queue, source, pattern, args);
    });
    const debug: string[] = [];
    const noop = () => undefined;
    const logger = { trace: noop, info: noop, warn: noop, error: noop, debug: (_obj: unknown, msg?: string) => debug.push(msg ?? '') };
    const t = topology.track(new AmqpTransport({ url: AMQP_URL, logger }));
    cleanups.push(() => t.close());
    await t.connect();
    const inbox = new Recorder();
    await t.consume(exchange, 'work', inbox.handler);
    expect(vanished).toBe(1);
    expect(binds.mock.calls.filter(([, source]) => source === exchange)).toHaveLength(2);
    expect(debug).toContain('amqp: the exchange vanished while declaring a consumer; again');
    await t.publish(exchange, 'work', '"after the race"');
    await waitFor(() => inbox.count === 1, { message: 'the message' });
    expect(inbox.bodies).toEqual(['"after the race"']);
  });
});
