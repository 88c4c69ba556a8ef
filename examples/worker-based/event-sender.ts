/**
 * Like TaskFlow's wbe_event_sender example: tasks on a worker report progress, and the
 * engine's listeners see it as if the tasks ran locally.
 *
 *   pnpm --filter @tf/example-worker-based event-sender
 */
import { unorderedFlow } from '@tf/core';
import { load } from '@tf/engine';
import { Worker } from '@tf/worker';
import { EventSender } from './tasks';

const conf = { exchange: 'events', transport: 'memory' } as const;
const worker = new Worker({ ...conf, topic: 'senders', tasks: [EventSender], concurrency: 2 });
await worker.start();
try {
  const flow = unorderedFlow('senders').add(
    new EventSender({ name: 'sender-a', provides: 'a' }),
    new EventSender({ name: 'sender-b', provides: 'b' }),
  );
  const engine = load(flow, { ...conf, engine: 'worker-based', topics: ['senders'], store: { steps: 5 } });
  engine.atomNotifier.on('update_progress', (_event, d) => {
    const pct = Math.round((d.progress ?? 0) * 100);
    console.log(`${d.atomName.padEnd(9)} ${'#'.repeat(pct / 5).padEnd(20, '.')} ${pct}%  ${JSON.stringify(d.details)}`);
  });
  engine.atomNotifier.on('SUCCESS', (_event, d) => console.log(`${d.atomName} done: ${JSON.stringify(d.result)}`));
  await engine.run();
} finally {
  await worker.stop();
}
