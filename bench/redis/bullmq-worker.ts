/**
 * A BullMQ 5 worker process for the comparison: trivial jobs (return 1), like bench.Noop.
 *   node --import tsx bench/redis/bullmq-worker.ts <url> <queue> <prefix> <concurrency>
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const [url, queue, prefix, concurrency] = process.argv.slice(2) as [string, string, string, string];
const connection = new Redis(url, { maxRetriesPerRequest: null });
const worker = new Worker(queue, async () => 1, { connection, prefix, concurrency: Number(concurrency) });
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void worker.close().then(() => {
    connection.disconnect();
    process.exit(0);
  });
});
