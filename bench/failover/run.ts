/**
 * Failover, tf against BullMQ 5, in one run: how long one task takes to complete after the
 * worker process running it is SIGKILLed, when another worker process is there to take it over.
 *
 *   - tf (this file): a worker-based engine in this process and two tf-worker processes on
 *     distinct topics (topic1, topic2) of one exchange, over Redis (or RabbitMQ). The flow is
 *     one `it.SlowSquare` task (test-integration/fixtures/tasks.ts: it reports progress with
 *     its worker's pid, then sleeps `taskMs`). The worker that reports progress first is
 *     SIGKILLed at once; it stops heartbeating, and after the engine's heartbeat timeout the
 *     engine sends the request again, to the survivor, which runs the task from the start.
 *     Recovery = from the kill to the engine's SUCCESS event for the task (performance.now(),
 *     this process). The result must carry the survivor's pid, and the task one SUCCESS.
 *     Settings: `default` passes nothing (workers heartbeat every 1000 ms, engine
 *     heartbeatTimeoutMs 5000); `tightest` is tf-worker --heartbeat-interval-ms 100 and engine
 *     heartbeatTimeoutMs 300 (the engine waits max(heartbeatTimeoutMs, 3 x the worker's
 *     interval), so 300 ms is the least a 100 ms heartbeat allows).
 *   - BullMQ 5 (bullmq-stalled.ts): the same kill of the worker holding one job, recovery
 *     through BullMQ's stalled-job check, at its defaults and at its tightest safe settings.
 *
 * Each run starts fresh workers on a fresh exchange (Redis: and a fresh key prefix, whose keys
 * are deleted afterwards). Before run(), a random pause in [0, 1 s) puts the kill at a random
 * point of the engine's watch tick (1 s at the defaults, 75 ms at the tightest), as
 * bullmq-stalled.ts does with its stalled-check cycle.
 *
 *   pnpm exec tsx bench/failover/run.ts [--runs 5] [--task-ms 500] [--transport redis|amqp]
 *                                       [--only tf,bullmq,tf-default,tf-tightest,bullmq-default,bullmq-tightest]
 * Run from the repository root. TF_REDIS_URL overrides redis://127.0.0.1:6379 (tf over Redis,
 * and BullMQ whatever the transport), TF_AMQP_URL amqp://guest:guest@127.0.0.1:5672//.
 * Progress goes to stderr; the table and the ratios to stdout.
 */
