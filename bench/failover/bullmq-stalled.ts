/**
 * Failover in BullMQ 5: how long a job takes to complete after the worker process holding it is
 * SIGKILLed, when another worker process is there to take it over (through BullMQ's stalled-job
 * check: the dead worker's lock expires, a stalled check moves the job back to wait, the other
 * worker runs it again from the start).
 *
 * Per run, on a fresh queue (obliterated afterwards):
 *   1. worker processes A and B start (bullmq-stalled-worker.ts, concurrency 1); B connects and
 *      runs its stalled-job checker but takes no job until told to, so that A is certain to get
 *      the job;
 *   2. after a random pause in [0, stalledInterval) (so that the kill falls at a random point of
 *      the stalled checks' cycle, as it would in production, rather than at a fixed one), one job
 *      is added; its processor sleeps `taskMs`; A reports on stdout that it started it;
 *   3. B is told to run (and reports it is running), then A is SIGKILLed;
 *   4. recovery = the job's finishedOn (set by B, epoch ms) minus the time of the kill (epoch ms,
 *      same host). The job must end completed, by B.
 * Settings: `default` passes nothing (lockDuration 30000, stalledInterval 30000,
 * maxStalledCount 1, lockRenewTime 15000); `tightest` is lockDuration 1000, stalledInterval
 * 1000, lockRenewTime 500 (see bullmq-settings.ts). Recovery includes the job's own `taskMs`,
 * run again by B.
 *
 *   npx tsx bench/failover/bullmq-stalled.ts --runs 3 [--settings default|tightest] [--task-ms 1500] [--url redis://...]
 * TF_REDIS_URL overrides the default redis://127.0.0.1:6379. Progress goes to stderr; per-run
 * figures and the median to stdout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { deleteKeys } from '../redis-keys';
import { stalledSettings, type StalledSettings } from './bullmq-settings';

export interface RecoveryRun {
  /** From the SIGKILL of the worker holding the job to the job's completion on the other worker. */
  recoveryMs: number;
}

export interface StalledRecoveryOptions {
  runs: number;
  /** How long the job's processor sleeps. */
  taskMs: number;
  settings: StalledSettings;
  /** Default: TF_REDIS_URL, else redis://127.0.0.1:6379. */
  redisUrl?: string;
}

const root = fileURLToPath(new URL('../..', import.meta.url));
const workerScript = 'bench/failover/bullmq-stalled-worker.ts';
const PREFIX = 'bull-failover';
/** BullMQ 5's default stalledInterval (Worker constructor). */
const DEFAULT_STALLED_INTERVAL_MS = 30_000;
/** Bound on a worker process getting ready, and on A starting the job. */
const STARTUP_TIMEOUT_MS = 60_000;
/** Bound on the recovery itself (kill to completion), beyond the job's own taskMs. */
const RECOVERY_TIMEOUT_MS: Record<StalledSettings, number> = { default: 300_000, tightest: 60_000 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`[bullmq-stalled] ${line}\n`);

interface WorkerProcess {
  name: string;
  child: ChildProcess;
  /** The first stdout line starting with `prefix`; rejects if the process exits first or after `timeoutMs`. */
  waitForLine(prefix: string, timeoutMs: number): Promise<string>;
}

