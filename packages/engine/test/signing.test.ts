/**
 * The worker-based engine with `signingKey`, over the memory transport with in-process
 * Workers: a signed flow runs; a worker with another key serves nothing; a forged response
 * changes nothing.
 */
import { randomUUID } from 'node:crypto';
import { Task, TfError } from '@tf/core';
import { load, type NoCapableWorkerDetails } from '@tf/engine';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';
import { Worker } from '@tf/worker';
import { afterEach, describe, expect, it, vi } from 'vitest';

const KEY = 'engine-test-signing-key-0123456789abcdef';
const OTHER = 'a-different-signing-key-0123456789abcdef';

class Slow extends Task<{ x: number }, number> {
  static override taskName = 'signing.Slow';
  static override requires = ['x'];
  override async execute({ x }: { x: number }): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 150));
    return x * 10;
  }
}

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
  memoryBroker.reset();
});

async function worker(exchange: string, signingKey?: string): Promise<Worker> {
  const w = new Worker({ exchange, topic: 'sig', tasks: [Slow], transport: 'memory', ...(signingKey ? { signingKey } : {}) });
  workers.push(w);
  await w.start();
  return w;
}

function engine(exchange: string, signingKey: unknown, transitionTimeoutMs = 10_000) {
  return load(new Slow({ name: 't' }), {
    engine: 'worker-based',
    exchange,
    topics: ['sig'],
    transport: 'memory',
    store: { x: 4 },
    transitionTimeoutMs,
    notifyIntervalMs: 200,
    signingKey: signingKey as string,
  });
}

describe('worker-based engine with signingKey', () => {
  it('runs a flow signed end to end, and ignores a forged SUCCESS', async () => {
    const exchange = `sig-${randomUUID()}`;
    // A forger who sees each REQUEST go by answers it first, unsigned, with its correlation id.
    const forger = new MemoryTransport();
    await forger.connect();
    const forged: Promise<void>[] = [];
    class Tapped extends MemoryTransport {
      override consume(...[ex, topic, handler, options]: Parameters<MemoryTransport['consume']>) {
        return super.consume(
          ex,
          topic,
          (d) => {
            const { type, replyTo, correlationId } = d.properties;
            if (type === 'REQUEST' && replyTo && correlationId) {
              const body = JSON.stringify({ state: 'SUCCESS', data: { result: -1 } });
              forged.push(forger.publish(exchange, replyTo, body, { type: 'RESPONSE', correlationId }));
            }
            return handler(d);
          },
          options,
        );
      }
    }
    const tapped = new Tapped();
    const w = new Worker({ exchange, topic: 'sig', tasks: [Slow], transport: tapped, signingKey: KEY });
    workers.push(w);
    await w.start();
    const e = engine(exchange, { keys: { default: KEY, retired: OTHER }, current: 'default' });
    expect(e.signingStats).toEqual({
      signed: 0,
      verified: 0,
      rejected: 0,
      rejectedBy: { unsigned: 0, malformed: 0, unknownKey: 0, stale: 0, badSignature: 0 },
    });
    await e.run();
    expect(forged).toHaveLength(1);
    expect(e.storage.get('t')).toBe(40);
    expect(e.signingStats!.rejectedBy.unsigned).toBe(1);
    expect(e.signingStats!.verified).toBeGreaterThanOrEqual(2);
    expect(w.signingStats!.rejected).toBe(0);
    await w.stop();
    await tapped.close();
    await forger.close();
  });

  it('finds no worker signing with another key (nor an unsigned one)', async () => {
    const exchange = `sig-${randomUUID()}`;
    const stranger = await worker(exchange, OTHER);
    const plain = await worker(exchange);
    const e = engine(exchange, KEY, 1_500);
    const warnings: NoCapableWorkerDetails[] = [];
    e.workerNotifier.on('no_capable_worker', (_event, details) => void warnings.push(details));
    expect(await e.waitForWorkers(1, 800)).toBe(0);
    await expect(e.run()).rejects.toMatchObject({ code: 'TF_REQUEST_TIMEOUT' });
    // The stranger cannot verify the NOTIFYs, so never answers; the plain worker answers unsigned.
    expect(e.signingStats!.rejectedBy.unsigned).toBeGreaterThanOrEqual(1);
    expect(stranger.signingStats!.rejectedBy.badSignature).toBeGreaterThanOrEqual(1);
    await vi.waitFor(() => expect(stranger.activeTasks + plain.activeTasks).toBe(0));
    // The no-worker warning says the workers need the key, and how many messages were dropped.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.signing?.rejectedBy.unsigned).toBeGreaterThanOrEqual(1);
    expect(warnings[0]!.hint).toContain("signingKey: <the engine's key>");
    expect(warnings[0]!.hint).toContain('--signing-key-file <key-file>');
  });

  it('refuses a short key when loading (TF_SIGNING_CONFIG), and signing_key as the seed spells it', () => {
    let error: unknown;
    try {
      engine('x', 'short');
    } catch (caught) {
      error = caught;
    }
    expect(TfError.is(error, 'TF_SIGNING_CONFIG')).toBe(true);
    const e = load(new Slow({ name: 't' }), {
      engine: 'worker-based',
      exchange: 'x',
      topics: ['sig'],
      transport: 'memory',
      signing_key: KEY,
    } as never);
    expect(e.signingStats?.signed).toBe(0);
    expect(
      load(new Slow({ name: 't' }), { engine: 'worker-based', exchange: 'x', topics: ['sig'], transport: 'memory' }).signingStats,
    ).toBeUndefined();
  });
});