import { spawn, execSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { AtomEventDetails } from '@tf/core';
import { load, type WorkerBasedLoadOptions } from '@tf/engine';
import { SlowSquare } from '../../test-integration/fixtures/tasks';
import { measureBullmqStalledRecovery } from './bullmq-stalled';
import { deleteKeys } from '../redis-keys';

type TfSettings = 'default' | 'tightest';
type TransportName = 'redis' | 'amqp';
type Logger = NonNullable<WorkerBasedLoadOptions['logger']>;

const root = fileURLToPath(new URL('../..', import.meta.url));
const REDIS_URL = process.env.TF_REDIS_URL ?? 'redis://127.0.0.1:6379';
const AMQP_URL = process.env.TF_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';

/** tf-worker flags and engine options per settings (nothing given: the defaults). */
const tfSettings: Record<TfSettings, { workerArgs: string[]; heartbeatTimeoutMs?: number; describe: string }> = {
  default: { workerArgs: [], describe: 'defaults: worker heartbeat 1000 ms, engine heartbeatTimeoutMs 5000' },
  tightest: {
    workerArgs: ['--heartbeat-interval-ms', '100'],
    heartbeatTimeoutMs: 300,
    describe: 'worker --heartbeat-interval-ms 100, engine heartbeatTimeoutMs 300',
  },
};
const bullmqDescribe: Record<TfSettings, string> = {
  default: 'defaults: lockDuration 30000, stalledInterval 30000, maxStalledCount 1',
  tightest: 'lockDuration 1000, stalledInterval 1000, lockRenewTime 500',
};

/** Bound on a tf-worker printing its banner, on discovery, and on the first progress report. */
const STARTUP_TIMEOUT_MS = 60_000;
/** Bound on the recovery (kill to SUCCESS), beyond the heartbeat timeout and the task itself. */
const RECOVERY_SLACK_MS = 60_000;
/** Bound on run() resolving after the SUCCESS, on close(), and on a SIGTERMed worker exiting (then SIGKILL). */
const SHUTDOWN_TIMEOUT_MS = 10_000;
const ATOM = 'square';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const log = (line: string) => process.stderr.write(`[failover] ${line}\n`);

/** Every child process started here, killed (SIGKILL) if this process exits before stopping them. */
const children = new Set<ChildProcess>();
const killChildren = () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
};
process.on('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}

/** `promise`, or a rejection with `message` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface TfWorker {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly topic: string;
  output(): string;
  readonly exited: Promise<void>;
}

/** Starts tf-worker (from source, through tsx) and resolves once it printed its banner. */
async function startTfWorker(topic: string, args: string[]): Promise<TfWorker> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'packages/worker/src/cli.ts', '--log-level', 'warn', ...args, '--topic', topic],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  void exited.then(() => children.delete(child));
  const started = new Promise<void>((resolveStarted, reject) => {
    const check = () => out.includes('Supported endpoints') && resolveStarted();
    child.stdout!.on('data', check);
    child.once('exit', (code, signal) => reject(new Error(`tf-worker on ${topic} exited (${code ?? signal}) before starting:\n${out}`)));
  });
  try {
    await within(started, STARTUP_TIMEOUT_MS, () => `tf-worker on ${topic} did not start within ${STARTUP_TIMEOUT_MS} ms:\n${out}`);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { child, pid: child.pid!, topic, output: () => out, exited };
}

/** SIGTERM, then SIGKILL after SHUTDOWN_TIMEOUT_MS; resolves once the process has exited. */
async function stopTfWorker(worker: TfWorker): Promise<void> {
  const { child } = worker;
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => {
    log(`  tf-worker ${worker.pid} still up ${SHUTDOWN_TIMEOUT_MS} ms after SIGTERM: SIGKILL`);
    child.kill('SIGKILL');
  }, SHUTDOWN_TIMEOUT_MS);
  await worker.exited;
  clearTimeout(timer);
}

/**
 * A logger that notes when the engine re-dispatches, and passes its warnings and errors on to stderr but
 * the two a lost worker is expected to cause.
 */
function engineLogger(onRedispatch: () => void): Logger {
  const noop = () => {};
  const text = (obj: unknown, msg?: string) => `${msg ?? ''} ${obj instanceof Error ? obj.message : JSON.stringify(obj)}`;
  return {
    trace: noop,
    debug: noop,
    info: noop,
    warn: (obj, msg) => {
      if (msg === 're-dispatching requests') onRedispatch();
      else if (msg !== 'a worker went silent while running requests') log(`  engine warn: ${text(obj, msg)}`); // that one is expected
    },
    error: (obj, msg) => log(`  engine error: ${text(obj, msg)}`),
  };
}

interface TfRun {
  /** Kill -> SUCCESS of the task on the survivor. */
  recoveryMs: number;
  /** Kill -> the engine re-dispatched the request (undefined: not seen in its log). */
  redispatchMs: number | undefined;
  /** Kill -> the survivor reported starting the task. */
  survivorStartedMs: number;
}

interface TfRunContext {
  transport: TransportName;
  settings: TfSettings;
  taskMs: number;
  admin: Redis | undefined;
  tag: string;
}

