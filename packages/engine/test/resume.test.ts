/** Resumption on the serial, parallel and worker-based engines (two workers over the memory transport). */
import { Worker } from '@tf/worker';
import { resumeSemantics, resumeTasks } from './resume/suite';
import { allTasks } from './semantics/tasks';

resumeSemantics({ name: 'serial', options: () => ({ engine: 'serial' }) });
resumeSemantics({ name: 'parallel', options: () => ({ engine: 'parallel' }) });

const exchange = `resume-${process.pid}`;
const workers: Worker[] = [];
resumeSemantics({
  name: 'worker-based (2 workers, memory transport)',
  options: () => ({
    engine: 'worker-based',
    exchange,
    topics: ['resume-a', 'resume-b'],
    transport: 'memory',
    notifyIntervalMs: 1_000,
    transitionTimeoutMs: 10_000,
  }),
  setup: async () => {
    for (const topic of ['resume-a', 'resume-b']) {
      const worker = new Worker({ exchange, topic, tasks: [...allTasks, ...resumeTasks], transport: 'memory', concurrency: 4 });
      await worker.start();
      workers.push(worker);
    }
  },
  teardown: async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop()));
  },
});