function startWorker(name: string, args: string[]): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', workerScript, ...args], {
    cwd: root,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  let partial = '';
  child.stdout!.on('data', (c: Buffer) => {
    partial += c.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts);
    for (const listener of [...listeners]) listener();
  });
  child.once('exit', () => {
    for (const listener of [...listeners]) listener();
  });
  const waitForLine = (prefix: string, timeoutMs: number) =>
    new Promise<string>((resolveLine, reject) => {
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      const check = () => {
        const line = lines.find((l) => l.startsWith(prefix));
        if (line !== undefined) {
          done();
          resolveLine(line);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          done();
          reject(new Error(`worker ${name} exited (${child.exitCode ?? child.signalCode}) before printing "${prefix}"`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`worker ${name} did not print "${prefix}" within ${timeoutMs} ms`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { name, child, waitForLine };
}

/** Sends `signal` (then SIGKILL after 5 s) and waits until the process has exited. */
async function stopWorker(worker: WorkerProcess, signal: NodeJS.Signals): Promise<void> {
  const { child } = worker;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

async function measureOnce(url: string, queueName: string, options: StalledRecoveryOptions): Promise<RecoveryRun> {
  const { taskMs, settings } = options;
  const connection = new Redis(url, { maxRetriesPerRequest: null });
  const eventsConnection = new Redis(url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix: PREFIX });
  const events = new QueueEvents(queueName, { connection: eventsConnection, prefix: PREFIX });
  const workers: WorkerProcess[] = [];
  const args = (name: string) => [url, queueName, PREFIX, name, String(taskMs), settings];
  try {
    await events.waitUntilReady();
    const a = startWorker('A', args('A'));
    workers.push(a);
    const b = startWorker('B', [...args('B'), 'hold']);
    workers.push(b);
    await Promise.all([a.waitForLine('ready', STARTUP_TIMEOUT_MS), b.waitForLine('ready', STARTUP_TIMEOUT_MS)]);
    b.child.stdin!.write('check\n');
    await b.waitForLine('checking', STARTUP_TIMEOUT_MS);
    const pauseMs = Math.floor(Math.random() * (stalledSettings[settings].stalledInterval ?? DEFAULT_STALLED_INTERVAL_MS));
    log(`  pause ${pauseMs} ms before adding the job`);
    await sleep(pauseMs);

    const job = await queue.add('sleep', {});
    const jobId = job.id!;
    let stalledAt: number | undefined;
    let finished = false;
    events.on('stalled', ({ jobId: id }) => {
      if (id === jobId) stalledAt = Date.now();
    });
    events.on('completed', ({ jobId: id }) => {
      if (id === jobId) finished = true;
    });
    events.on('failed', ({ jobId: id }) => {
      if (id === jobId) finished = true;
    });
    await a.waitForLine(`started ${jobId} `, STARTUP_TIMEOUT_MS);

    b.child.stdin!.write('run\n');
    await b.waitForLine('running', STARTUP_TIMEOUT_MS);
    const state = await job.getState();
    if (state !== 'active') throw new Error(`job ${jobId} is ${state}, not active on A, before the kill (taskMs too short?)`);
    const killedAt = Date.now();
    a.child.kill('SIGKILL');

    // Bounded wait for the outcome: QueueEvents, with a poll of the job's state as a backstop.
    const deadline = killedAt + RECOVERY_TIMEOUT_MS[settings] + taskMs;
    let lastPoll = Date.now();
    while (!finished) {
      if (Date.now() > deadline) {
        throw new Error(
          `job ${jobId} not finished ${Date.now() - killedAt} ms after the kill of A (state ${await job.getState()}, settings ${settings})`,
        );
      }
      await sleep(20);
      if (Date.now() - lastPoll >= 1_000) {
        lastPoll = Date.now();
        const s = await job.getState();
        if (s === 'completed' || s === 'failed') finished = true;
      }
    }
    const done = await Job.fromId<Record<string, never>, string>(queue, jobId);
    if (!done) throw new Error(`job ${jobId} disappeared`);
    const finalState = await done.getState();
    if (finalState !== 'completed') throw new Error(`job ${jobId} ended ${finalState}: ${done.failedReason}`);
    if (done.returnvalue !== 'B') throw new Error(`job ${jobId} completed by ${String(done.returnvalue)}, not by B`);
    if (done.finishedOn === undefined) throw new Error(`job ${jobId} has no finishedOn`);
    const bStarted = Number((await b.waitForLine(`started ${jobId} `, 1_000)).split(' ')[2]);
    const recoveryMs = done.finishedOn - killedAt;
    log(
      `  kill -> stalled event ${stalledAt === undefined ? '?' : stalledAt - killedAt} ms, -> B started ${bStarted - killedAt} ms, ` +
        `-> completed ${recoveryMs} ms (stalledCounter ${done.stalledCounter}, attemptsStarted ${done.attemptsStarted})`,
    );
    return { recoveryMs };
  } finally {
    await Promise.all(workers.map((w) => stopWorker(w, w.name === 'A' ? 'SIGKILL' : 'SIGTERM')));
    await events.close().catch((err: unknown) => log(`closing QueueEvents: ${String(err)}`));
    await queue.obliterate({ force: true }).catch((err: unknown) => log(`obliterating ${queueName}: ${String(err)}`));
    await queue.close().catch(() => undefined);
    await deleteKeys(connection, `${PREFIX}:${queueName}:*`).catch((err: unknown) => log(`deleting keys of ${queueName}: ${String(err)}`));
    connection.disconnect();
    eventsConnection.disconnect();
  }
}

/** Runs the failover `runs` times (one fresh queue each) and returns the recovery ms of each run. */
export async function measureBullmqStalledRecovery(options: StalledRecoveryOptions): Promise<number[]> {
  const url = options.redisUrl ?? process.env.TF_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const tag = `${process.pid}-${Date.now().toString(36)}`;
  const results: number[] = [];
  for (let run = 1; run <= options.runs; run++) {
    const queueName = `stalled-${tag}-${run}`;
    log(`run ${run}/${options.runs} (settings ${options.settings}, task ${options.taskMs} ms, queue ${PREFIX}:${queueName})`);
    const { recoveryMs } = await measureOnce(url, queueName, options);
    log(`run ${run}/${options.runs}: recovery ${recoveryMs} ms`);
    results.push(recoveryMs);
  }
  return results;
}

function describeSettings(settings: StalledSettings): string {
  const entries = Object.entries(stalledSettings[settings]);
  return entries.length === 0
    ? 'BullMQ defaults: lockDuration 30000, stalledInterval 30000, maxStalledCount 1'
    : `${entries.map(([k, v]) => `${k} ${String(v)}`).join(', ')}, maxStalledCount 1`;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const flag = (name: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
  const runs = Number(flag('--runs') ?? 3);
  const taskMs = Number(flag('--task-ms') ?? 1500);
  const settings = flag('--settings') ?? 'default';
  if (settings !== 'default' && settings !== 'tightest') throw new Error(`--settings must be default or tightest, not ${settings}`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  if (!Number.isFinite(taskMs) || taskMs < 0) throw new Error('--task-ms must be a number >= 0');
  const redisUrl = flag('--url') ?? process.env.TF_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { version } = createRequire(import.meta.url)('bullmq/package.json') as { version: string };
  const ms = await measureBullmqStalledRecovery({ runs, taskMs, settings, redisUrl });
  console.log(
    `BullMQ ${version} stalled-job recovery (SIGKILL of the worker holding the job -> job completed on the other worker), ` +
      `${describeSettings(settings)}; task ${taskMs} ms; node ${process.version}, Redis at ${redisUrl}`,
  );
  for (const [i, x] of ms.entries()) console.log(`run ${i + 1}: ${x} ms`);
  console.log(`median of ${ms.length}: ${median(ms)} ms`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
