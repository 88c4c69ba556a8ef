/**
 * The README's first command: the distributed demo runs end to end and writes a real PNG,
 * over each transport it offers, and leaves no temporary folder behind.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_URL, redisAvailable } from '../packages/transport-redis/test/available';
import { NATS_URL, natsAvailable } from '../examples/transport-nats/test/available';
import { queueFolders, runDemo, type DemoRun } from './demo-run';
import { AMQP_URL, describeWith } from './services';

const redis = await redisAvailable();
const nats = await natsAvailable();
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'tf-demo-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Renders 300x200 in 8 bands; returns the run and the queue folders seen once it started. */
async function render(args: string[]): Promise<{ run: DemoRun; foldersWhileRunning: string[] }> {
  const output = join(tmp, `m-${Date.now()}.png`);
  let foldersWhileRunning: string[] = [];
  const run = await runDemo(['--width', '300', '--bands', '8', '--output', output, ...args], {
    tmp,
    onStdout: (stdout) => {
      if (/band\d+ rows/.test(stdout) && foldersWhileRunning.length === 0) foldersWhileRunning = queueFolders(tmp);
    },
  });
  expect(run.code, run.stderr).toBe(0);
  const png = readFileSync(output);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe(300); // IHDR width
  expect(png.readUInt32BE(20)).toBe(200); // IHDR height
  // Eight bands, each reported with the worker that computed it (sharing is checked in filesystem.test.ts).
  const lines = run.stdout.split('\n').filter((l) => /band\d+ rows/.test(l));
  expect(lines).toHaveLength(8);
  const workers = run.stdout.match(/worker \S+: \d+ bands/g) ?? [];
  expect(workers.length).toBeGreaterThanOrEqual(1);
  const total = workers.reduce((sum, w) => sum + Number(/: (\d+) bands/.exec(w)![1]), 0);
  expect(total).toBe(8);
  // Nothing left in the demo's TMPDIR, whatever the transport.
  expect(queueFolders(tmp)).toEqual([]);
  return { run, foldersWhileRunning };
}

describe('the distributed demo', () => {
  it('renders at its default size, as the README runs it (the assembling request, every band in it, fits a message)', async () => {
    const output = join(tmp, 'default-size.png');
    const run = await runDemo(['--output', output], { tmp });
    expect(run.code, run.stderr).toBe(0);
    const png = readFileSync(output);
    expect(png.readUInt32BE(16)).toBe(1500); // IHDR width: the default
    expect(png.readUInt32BE(20)).toBe(1000); // IHDR height
  });

  it('renders the Mandelbrot set on two tf-worker processes over the filesystem transport, then removes its folder', async () => {
    const { run, foldersWhileRunning } = await render([]);
    expect(run.stdout).toContain('over the filesystem transport');
    // The folder existed while the flow ran (so "none left" above means it was removed).
    expect(foldersWhileRunning).toHaveLength(1);
  });

  it.skipIf(!redis)('renders over Redis (--transport redis), creating no folder', async () => {
    // The demo's default URL, unless TF_REDIS_URL moved the tests' Redis.
    const url = REDIS_URL === 'redis://127.0.0.1:6379' ? [] : ['--url', REDIS_URL];
    const { run, foldersWhileRunning } = await render(['--transport', 'redis', ...url]);
    expect(run.stdout).toContain('over the redis transport');
    expect(foldersWhileRunning).toEqual([]);
  });

  it.skipIf(!nats)('renders over NATS JetStream (--transport nats, the third-party tf-transport-nats), creating no folder', async () => {
    const url = NATS_URL === 'nats://127.0.0.1:4222' ? [] : ['--url', NATS_URL];
    const { run, foldersWhileRunning } = await render(['--transport', 'nats', ...url]);
    expect(run.stdout).toContain('over the nats transport');
    expect(foldersWhileRunning).toEqual([]);
  });
});

await describeWith(['rabbitmq'], 'the distributed demo on RabbitMQ', () => {
  it('renders over RabbitMQ (--transport amqp), creating no folder', async () => {
    // The demo's default URL, unless TF_AMQP_URL moved the tests' RabbitMQ.
    const url = AMQP_URL === 'amqp://guest:guest@127.0.0.1:5672//' ? [] : ['--url', AMQP_URL];
    const { run, foldersWhileRunning } = await render(['--transport', 'amqp', ...url]);
    expect(run.stdout).toContain('over the amqp transport');
    expect(foldersWhileRunning).toEqual([]);
  });
});