async function measureTfOnce(ctx: TfRunContext, run: number): Promise<TfRun> {
  const { transport, settings, taskMs } = ctx;
  const exchange = `failover-${ctx.tag}-${settings}-${run}`;
  const keyPrefix = `tf-bench-failover-${ctx.tag}-${settings}-${run}:`;
  const selection: Pick<WorkerBasedLoadOptions, 'transport' | 'url' | 'transportOptions'> =
    transport === 'redis'
      ? { transport: 'redis', url: REDIS_URL, transportOptions: { key_prefix: keyPrefix } }
      : { transport: 'amqp', url: AMQP_URL };
  const transportArgs =
    transport === 'redis'
      ? ['--transport', 'redis', '--url', REDIS_URL, '--transport-options', JSON.stringify({ key_prefix: keyPrefix })]
      : ['--transport', 'amqp', '--url', AMQP_URL];
  const { workerArgs, heartbeatTimeoutMs } = tfSettings[settings];
  const args = [
    ...transportArgs,
    ...workerArgs,
    '--exchange',
    exchange,
    '--tasks',
    './test-integration/fixtures/tasks.ts',
    '--concurrency',
    '1',
  ];
  const workers: TfWorker[] = [];
  let engine: ReturnType<typeof load> | undefined;
  try {
    const started = await Promise.allSettled(['topic1', 'topic2'].map((topic) => startTfWorker(topic, args)));
    for (const s of started) if (s.status === 'fulfilled') workers.push(s.value);
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const pids = new Set(workers.map((w) => w.pid));

    let redispatchedAt: number | undefined;
    const wbe = load(new SlowSquare({ name: ATOM, inject: { x: 7, ms: taskMs } }), {
      engine: 'worker-based',
      ...selection,
      exchange,
      topics: ['topic1', 'topic2'],
      ...(heartbeatTimeoutMs === undefined ? {} : { heartbeatTimeoutMs }),
      logger: engineLogger(() => (redispatchedAt ??= performance.now())),
    });
    engine = wbe;
    const known = await wbe.waitForWorkers(2, STARTUP_TIMEOUT_MS);
    if (known < 2) throw new Error(`the engine knows ${known} of the 2 tf-workers after ${STARTUP_TIMEOUT_MS} ms`);

    let victim: TfWorker | undefined;
    let killedAt = 0;
    let survivorStartedAt: number | undefined;
    let successAt: number | undefined;
    let successes = 0;
    let result: unknown;
    let onKill: () => void = () => {};
    let onSuccess: () => void = () => {};
    const killed = new Promise<void>((r) => (onKill = r));
    const succeeded = new Promise<void>((r) => (onSuccess = r));
    wbe.atomNotifier.on('update_progress', (_event: string, d: AtomEventDetails) => {
      const pid = d.details?.['pid'];
      if (d.atomName !== ATOM || typeof pid !== 'number' || !pids.has(pid)) return;
      if (victim === undefined) {
        victim = workers.find((w) => w.pid === pid)!;
        killedAt = performance.now();
        victim.child.kill('SIGKILL');
        onKill();
      } else if (pid !== victim.pid) survivorStartedAt ??= performance.now();
    });
    wbe.atomNotifier.on('SUCCESS', (_event: string, d: AtomEventDetails) => {
      if (d.atomName !== ATOM) return;
      successAt ??= performance.now();
      successes++;
      result = d.result;
      onSuccess();
    });

    await sleep(Math.random() * 1000);
    const running = wbe.run();
    running.catch(() => undefined); // awaited below; a rejection before that is not unhandled
    await within(killed, STARTUP_TIMEOUT_MS, () => `no tf-worker reported progress on '${ATOM}' within ${STARTUP_TIMEOUT_MS} ms of run()`);
    const bound = Math.max(heartbeatTimeoutMs ?? 5_000, 3_000) + taskMs + RECOVERY_SLACK_MS;
    await within(
      Promise.race([succeeded, running]),
      bound,
      () => `'${ATOM}' not completed ${bound} ms after the kill of tf-worker ${victim?.pid} (${victim?.topic}), settings ${settings}`,
    );
    await within(running, SHUTDOWN_TIMEOUT_MS, () => `run() did not resolve within ${SHUTDOWN_TIMEOUT_MS} ms of the SUCCESS`);
    if (successAt === undefined) throw new Error(`run() ended ${wbe.storage.flowState} without a SUCCESS event for '${ATOM}'`);

    const dead = victim!;
    const survivor = workers.find((w) => w !== dead)!;
    await within(dead.exited, SHUTDOWN_TIMEOUT_MS, () => `tf-worker ${dead.pid} did not exit after SIGKILL`);
    if (dead.child.signalCode !== 'SIGKILL') throw new Error(`tf-worker ${dead.pid} ended ${dead.child.exitCode}, not by SIGKILL`);
    if (wbe.storage.flowState !== 'SUCCESS') throw new Error(`the flow ended ${wbe.storage.flowState}`);
    if (successes !== 1) throw new Error(`'${ATOM}' had ${successes} SUCCESS events, not 1`);
    const computed = (result as { square?: unknown; pid?: unknown } | undefined) ?? {};
    if (computed.square !== 49) throw new Error(`'${ATOM}' returned ${JSON.stringify(result)}, not 7 * 7`);
    if (computed.pid !== survivor.pid) {
      throw new Error(`'${ATOM}' was computed by pid ${String(computed.pid)}, not by the survivor ${survivor.pid} (victim ${dead.pid})`);
    }
    if (survivorStartedAt === undefined) throw new Error(`the survivor ${survivor.pid} never reported starting '${ATOM}'`);
    return {
      recoveryMs: successAt - killedAt,
      redispatchMs: redispatchedAt === undefined ? undefined : redispatchedAt - killedAt,
      survivorStartedMs: survivorStartedAt - killedAt,
    };
  } catch (error) {
    for (const w of workers) log(`  tf-worker ${w.pid} (${w.topic}) output:\n${w.output()}`);
    throw error;
  } finally {
    if (engine) {
      const e = engine;
      await within(e.close(), SHUTDOWN_TIMEOUT_MS, () => 'engine.close() timed out').catch((err: unknown) => log(`  ${String(err)}`));
    }
    await Promise.all(workers.map(stopTfWorker));
    if (ctx.admin) {
      await deleteKeys(ctx.admin, `${keyPrefix}*`).catch((err: unknown) => log(`  deleting the keys ${keyPrefix}*: ${String(err)}`));
    }
  }
}

