/**
 * What the NATS transport does on JetStream beyond the conformance suite, against the real
 * server: the limits its streams and consumers get, in-progress acks that keep a long task
 * from being redelivered while its holder lives, and messages on a topic that are not tf's.
 */
import { headers } from '@nats-io/transport-node';
import { connect } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { Recorder, sleep, waitFor } from '@tf/transport-testkit';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NatsTransport } from '../src/index';
import { DURABLE } from '../src/names';
import { NatsAdmin } from './admin';
import { NATS_URL, natsAvailable } from './available';

const run = `${process.pid}${Date.now().toString(36)}`;
const subjectPrefix = `tfj${run}`;
const streamPrefix = `TFJ${run}`;
const available = await natsAvailable();
const admin = new NatsAdmin(NATS_URL);
const opened: NatsTransport[] = [];

async function open(options: ConstructorParameters<typeof NatsTransport>[0] = {}): Promise<NatsTransport> {
  const t = new NatsTransport({ url: NATS_URL, streamPrefix, subjectPrefix, ...options });
  opened.push(t);
  await t.connect();
  return t;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
  if (available) await admin.deleteStreams(subjectPrefix);
});
afterAll(() => admin.close());

describe.skipIf(!available)('nats transport on JetStream', () => {
  it('makes each topic a bounded work-queue stream with one shared durable consumer; a temporary one goes when idle', async () => {
    const t = await open({ maxAgeMs: 60_000, maxBytes: 1_000_000, maxMsgs: 500, leaseMs: 4_000, temporaryTopicExpiryMs: 2_000 });
    await t.publish('ex', 'work', '"w"');
    await t.consume('ex', 'work', () => undefined);
    await t.consume('ex', 'reply', () => undefined, { temporary: true });
    const streams = await admin.streams(`${subjectPrefix}.ex.*`);
    const work = streams.find((s) => s.config.subjects[0] === `${subjectPrefix}.ex.work`)!;
    expect(work.config).toMatchObject({
      retention: 'workqueue',
      discard: 'new',
      max_age: 60_000 * 1e6,
      max_bytes: 1_000_000,
      max_msgs: 500,
      storage: 'file',
    });
    expect(work.config.description).toBeUndefined();
    const reply = streams.find((s) => s.config.subjects[0] === `${subjectPrefix}.ex.reply`)!;
    expect(reply.config.description).toBe('tf temporary topic');
    const nc = await connect({ servers: NATS_URL.replace('nats://', '') });
    try {
      const jsm = await jetstreamManager(nc);
      const durable = await jsm.consumers.info(work.config.name, DURABLE);
      expect(durable.config).toMatchObject({ ack_policy: 'explicit', ack_wait: 4_000 * 1e6 });
      const temporary = await jsm.consumers.info(reply.config.name, DURABLE);
      expect(temporary.config.inactive_threshold).toBe(2_000 * 1e6);
    } finally {
      await nc.close();
    }
  });

  it('a full topic refuses the publish (discard new): the publisher sees it, no queued work is dropped', async () => {
    const t = await open({ maxMsgs: 2 });
    await t.publish('ex', 'full', '1');
    await t.publish('ex', 'full', '2');
    await expect(t.publish('ex', 'full', '3')).rejects.toThrow(/maximum messages/i);
    const inbox = new Recorder();
    await t.consume('ex', 'full', inbox.handler);
    await waitFor(() => inbox.count === 2, { timeoutMs: 10_000 });
    expect(inbox.bodies).toEqual(['1', '2']);
  });

  it('keeps a task held three times longer than leaseMs from being redelivered while its holder lives (in-progress acks)', async () => {
    const holder = await open({ leaseMs: 600 });
    const other = await open({ leaseMs: 600 });
    await holder.publish('ex', 'long', '"long task"');
    const held = new Recorder('hold');
    await holder.consume('ex', 'long', held.handler, { prefetch: 1 });
    await waitFor(() => held.count === 1, { timeoutMs: 10_000 });
    const stolen = new Recorder();
    await other.consume('ex', 'long', stolen.handler);
    await sleep(1_800);
    expect(stolen.count).toBe(0);
    expect(held.count).toBe(1);
    await held.held[0]!.ack();
    await sleep(900);
    expect(stolen.count).toBe(0);
  });

  it('cancels a consumer at once, without waiting for its pull request to expire', async () => {
    const t = await open({ pullExpiresMs: 20_000 });
    for (let i = 0; i < 5; i++) {
      const c = await t.consume('ex', `idle${i}`, () => undefined);
      // Some cancels land while the pull request is being made, some while it waits.
      if (i % 2 === 1) await sleep(50);
      const started = Date.now();
      await c.cancel();
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  it('drops a message on a topic whose tf headers are malformed, and goes on with the next', async () => {
    const t = await open();
    await t.publish('ex', 'raw', '"first"');
    const nc = await connect({ servers: NATS_URL.replace('nats://', '') });
    try {
      const h = headers();
      h.set('Tf-Headers', '{"unterminated');
      await jetstream(nc).publish(`${subjectPrefix}.ex.raw`, 'hostile', { headers: h });
    } finally {
      await nc.close();
    }
    await t.publish('ex', 'raw', '"last"');
    const inbox = new Recorder();
    await t.consume('ex', 'raw', inbox.handler);
    await waitFor(() => inbox.count === 2, { timeoutMs: 10_000 });
    await sleep(300);
    expect(inbox.bodies).toEqual(['"first"', '"last"']);
    const [stream] = await admin.streams(`${subjectPrefix}.ex.raw`);
    expect(stream?.state.messages).toBe(0);
  });
});
