/**
 * A BullMQ 5 worker process for the stalled-job failover benchmark (see bullmq-stalled.ts):
 * concurrency 1, each job sleeps `taskMs` and returns this worker's name.
 *   node --import tsx bench/failover/bullmq-stalled-worker.ts <url> <queue> <prefix> <name> <taskMs> <default|tightest> [hold]
 * Prints `ready` once connected, then `started <jobId> <epoch ms>` when a job starts and
 * `finished <jobId> <epoch ms>` when its processor returns (one line each, on stdout).
 * With `hold`, the worker connects but takes no job until it reads a `run` line on stdin (it then
 * prints `running`); a `check` line starts its stalled-job checker before that (it prints
 * `checking`), as in a worker that has been up for a while.
 */
import { Worker, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { stalledSettings, type StalledSettings } from './bullmq-settings';

const [url, queue, prefix, name, taskMs, settings, hold] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  StalledSettings,
  string | undefined,
];
if (settings !== 'default' && settings !== 'tightest') throw new Error(`settings must be default or tightest, not ${settings}`);
const sleepMs = Number(taskMs);
const connection = new Redis(url, { maxRetriesPerRequest: null });
const options: WorkerOptions = { connection, prefix, concurrency: 1, autorun: hold !== 'hold', ...stalledSettings[settings] };
const worker = new Worker(
  queue,
  async (job) => {
    process.stdout.write(`started ${job.id} ${Date.now()}\n`);
    await new Promise((resolve) => setTimeout(resolve, sleepMs));
    process.stdout.write(`finished ${job.id} ${Date.now()}\n`);
    return name;
  },
  options,
);
worker.on('error', (err) => process.stderr.write(`[bullmq worker ${name}] ${err.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
if (hold === 'hold') {
  let input = '';
  let checking = false;
  process.stdin.on('data', (c: Buffer) => {
    input += c.toString();
    if (input.includes('check\n') && !checking) {
      checking = true;
      void worker.startStalledCheckTimer().then(() => process.stdout.write('checking\n'));
    }
    if (input.includes('run\n') && !worker.isRunning()) {
      worker.run().catch((err: unknown) => process.stderr.write(`[bullmq worker ${name}] run: ${String(err)}\n`));
      process.stdout.write('running\n');
    }
  });
}
process.on('SIGTERM', () => {
  void worker.close().then(() => {
    connection.disconnect();
    process.exit(0);
  });
});
