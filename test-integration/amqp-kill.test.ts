/**
 * Fault tolerance on RabbitMQ: two `tf-worker` processes share a topic (TaskFlow's default
 * topology: one non-durable, auto-delete queue `<exchange>_<topic>`), and one is killed with
 * SIGKILL in the middle of a task. The broker hands what the dead worker held (unacked) to the
 * survivor, and the flow completes with every result. (Python TaskFlow's engine waits forever
 * here: the request was RUNNING, so its transition timeout no longer applies.)
 */
import { afterEach, expect, it } from 'vitest';
import { load } from '@tf/engine';
import { fixtureWorkerArgs, killAtFirstProgress, startWorker, type WorkerProcess } from './helpers';
import { AMQP_URL, describeWith, uniqueName } from './services';
import { expectEverySquare, squaresFlow } from './fixtures/flows';

let workers: WorkerProcess[] = [];

afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
});

await describeWith(['rabbitmq'], 'amqp transport: a tf-worker killed with SIGKILL mid-task', () => {
  it('completes the flow with every result; the survivor does the dead worker’s tasks', async () => {
    const exchange = uniqueName('it-amqp-kill');
    const topic = 'squares';
    const args = fixtureWorkerArgs(['--transport', 'amqp', '--url', AMQP_URL], exchange, topic, ['--concurrency', '2']);
    // Each is stopped after the test even if the other fails to start.
    const started = await Promise.allSettled([startWorker(args), startWorker(args)]);
    for (const s of started) if (s.status === 'fulfilled') workers.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const [victim, survivor] = workers as [WorkerProcess, WorkerProcess];
    const { flow, names } = squaresFlow(8);
    const engine = load(flow, {
      engine: 'worker-based',
      url: AMQP_URL,
      transport: 'amqp',
      exchange,
      topics: [topic],
      transitionTimeoutMs: 60_000,
      store: { ms: 1_500 },
    });
    const kill = killAtFirstProgress(engine, victim);
    expect(await engine.waitForWorkers(1, 30_000)).toBe(1);
    const t0 = Date.now();
    await engine.run();
    const took = Date.now() - t0;
    await kill.exited();

    const killedDuring = kill.killedDuring;
    expect(killedDuring).toBeDefined();
    expect(victim.child.signalCode).toBe('SIGKILL');
    expect(engine.storage.flowState).toBe('SUCCESS');
    const pids = expectEverySquare(engine.storage.fetchAll(), names);
    // The task running on the victim when it died was done again, by the survivor.
    expect(pids.get(killedDuring!)).toBe(survivor.pid);
    expect(kill.startedBy.get(survivor.pid)?.has(killedDuring!)).toBe(true);
    // Every result came from a live process at the time: none from the victim after its death
    // (it was killed at the first progress it reported, so it finished nothing).
    for (const name of names) expect(pids.get(name)).toBe(survivor.pid);
    // Redelivery is immediate (the broker sees the dead connection), not a timeout.
    expect(took).toBeLessThan(30_000);
  });
});