async function measureTfRecovery(ctx: Omit<TfRunContext, 'tag'>, runs: number): Promise<TfRun[]> {
  const tag = `${process.pid}-${Date.now().toString(36)}-${randomUUID().slice(0, 4)}`;
  const out: TfRun[] = [];
  for (let run = 1; run <= runs; run++) {
    log(`tf ${ctx.settings} run ${run}/${runs} (${ctx.transport}, task ${ctx.taskMs} ms)`);
    const r = await measureTfOnce({ ...ctx, tag }, run);
    log(
      `tf ${ctx.settings} run ${run}/${runs}: kill -> re-dispatch ${r.redispatchMs === undefined ? '?' : r.redispatchMs.toFixed(0)} ms, ` +
        `-> survivor started ${r.survivorStartedMs.toFixed(0)} ms, -> SUCCESS ${r.recoveryMs.toFixed(0)} ms`,
    );
    out.push(r);
  }
  return out;
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const value = argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`${name} needs a value`);
  return value;
}

const MEASURES = ['tf-default', 'tf-tightest', 'bullmq-default', 'bullmq-tightest'] as const;
type Measure = (typeof MEASURES)[number];

interface Row {
  measure: Measure;
  system: string;
  settings: string;
  ms: number[];
  /** tf: kill -> the engine re-dispatched (its heartbeat watch noticed the worker was gone). */
  detectionMs?: number[];
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = Number(flag(argv, '--runs') ?? 5);
  const taskMs = Number(flag(argv, '--task-ms') ?? 500);
  const transport = flag(argv, '--transport') ?? 'redis';
  const only = (flag(argv, '--only') ?? 'tf,bullmq').split(',');
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
  if (!Number.isFinite(taskMs) || taskMs < 50) throw new Error('--task-ms must be a number >= 50 (the kill must land mid-task)');
  if (transport !== 'redis' && transport !== 'amqp') throw new Error(`--transport must be redis or amqp, not ${transport}`);
  const unknown = only.filter((o) => !MEASURES.some((m) => m === o || m.startsWith(`${o}-`)));
  if (unknown.length > 0) throw new Error(`--only: unknown ${unknown.join(', ')} (tf, bullmq, ${MEASURES.join(', ')})`);
  const selected = (m: Measure) => only.some((o) => m === o || m.startsWith(`${o}-`));

