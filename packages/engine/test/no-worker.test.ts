/**
 * The worker-based engine with no worker for a task: an early warning (a warn log line and a
 * `no_capable_worker` event), a timeout after `transitionTimeoutMs` (not twice that), and a
 * timeout error that says where the engine looked. Memory transport, nothing else needed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Flow, Task, TfError, linearFlow, type Logger, type TransportSelection, unorderedFlow } from '@tf/core';
import { NO_CAPABLE_WORKER_EVENT, load, type NoCapableWorkerDetails, type WorkerBasedEngine } from '@tf/engine';
import { MemoryTransport } from '@tf/transport-memory';
import { workerHint } from '../src/worker-based/worker-hint';

class Remote extends Task<{ x: number }, number> {
  static override taskName = 'remote.Task';
  static override requires = ['x'];
  override execute(): number {
    throw new Error('runs on a worker, never here');
  }
}

/** A pino-shaped logger that keeps its warn lines. */
function warnings(): { logger: Logger; lines: { obj: unknown; msg: string; at: number }[] } {
  const lines: { obj: unknown; msg: string; at: number }[] = [];
  const noop = () => {};
  return {
    lines,
    logger: { trace: noop, debug: noop, info: noop, error: noop, warn: (obj, msg = '') => lines.push({ obj, msg, at: Date.now() }) },
  };
}

