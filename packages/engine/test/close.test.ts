/**
 * `engine.close()` and `await using`: what an engine holds is released, once, and a closed
 * engine refuses to run. `run(flow, options)` closes what it opened however it ends.
 * (That a process can then exit is shown with child processes in exit.test.ts.)
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type ConsumeOptions, type DeliveryHandler, Task, TfError, linearFlow, registerTransport } from '@tf/core';
import { type Engine, load, run, type WorkerBasedEngine, type WorkerBasedLoadOptions } from '@tf/engine';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';

class Remote extends Task {
  static override taskName = 'remote.Task';
  override execute(): never {
    throw new Error('runs on a worker, never here');
  }
}

class Local extends Task<Record<string, never>, number> {
  override execute(): number {
    return 7;
  }
}

/** Memory transports created by the `close-probe` transport name, to look at after the fact. */
const created: MemoryTransport[] = [];
let failConsume = false;

class ProbeTransport extends MemoryTransport {
  override consume(exchange: string, topic: string, handler: DeliveryHandler, options?: ConsumeOptions) {
    if (failConsume) return Promise.reject(new TfError('TF_PROBE', 'consume refused'));
    return super.consume(exchange, topic, handler, options);
  }
}

const unregister: (() => void)[] = [];
unregister.push(
  registerTransport({
    name: 'close-probe',
    options: [],
    create: ({ retryOptions, logger }) => {
      const transport = new ProbeTransport({ retryOptions, logger });
      created.push(transport);
      return transport;
    },
  }),
);

afterEach(() => {
  failConsume = false;
  created.splice(0);
});

let counter = 0;
const remoteOptions = (extra: Partial<WorkerBasedLoadOptions> = {}): WorkerBasedLoadOptions => ({
  engine: 'worker-based',
  exchange: `close-${process.pid}-${++counter}`,
  topics: ['jobs'],
  transport: 'close-probe',
  ...extra,
});
const remoteFlow = () => linearFlow('f').add(new Remote({ name: 'remote' }));

describe('engine.close()', () => {
  it('releases the connection waitForWorkers opened; idempotent', async () => {
    const options = remoteOptions();
    const engine: WorkerBasedEngine = load(remoteFlow(), options);
    expect(await engine.waitForWorkers(1, 50)).toBe(0);
    expect(created).toHaveLength(1);
    expect(created[0]!.state).toBe('connected');
    expect(memoryBroker.stats(options.exchange, engine.executor.uuid).consumers).toBe(1);

    const first = engine.close();
    expect(engine.close()).toBe(first);
    await first;
    expect(engine.closed).toBe(true);
    expect(created[0]!.state).toBe('closed');
    expect(engine.executor.transport).toBeUndefined();
    expect(memoryBroker.stats(options.exchange, engine.executor.uuid).consumers).toBe(0);
    await engine.close();
  });

  it('ends a pending waitForWorkers at once, and refuses run() and waitForWorkers() afterwards', async () => {
    const engine = load(remoteFlow(), remoteOptions());
    const started = Date.now();
    const waiting = engine.waitForWorkers(1, 20_000);
    // Closed while it connects and waits: it resolves with the count, long before 20 s.
    await engine.close();
    expect(await waiting).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(created.every((t) => t.state === 'closed')).toBe(true);
    await expect(engine.run()).rejects.toMatchObject({ code: 'TF_INVALID_STATE' });
    await expect(engine.waitForWorkers(1, 10)).rejects.toMatchObject({ code: 'TF_INVALID_STATE' });
  });

  it('cuts a run short: requests in flight fail with TF_ENGINE_STOPPED', async () => {
    const engine = load(remoteFlow(), remoteOptions({ transitionTimeoutMs: null }));
    const outcome = engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    await engine.waitForWorkers(1, 50);
    await engine.close();
    const error = await outcome;
    expect(TfError.is(error, 'TF_ENGINE_STOPPED')).toBe(true);
    expect(error).toMatchObject({ name: 'EngineStoppedError', atomName: 'remote', state: 'WAITING' });
    // It never reached a worker: reverted here, not sent to one.
    expect(engine.storage.getState('remote')).toBe('REVERTED');
    expect(created.every((t) => t.state === 'closed')).toBe(true);
  });

  it('works for the local engines too, and with `await using`', async () => {
    let outer: Engine | undefined;
    {
      await using engine = load(linearFlow('l').add(new Local({ provides: 'y' })), { engine: 'parallel' });
      outer = engine;
      await engine.run();
      expect(engine.storage.fetch('y')).toBe(7);
      expect(engine.closed).toBe(false);
    }
    expect(outer.closed).toBe(true);
    // Storage stays readable; running again does not.
    expect(outer.storage.fetch('y')).toBe(7);
    await expect(outer.run()).rejects.toMatchObject({ code: 'TF_INVALID_STATE' });
  });

  it('closes a worker-based engine at the end of an `await using` block', async () => {
    let transport: MemoryTransport | undefined;
    {
      await using engine = load(remoteFlow(), remoteOptions());
      await engine.waitForWorkers(1, 20);
      transport = created[0];
      expect(transport?.state).toBe('connected');
    }
    expect(transport?.state).toBe('closed');
  });
});

describe('run(flow, options)', () => {
  it('closes what it opened when the flow fails', async () => {
    await expect(run(remoteFlow(), remoteOptions({ transitionTimeoutMs: 100 }))).rejects.toMatchObject({ code: 'TF_REQUEST_TIMEOUT' });
    expect(created).toHaveLength(1);
    expect(created[0]!.state).toBe('closed');
  });

  it('closes what it opened when starting throws, and reports that error', async () => {
    failConsume = true;
    await expect(run(remoteFlow(), remoteOptions())).rejects.toMatchObject({ code: 'TF_PROBE' });
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(created.every((t) => t.state === 'closed')).toBe(true);
  });

  it('returns every value on success (local engine)', async () => {
    await expect(run(linearFlow('l').add(new Local({ provides: 'y' })))).resolves.toEqual({ y: 7 });
  });
});

afterAll(() => {
  for (const off of unregister) off();
});