  const uptimeBefore = execSync('uptime').toString().trim();
  const loadBefore = loadavg();
  const admin = transport === 'redis' ? new Redis(REDIS_URL, { maxRetriesPerRequest: 3 }) : undefined;
  const rows: Row[] = [];
  try {
    for (const settings of ['default', 'tightest'] as const) {
      if (!selected(`tf-${settings}`)) continue;
      const measured = await measureTfRecovery({ transport, settings, taskMs, admin }, runs);
      rows.push({
        measure: `tf-${settings}`,
        system: `tf (${transport})`,
        settings: tfSettings[settings].describe,
        ms: measured.map((r) => r.recoveryMs),
        detectionMs: measured.flatMap((r) => (r.redispatchMs === undefined ? [] : [r.redispatchMs])),
      });
    }
    for (const settings of ['default', 'tightest'] as const) {
      if (!selected(`bullmq-${settings}`)) continue;
      const ms = await measureBullmqStalledRecovery({ runs, taskMs, settings, redisUrl: REDIS_URL });
      rows.push({ measure: `bullmq-${settings}`, system: 'BullMQ (redis)', settings: bullmqDescribe[settings], ms });
    }
  } finally {
    admin?.disconnect();
  }

  const { version: bullmqVersion } = createRequire(import.meta.url)('bullmq/package.json') as { version: string };
  const redacted = (url: string) => url.replace(/:[^:@/]+@/, ':***@');
  console.log(
    `\nFailover: SIGKILL of the worker running the one task -> the task completed on the other worker (includes running the ` +
      `${taskMs} ms task again). node ${process.version}, tf over ${transport} at ${redacted(transport === 'redis' ? REDIS_URL : AMQP_URL)}, ` +
      `BullMQ ${bullmqVersion} at ${redacted(REDIS_URL)}, ${runs} runs each.`,
  );
  console.log(`uptime before: ${uptimeBefore}\nuptime after:  ${execSync('uptime').toString().trim()}\n`);
  console.log('| system | settings | runs (ms) | median (ms) | of which kill -> re-dispatch, median (ms) |');
  console.log('|---|---|---|---:|---:|');
  for (const r of rows) {
    const detection = r.detectionMs?.length ? median(r.detectionMs).toFixed(0) : '-';
    console.log(
      `| ${r.system} | ${r.settings} | ${r.ms.map((x) => x.toFixed(0)).join(', ')} | ${median(r.ms).toFixed(0)} | ${detection} |`,
    );
  }
  const med = (m: Measure) => {
    const row = rows.find((r) => r.measure === m);
    return row ? median(row.ms) : undefined;
  };
  const tfDefault = med('tf-default');
  const tfTightest = med('tf-tightest');
  const bullDefault = med('bullmq-default');
  const bullTightest = med('bullmq-tightest');
  console.log('\n| ratio or figure | value | goal |');
  console.log('|---|---:|---|');
  if (bullDefault !== undefined && tfDefault !== undefined) {
    const ratio = bullDefault / tfDefault;
    console.log(`| BullMQ default median / tf default median | ${ratio.toFixed(1)} | >= 5: ${ratio >= 5 ? 'met' : '**missed**'} |`);
  }
  if (tfTightest !== undefined) {
    console.log(`| tf tightest median (ms) | ${tfTightest.toFixed(0)} | < 2000: ${tfTightest < 2000 ? 'met' : '**missed**'} |`);
  }
  if (bullTightest !== undefined && tfTightest !== undefined) {
    console.log(`| BullMQ tightest median / tf tightest median | ${(bullTightest / tfTightest).toFixed(1)} | |`);
  }
  console.log(
    `\nload average before ${loadBefore.map((x) => x.toFixed(2)).join(' ')}, after ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  killChildren();
  process.exit(1);
});
