/**
 * Trust on the wire, live over Redis: a worker and engines survive 10,000 generated malformed
 * messages (the heap back within 10% after GC, a valid flow still runs), and messages over
 * `maxMessageBytes` are refused on publish and dropped on receipt.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { Failure, linearFlow, Task, TfError, WrappedFailure, type Delivery } from '@tf/core';
import { load } from '@tf/engine';
import { RedisTransport } from '@tf/transport-redis';
import { Worker } from '@tf/worker';
import { REDIS_URL, redisAvailable } from '../packages/transport-redis/test/available';
import { adminClient, deleteKeys } from '../packages/transport-redis/test/util';
import { root } from './helpers';

const available = await redisAvailable();
const prefix = `tf-it-fuzz-${process.pid}-${Date.now().toString(36)}:`;
const admin = available ? adminClient(REDIS_URL) : undefined;
const MB5 = 5 * 1024 * 1024;

afterAll(async () => {
  if (admin) {
    await deleteKeys(admin, `${prefix}*`);
    await admin.quit();
  }
});

interface FuzzResult {
  ok: boolean;
  polluted: boolean;
  count: number;
  published: number;
  refused: number;
  fuzzMs: number;
  totalMs: number;
  heapBefore: number;
  heapAfter: number;
  heapRatio: number;
  levels: { warn: number; error: number };
  samples: string[];
}

/** Runs `fixtures/fuzz-host.ts` in its own process (with `--expose-gc`), killed after `timeoutMs`. */
function runFuzzHost(env: Record<string, string>, timeoutMs: number): Promise<{ result: FuzzResult | undefined; output: string }> {
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'test-integration/fixtures/fuzz-host.ts'], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      const line = output.split('\n').find((l) => l.startsWith('FUZZ-RESULT '));
      resolve({ result: line ? (JSON.parse(line.slice('FUZZ-RESULT '.length)) as FuzzResult) : undefined, output });
    });
  });
}

/** Rejects after `ms`: every wait here is bounded. */
function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** True when `error` is, wraps or carries (as a remote failure) a `TF_MESSAGE_TOO_LARGE`. */
function tooLarge(error: unknown): boolean {
  if (TfError.is(error, 'TF_MESSAGE_TOO_LARGE')) return true;
  if (error instanceof WrappedFailure)
    return error.failures.some((f) => tooLarge(f.exception) || f.check('MessageTooLargeError') !== undefined);
  const failure = (error as { failure?: unknown }).failure;
  return Failure.is(failure) && failure.check('MessageTooLargeError') !== undefined;
}

let runs = 0;
class Count extends Task<{ data: string }, number> {
  static override taskName = 'fz.Count';
  static override requires = ['data'];
  override execute({ data }: { data: string }): number {
    runs += 1;
    return data.length;
  }
}
class Huge extends Task<Record<string, never>, string> {
  static override taskName = 'fz.Huge';
  override execute(): string {
    return 'x'.repeat(MB5);
  }
}

describe.skipIf(!available)('trust on the wire (Redis)', () => {
  it('a worker and engines survive 10,000 malformed messages: a valid flow runs after, the heap is back within 10%', async () => {
    const { result, output } = await runFuzzHost({ TF_FUZZ_REDIS: REDIS_URL, TF_FUZZ_PREFIX: prefix, TF_FUZZ_COUNT: '10000' }, 90_000);
    expect(result, output).toBeDefined();
    const r = result!;
    // Figures for whoever reads the log.
    console.info(
      `fuzz: ${r.count} messages (${r.refused} refused on publish) in ${r.fuzzMs} ms, ${r.totalMs} ms in all; ` +
        `heap after GC ${(r.heapBefore / 1e6).toFixed(1)} MB -> ${(r.heapAfter / 1e6).toFixed(1)} MB (x${r.heapRatio.toFixed(3)}); ` +
        `${r.levels.warn} warnings, ${r.levels.error} errors`,
    );
    expect(r.ok).toBe(true);
    expect(r.polluted).toBe(false);
    expect(r.published + r.refused).toBe(10_000);
    expect(r.levels.error).toBe(0);
    expect(r.heapRatio).toBeLessThanOrEqual(1.1);
  }, 100_000);

  describe('maxMessageBytes', () => {
    const exchange = 'limits';
    const topic = 'fz-limits';
    const transportOptions = { keyPrefix: prefix };

    async function withWorker<T>(fn: () => Promise<T>): Promise<T> {
      const worker = new Worker({ exchange, topic, tasks: [Count, Huge], url: REDIS_URL, transportOptions, concurrency: 2 });
      await within('worker start', 10_000, worker.start());
      try {
        return await fn();
      } finally {
        await within('worker stop', 10_000, worker.stop({ timeoutMs: 2_000 }));
      }
    }

    const engineFor = (flow: Parameters<typeof load>[0], store: Record<string, unknown> = {}) =>
      load(flow, { engine: 'worker-based', exchange, topics: [topic], url: REDIS_URL, transport_options: transportOptions, store });

    it('the engine refuses to publish a 5 MB request: the task fails with TF_MESSAGE_TOO_LARGE, nothing runs', async () => {
      runs = 0;
      await withWorker(async () => {
        const engine = engineFor(linearFlow('big-args').add(new Count({ name: 'count' })), { data: 'x'.repeat(MB5) });
        const error = await within('the flow', 20_000, engine.run()).catch((e: unknown) => e);
        expect(tooLarge(error), String(error)).toBe(true);
      });
      expect(runs).toBe(0);
    });

    it('a result over the limit comes back as a FAILURE naming the limit, not a hang', async () => {
      await withWorker(async () => {
        const engine = engineFor(linearFlow('big-result').add(new Huge({ name: 'huge' })));
        const error = await within('the flow', 20_000, engine.run()).catch((e: unknown) => e);
        expect(tooLarge(error), String(error)).toBe(true);
      });
    });

    it('a 5 MB request injected raw is dropped by the worker without running anything', async () => {
      runs = 0;
      const raw = new RedisTransport({ url: REDIS_URL, keyPrefix: prefix, maxMessageBytes: 16 * 1024 * 1024 });
      await raw.connect();
      const replyTo = `fz-replies-${randomUUID()}`;
      const answered: string[] = [];
      const consumer = await raw.consume(exchange, replyTo, (d: Delivery) => {
        const id = d.properties.correlationId ?? '';
        if (JSON.parse(d.body).state === 'SUCCESS') answered.push(id);
        return d.ack();
      });
      try {
        await withWorker(async () => {
          const request = (data: string) =>
            JSON.stringify({ task_cls: 'fz.Count', task_name: 'count', task_version: '1.0', action: 'execute', arguments: { data } });
          await raw.publish(exchange, topic, request('x'.repeat(MB5)), { type: 'REQUEST', replyTo, correlationId: 'big' });
          await raw.publish(exchange, topic, request('small'), { type: 'REQUEST', replyTo, correlationId: 'small' });
          await within(
            'the small request to be answered',
            15_000,
            (async () => {
              while (!answered.includes('small')) await new Promise((resolve) => setTimeout(resolve, 20));
            })(),
          );
        });
        expect(answered).toEqual(['small']);
        expect(runs).toBe(1);
        // Dropped, not requeued: nothing is left on the topic.
        expect(await admin!.xlen(`${prefix}${exchange}:${topic}`)).toBe(0);
      } finally {
        await consumer.cancel();
        await raw.close();
      }
    });
  });
});
