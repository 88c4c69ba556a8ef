/**
 * Tasks marked `local` on the worker-based engine, over the memory transport with a real
 * `Worker` that allow-lists only the remote classes: local atoms run in this process through
 * the local executor (results, progress and state events, retries, revert order across local
 * and remote atoms), are never sent (no request event names them), and need no worker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CapturingListener, Task, Times, defineTask, functorTask, linearFlow, unorderedFlow, type RevertContext } from '@tf/core';
import { load, REQUEST_STATE_EVENT, type RequestEventDetails, type WorkerBasedEngine } from '@tf/engine';
import { Worker } from '@tf/worker';

/** What the tasks did, in order, and in which role ('remote' tasks run on the worker). */
const calls: string[] = [];

class Remote extends Task<{ x: number }, number> {
  static override taskName = 'local-tasks.Remote';
  static override requires = ['x'];
  override execute({ x }: { x: number }): number {
    calls.push(`${this.name}.execute(${x})`);
    return x + 1;
  }
  override revert({ x }: { x: number }, { result }: RevertContext<number>): void {
    calls.push(`${this.name}.revert(${x}, ${JSON.stringify(result)})`);
  }
}

/** The same work, run in the engine: marked on the class. No worker allow-lists it. */
class Home extends Remote {
  static override taskName = 'local-tasks.Home';
  static override local = true;
}

class RemoteFail extends Task {
  static override taskName = 'local-tasks.RemoteFail';
  override execute(): never {
    calls.push(`${this.name}.execute`);
    throw new Error('remote boom');
  }
}

/** Fails its first two executions (counted in `calls`), then returns 'ok'; reports progress. */
const FlakyHome = defineTask({
  name: 'local-tasks.FlakyHome',
  local: true,
  execute() {
    calls.push(`${this.name}.execute`);
    this.updateProgress(0.5);
    const runs = calls.filter((c) => c === `${this.name}.execute`).length;
    if (runs < 3) throw new Error(`flaky ${runs}`);
    return 'ok';
  },
  revert() {
    calls.push(`${this.name}.revert`);
  },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  calls.length = 0;
});

let counter = 0;
const newExchange = () => `local-tasks-${process.pid}-${++counter}`;

async function startWorker(exchange: string): Promise<Worker> {
  const worker = new Worker({ exchange, topic: 'remote', tasks: [Remote, RemoteFail], transport: 'memory', concurrency: 4 });
  await worker.start();
  cleanups.push(() => worker.stop({ timeoutMs: 0 }));
  return worker;
}

function engineFor(exchange: string, flow: Parameters<typeof load>[0], store: Record<string, unknown> = {}): WorkerBasedEngine {
  const engine = load(flow, {
    engine: 'worker-based',
    exchange,
    topics: ['remote'],
    transport: 'memory',
    notifyIntervalMs: 1_000,
    transitionTimeoutMs: 5_000,
    noWorkerWarningMs: 100,
    store,
  });
  cleanups.push(() => engine.close());
  return engine;
}

/** The atoms the engine sent a request for (each PENDING event). */
function sentAtoms(engine: WorkerBasedEngine): string[] {
  const sent: string[] = [];
  engine.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details: RequestEventDetails) => {
    if (details.state === 'PENDING') sent.push(details.atomName);
  });
  return sent;
}

