/**
 * TaskFlow's wbe_simple_linear example: a linear flow of two tasks run by two workers.
 * The seed's configuration is used as written (snake_case keys and all).
 *
 *   pnpm --filter @tf/example-worker-based simple-linear                 # in-process workers, memory transport
 *   pnpm --filter @tf/example-worker-based simple-linear -- --filesystem # the filesystem transport
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearFlow } from '@tf/core';
import { load } from '@tf/engine';
import { Worker } from '@tf/worker';
import { TaskMultiArgOneReturn, TaskOneArgOneReturn } from './tasks';

const useFilesystem = process.argv.includes('--filesystem');
const folder = useFilesystem ? mkdtempSync(join(tmpdir(), 'wbe-example-')) : undefined;
const sharedConf = {
  exchange: 'taskflow',
  ...(folder
    ? { transport: 'filesystem', transport_options: { data_folder_in: folder, data_folder_out: folder, polling_interval: 0.1 } }
    : { transport: 'memory', transport_options: {} }),
};

const workers: Worker[] = [];
const topics: string[] = [];
try {
  for (let i = 0; i < (useFilesystem ? 1 : 2); i++) {
    const topic = `worker-${i + 1}`;
    const worker = new Worker({ ...sharedConf, topic, tasks: [TaskOneArgOneReturn, TaskMultiArgOneReturn] });
    await worker.start();
    console.log(worker.banner);
    workers.push(worker);
    topics.push(topic);
  }

  const flow = linearFlow('simple-linear').add(
    new TaskOneArgOneReturn({ provides: 'result1' }),
    new TaskMultiArgOneReturn({ provides: 'result2' }),
  );
  const engine = load(flow, { ...sharedConf, engine: 'worker-based', topics, store: { x: 111, y: 222, z: 333 } });
  await engine.run();
  console.log('Executed:', JSON.stringify(engine.storage.fetchAll()));
} finally {
  await Promise.all(workers.map((w) => w.stop()));
  if (folder) rmSync(folder, { recursive: true, force: true });
}
