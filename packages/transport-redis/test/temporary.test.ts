import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Recorder, sleep, waitFor } from '@tf/transport-testkit';
import { RedisTransport } from '@tf/transport-redis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, redisAvailable } from './available';
import { adminClient, deleteKeys } from './util';

const root = resolve(fileURLToPath(new URL('../../..', import.meta.url)));
const script = fileURLToPath(new URL('./fixtures/temporary-consumer.ts', import.meta.url));
const available = await redisAvailable();

describe.skipIf(!available)('redis transport: temporary topics and replies that create nothing', () => {
  const prefix = `tft-${process.pid}-${Date.now().toString(36)}:`;
  const admin = adminClient(REDIS_URL);
  const made: RedisTransport[] = [];
  const children: ChildProcess[] = [];
  let n = 0;
  const exchange = () => `ex${++n}`;
  async function open(options: ConstructorParameters<typeof RedisTransport>[0] = {}): Promise<RedisTransport> {
    const t = new RedisTransport({ url: REDIS_URL, keyPrefix: prefix, ...options });
    made.push(t);
    await t.connect();
    return t;
  }
  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.allSettled(made.splice(0).map((t) => t.close({ timeoutMs: 2_000 })));
    await deleteKeys(admin, `${prefix}*`);
  });
  afterAll(async () => {
    await admin.quit();
  });

  it('keeps a live temporary topic\u2019s stream alive by renewing its PEXPIRE', async () => {
    const ex = exchange();
    const t = await open({ temporaryTopicExpiryMs: 600 });
    await t.consume(ex, 'reply', new Recorder().handler, { temporary: true });
    const key = t.keyOf(ex, 'reply');
    const ttl = await admin.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600);
    await sleep(1_500);
    expect(await admin.exists(key)).toBe(1);
  });

  it('XADD NOMKSTREAM in a batch: the publishes to existing streams go through, the others create nothing', async () => {
    const ex = exchange();
    const t = await open();
    const inbox = new Recorder();
    await t.consume(ex, 'work', inbox.handler);
    await Promise.all([
      t.publish(ex, 'work', '"a"', {}, { createTopic: false }),
      t.publish(ex, 'gone', '"b"', {}, { createTopic: false }),
      t.publish(ex, 'work', '"c"'),
    ]);
    await waitFor(() => inbox.count === 2, { message: 'the two messages to the stream that exists' });
    expect([...inbox.bodies].sort()).toEqual(['"a"', '"c"']);
    expect(await admin.exists(t.keyOf(ex, 'gone'))).toBe(0);
  });

  it('after kill -9 of the process consuming a temporary topic, the stream expires and replies do not bring it back', async () => {
    const ex = exchange();
    const child = spawn(process.execPath, ['--import', 'tsx', script, REDIS_URL, prefix, ex, 'reply', '1000'], {
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
    const p = await open();
    const key = p.keyOf(ex, 'reply');
    expect(await admin.exists(key)).toBe(1);
    await p.publish(ex, 'reply', '"r1"', {}, { createTopic: false });
    child.kill('SIGKILL');
    await waitFor(async () => (await admin.exists(key)) === 0, { timeoutMs: 10_000, intervalMs: 100, message: 'the stream to expire' });
    await p.publish(ex, 'reply', '"late"', {}, { createTopic: false });
    expect(await admin.exists(key)).toBe(0);
  });

  it('a regular topic\u2019s last consumer leaving drops the empty stream without losing publishes racing with it', async () => {
    const ex = exchange();
    const t = await open();
    const p = await open();
    for (let round = 0; round < 5; round++) {
      const c = await t.consume(ex, 'work', new Recorder('hold').handler, { prefetch: 1 });
      const sent = Array.from({ length: 20 }, (_, i) => `"${round}-${i}"`);
      await Promise.all([...sent.map((b) => p.publish(ex, 'work', b)), c.cancel()]);
      const inbox = new Recorder();
      const again = await t.consume(ex, 'work', inbox.handler);
      await waitFor(() => sent.every((b) => inbox.bodies.includes(b)), { message: `round ${round}: every message` });
      await again.cancel();
      expect(await admin.exists(t.keyOf(ex, 'work'))).toBe(0);
    }
  });
});