describe('worker-based engine: local tasks', () => {
  it('a mixed flow: local atoms run here, remote ones on the worker; results flow between them', async () => {
    const exchange = newExchange();
    await startWorker(exchange);
    const flow = linearFlow('mixed').add(
      new Remote({ name: 'r1', provides: 'a' }),
      new Home({ name: 'h1', rebind: { x: 'a' }, provides: 'b' }),
      new Remote({ name: 'r2', rebind: { x: 'b' }, provides: 'c' }),
      new Remote({ name: 'h2', rebind: { x: 'c' }, provides: 'd', local: true }),
      functorTask(({ d }: { d: number }) => d * 10, { name: 'h3', requires: ['d'], provides: 'e', local: true }),
    );
    const engine = engineFor(exchange, flow, { x: 1 });
    const sent = sentAtoms(engine);
    await engine.run();
    expect(engine.storage.fetchAll()).toEqual({ x: 1, a: 2, b: 3, c: 4, d: 5, e: 50 });
    expect(calls).toEqual(['r1.execute(1)', 'h1.execute(2)', 'r2.execute(3)', 'h2.execute(4)']);
    // Only the remote atoms were sent; the instance option made a remote class local.
    expect(sent).toEqual(['r1', 'r2']);
    expect(engine.storage.getStates()).toEqual({ r1: 'SUCCESS', h1: 'SUCCESS', r2: 'SUCCESS', h2: 'SUCCESS', h3: 'SUCCESS' });
  });

  it('the local option on an instance wins over the class: a local class made remote goes to a worker', async () => {
    const exchange = newExchange();
    const worker = new Worker({ exchange, topic: 'remote', tasks: [Home], transport: 'memory' });
    await worker.start();
    cleanups.push(() => worker.stop({ timeoutMs: 0 }));
    const engine = engineFor(exchange, linearFlow('f').add(new Home({ name: 'away', provides: 'y', local: false })), { x: 1 });
    const sent = sentAtoms(engine);
    await engine.run();
    expect(engine.storage.fetch('y')).toBe(2);
    expect(sent).toEqual(['away']);
  });

  it('reverts in reverse order across local and remote atoms, each with its own result', async () => {
    const exchange = newExchange();
    await startWorker(exchange);
    const flow = linearFlow('reverting').add(
      new Remote({ name: 'r1', provides: 'a' }),
      new Home({ name: 'h1', rebind: { x: 'a' }, provides: 'b' }),
      new Remote({ name: 'r2', rebind: { x: 'b' }, provides: 'c' }),
      new Home({ name: 'h2', rebind: { x: 'c' }, provides: 'd' }),
      new RemoteFail({ name: 'fail' }),
    );
    const engine = engineFor(exchange, flow, { x: 1 });
    const error = await engine.run().catch((e: unknown) => e);
    expect((error as Error).message).toBe('remote boom');
    expect(calls).toEqual([
      'r1.execute(1)',
      'h1.execute(2)',
      'r2.execute(3)',
      'h2.execute(4)',
      'fail.execute',
      'h2.revert(4, 5)',
      'r2.revert(3, 4)',
      'h1.revert(2, 3)',
      'r1.revert(1, 2)',
    ]);
    expect(engine.storage.flowState).toBe('REVERTED');
    expect(engine.storage.getStates()).toEqual({ r1: 'REVERTED', h1: 'REVERTED', r2: 'REVERTED', h2: 'REVERTED', fail: 'REVERTED' });
  });

  it('retries a local task under its flow retry controller, with its state and progress events', async () => {
    const exchange = newExchange();
    await startWorker(exchange);
    const flow = linearFlow('retrying', { retry: new Times({ attempts: 3, name: 'again' }) }).add(
      new Remote({ name: 'r1', provides: 'a' }),
      new FlakyHome({ name: 'flaky', provides: 'outcome' }),
    );
    const engine = engineFor(exchange, flow, { x: 1 });
    const sent = sentAtoms(engine);
    const listener = new CapturingListener({ progress: true }).attach(engine);
    await engine.run();
    expect(engine.storage.fetch('outcome')).toBe('ok');
    expect(engine.storage.getHistory('again').length).toBe(3);
    // Each failed attempt reverted the flow (the local atom, then the remote one) and ran it again.
    expect(calls).toEqual([
      'r1.execute(1)',
      'flaky.execute',
      'flaky.revert',
      'r1.revert(1, 2)',
      'r1.execute(1)',
      'flaky.execute',
      'flaky.revert',
      'r1.revert(1, 2)',
      'r1.execute(1)',
      'flaky.execute',
    ]);
    expect(sent.filter((a) => a === 'flaky')).toEqual([]);
    const flakyEvents = listener.values.filter((v) => v.startsWith('flaky '));
    expect(flakyEvents.filter((v) => v === 'flaky RUNNING').length).toBe(3);
    expect(flakyEvents.filter((v) => v === 'flaky FAILURE').length).toBe(2);
    expect(flakyEvents.filter((v) => v === 'flaky progress 0.5').length).toBe(3);
    expect(engine.storage.getState('flaky')).toBe('SUCCESS');
  });

  it('a flow of local tasks needs no worker: nothing waits for one, nothing warns', async () => {
    const exchange = newExchange();
    // No worker anywhere on this exchange.
    const flow = unorderedFlow('alone').add(
      new Home({ name: 'h1', provides: 'a' }),
      new Home({ name: 'h2', provides: 'b' }),
      functorTask(async ({ x }: { x: number }) => x * 2, { name: 'h3', requires: ['x'], provides: 'c', local: true }),
    );
    const engine = engineFor(exchange, flow, { x: 1 });
    const warnings: string[] = [];
    engine.workerNotifier.on('no_capable_worker', (_event, details) => warnings.push(details.taskName));
    await engine.run();
    expect(engine.storage.fetchAll()).toEqual({ x: 1, a: 2, b: 2, c: 2 });
    expect(engine.executor.workers.size).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('a remote atom of a mixed flow still waits for its worker, and the local ones around it run', async () => {
    const exchange = newExchange();
    const flow = linearFlow('late-worker').add(
      new Home({ name: 'h1', provides: 'a' }),
      new Remote({ name: 'r1', rebind: { x: 'a' }, provides: 'b' }),
    );
    const engine = engineFor(exchange, flow, { x: 1 });
    const warned: string[] = [];
    engine.workerNotifier.on('no_capable_worker', (_event, details) => warned.push(details.taskName));
    const running = engine.run();
    await expect.poll(() => warned, { timeout: 5_000 }).toEqual(['local-tasks.Remote']);
    expect(calls).toEqual(['h1.execute(1)']);
    await startWorker(exchange);
    await running;
    expect(engine.storage.fetch('b')).toBe(3);
  });
});
