/** The worker-based engine's request events: where each task's request went and which worker ran it. */
import { Task, unorderedFlow } from '@tf/core';
import { Worker } from '@tf/worker';
import { afterEach, describe, expect, it } from 'vitest';
import { load, REQUEST_STATE_EVENT, type RequestEventDetails } from '../src/index';

class Double extends Task<{ x: number }, number> {
  static override taskName = 'events.Double';
  override execute({ x }: { x: number }): number {
    return 2 * x;
  }
}

const exchange = `request-events-${process.pid}`;
const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

describe('requestNotifier', () => {
  it('tells, for each task, the topic its request was sent to, then the worker that runs it', async () => {
    for (const topic of ['ev-a', 'ev-b']) {
      const worker = new Worker({ exchange, topic, tasks: [Double], transport: 'memory', concurrency: 2 });
      await worker.start();
      workers.push(worker);
    }
    const flow = unorderedFlow('doubles').add(...Array.from({ length: 6 }, (_, i) => new Double({ name: `d${i}`, inject: { x: i } })));
    await using engine = load(flow, { engine: 'worker-based', exchange, topics: ['ev-a', 'ev-b'], transport: 'memory' });
    const events: RequestEventDetails[] = [];
    const off = engine.requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => events.push(details));
    await engine.waitForWorkers(2, 10_000);
    await engine.run();
    off();
    const workerIds = new Set(workers.map((w) => w.id));
    for (let i = 0; i < 6; i++) {
      const mine = events.filter((e) => e.atomName === `d${i}`);
      expect(mine.map((e) => e.state)).toEqual(['PENDING', 'RUNNING']);
      expect(['ev-a', 'ev-b']).toContain(mine[0]!.topic);
      expect(mine[1]).toMatchObject({ taskName: 'events.Double', attempt: 1, topic: mine[0]!.topic });
      expect(workerIds.has(mine[1]!.worker!)).toBe(true);
    }
  });
});