/** Resolves with the first event's details, or rejects after `ms`. */
function nextEvent(engine: WorkerBasedEngine, ms: number): Promise<{ details: NoCapableWorkerDetails; at: number }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${NO_CAPABLE_WORKER_EVENT} event within ${ms} ms`)), ms);
    const off = engine.workerNotifier.on(NO_CAPABLE_WORKER_EVENT, (_event, details) => {
      clearTimeout(timer);
      off();
      resolve({ details, at: Date.now() });
    });
  });
}

let counter = 0;
const newExchange = () => `no-worker-${process.pid}-${++counter}`;
const engines: WorkerBasedEngine[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((engine) => engine.close()));
});

function engineFor(
  exchange: string,
  extra: Record<string, unknown> = {},
  flow: Flow = linearFlow('f').add(new Remote({ name: 'remote', provides: 'y' })),
) {
  const { logger, lines } = warnings();
  const engine = load(flow, {
    engine: 'worker-based',
    exchange,
    topics: ['jobs', 'spare'],
    transport: 'memory',
    store: { x: 1 },
    logger,
    ...extra,
  });
  engines.push(engine);
  return { engine, lines };
}

describe('worker-based engine: a task no worker serves', () => {
  it('warns within a few seconds (default 5 s), naming the task, topics, exchange and a worker to start; and sends an event', async () => {
    const exchange = newExchange();
    const { engine, lines } = engineFor(exchange);
    const started = Date.now();
    const event = nextEvent(engine, 8_000);
    const outcome = engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    const { details, at } = await event;
    // The default bound: 5 s, checked every second.
    expect(at - started).toBeGreaterThanOrEqual(5_000);
    expect(at - started).toBeLessThan(7_500);
    expect(details).toMatchObject({
      taskName: 'remote.Task',
      atomName: 'remote',
      action: 'execute',
      flowUuid: engine.executor.uuid,
      exchange,
      topics: ['jobs', 'spare'],
      transport: 'memory',
      workers: [],
    });
    expect(details.waitedMs).toBeGreaterThanOrEqual(5_000);
    expect(details.hint).toContain(`new Worker({ exchange: '${exchange}', topic: 'jobs', tasks: [Remote] })`);
    expect(details.hint).toContain(`tf-worker --exchange ${exchange} --topic jobs --tasks <module>:Remote --url <broker-url>`);

    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(line!.at - started).toBeLessThan(7_500);
    expect(line!.msg).toContain("No worker serves task 'remote.Task' (atom 'remote', execute)");
    expect(line!.msg).toContain(`asked topic(s) 'jobs', 'spare' on exchange '${exchange}'`);
    expect(line!.msg).toContain('No worker answered.');
    expect(line!.msg).toContain(details.hint);
    expect(line!.obj).toMatchObject({ task: 'remote.Task', atom: 'remote', exchange, topics: ['jobs', 'spare'], hint: details.hint });

    // Closing the engine ends the run at once; the task never reached a worker, so it reverts here.
    await engine.close();
    const error = await outcome;
    expect(TfError.is(error, 'TF_ENGINE_STOPPED')).toBe(true);
    expect(engine.storage.getState('remote')).toBe('REVERTED');
  }, 20_000);

  it('fails after transitionTimeoutMs, not twice that: the revert of a task that never ran is local', async () => {
    const exchange = newExchange();
    const { engine } = engineFor(exchange, { transitionTimeoutMs: 1_500 });
    const started = Date.now();
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    const elapsed = Date.now() - started;
    expect(TfError.is(error, 'TF_REQUEST_TIMEOUT')).toBe(true);
    expect((error as Error).name).toBe('RequestTimeoutError');
    expect((error as Error).message).toBe(
      "Request to find a worker for task 'remote' (remote.Task) timed out after 1500 ms in state WAITING: " +
        `no worker serving it answered on exchange '${exchange}', topic(s) 'jobs', 'spare'`,
    );
    expect(elapsed).toBeGreaterThanOrEqual(1_500);
    expect(elapsed).toBeLessThan(3_000);
    expect(engine.storage.getState('remote')).toBe('REVERTED');
  }, 10_000);

  it('warns at the latest when the request times out, lists the workers that did answer, once per task', async () => {
    const exchange = newExchange();
    // A worker on 'jobs' that serves something else.
    const worker = new MemoryTransport();
    await worker.connect();
    await worker.consume(exchange, 'jobs', async (delivery) => {
      if (delivery.properties.type === 'NOTIFY') {
        await worker.publish(exchange, delivery.properties.replyTo!, JSON.stringify({ topic: 'jobs', tasks: ['other.Task'] }), {
          type: 'NOTIFY',
        });
      }
      await delivery.ack();
    });
    const flow = unorderedFlow('u').add(new Remote({ name: 'a', provides: 'ya' }), new Remote({ name: 'b', provides: 'yb' }));
    const { engine, lines } = engineFor(exchange, { transitionTimeoutMs: 400, noWorkerWarningMs: 60_000, maxWorkers: 2 }, flow);
    const seen: NoCapableWorkerDetails[] = [];
    engine.workerNotifier.on(NO_CAPABLE_WORKER_EVENT, (_e, d) => seen.push(d));
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    await worker.close();
    // Two requests for one task: one warning, before the timeouts.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ taskName: 'remote.Task', workers: [{ topic: 'jobs', tasks: ['other.Task'] }] });
    expect(lines[0]!.msg).toContain("Workers that answered serve other tasks: 'jobs' (other.Task).");
    // Both requests timed out; neither reached a worker, so both reverted here.
    expect(TfError.is(error)).toBe(true);
    expect(engine.storage.getState('a')).toBe('REVERTED');
    expect(engine.storage.getState('b')).toBe('REVERTED');
  });

  it('says nothing when noWorkerWarningMs is null', async () => {
    const { engine, lines } = engineFor(newExchange(), { transitionTimeoutMs: 300, noWorkerWarningMs: null });
    const seen: unknown[] = [];
    engine.workerNotifier.on('*', (_e, d) => seen.push(d));
    await expect(engine.run()).rejects.toMatchObject({ code: 'TF_REQUEST_TIMEOUT' });
    expect(seen).toEqual([]);
    expect(lines).toEqual([]);
  });

  it('refuses a bad noWorkerWarningMs', () => {
    expect(() => engineFor(newExchange(), { noWorkerWarningMs: 0 })).toThrow(/noWorkerWarningMs/);
  });
});

describe('the hint: how to start a worker for the task', () => {
  const hint = (selection: TransportSelection, exportName: string | null = 'AddOne') =>
    workerHint({ exchange: 'ex', topic: 'jobs', exportName: exportName ?? undefined, selection });

  it('gives a tf-worker command line with the transport flags', () => {
    expect(hint({ transport: 'filesystem', transportOptions: { dataFolder: '/tmp/q 1' } })).toBe(
      `tf-worker --exchange ex --topic jobs --tasks <module>:AddOne --transport filesystem --transport-options '{"dataFolder":"/tmp/q 1"}' ` +
        '(<module>: the file or package that exports the task class)',
    );
    // Quoted for a POSIX shell: `*` would glob.
    expect(hint({ url: 'amqp://guest:secret@localhost:5672//' })).toContain(
      "tf-worker --exchange ex --topic jobs --tasks <module>:AddOne --url 'amqp://guest:***@localhost:5672//' (",
    );
    expect(hint({ transport: 'redis', url: 'redis://127.0.0.1:6379', transportOptions: { tls: { key: 'k' }, keyPrefix: 'x:' } })).toContain(
      `--url redis://127.0.0.1:6379 --transport redis --transport-options '{"tls":"***","keyPrefix":"x:"}'`,
    );
  });

  it('names the export when the class name cannot be it, and says what memory needs', () => {
    expect(hint({ transport: 'amqp' }, null)).toContain('--tasks <module>:<ExportName> --transport amqp');
    expect(hint({})).toMatch(/^the memory transport reaches workers in this process only/);
  });

  it('masks only the password of a URL, up to its last @, and secret query values', () => {
    expect(hint({ url: 'amqp://user:p%40ss@host:5672/vhost' })).toContain(`--url 'amqp://user:***@host:5672/vhost' `);
    expect(hint({ url: 'redis://user:p@ss@host:6379' })).toContain(`--url 'redis://user:***@host:6379' `);
    expect(hint({ url: 'amqp://u:a@b@c@host' })).toContain(`--url 'amqp://u:***@host' `);
    expect(hint({ url: 'redis://:secret@host?password=x' })).toContain(`--url 'redis://:***@host?password=***' `);
    expect(hint({ url: 'redis://host:6379' })).toContain('--url redis://host:6379 ');
  });
});
