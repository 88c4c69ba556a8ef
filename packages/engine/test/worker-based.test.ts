/**
 * The semantic suite of the local engines, unchanged, on the worker-based engine: every
 * task runs on one of two `Worker`s reached through the memory transport.
 */
import { Worker } from '@tf/worker';
import { engineSemantics } from './semantics/suite';
import { allTasks } from './semantics/tasks';

const exchange = `semantics-${process.pid}`;
const workers: Worker[] = [];

engineSemantics({
  name: 'worker-based (2 workers, memory transport)',
  options: () => ({
    engine: 'worker-based',
    exchange,
    topics: ['semantics-a', 'semantics-b'],
    transport: 'memory',
    notifyIntervalMs: 1_000,
    transitionTimeoutMs: 10_000,
  }),
  concurrent: true,
  remote: true,
  setup: async () => {
    for (const topic of ['semantics-a', 'semantics-b']) {
      const worker = new Worker({ exchange, topic, tasks: allTasks, transport: 'memory', concurrency: 4 });
      await worker.start();
      workers.push(worker);
    }
  },
  teardown: async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  },
});
