/**
 * The distributed demo: a Mandelbrot image computed in bands by separate `tf-worker`
 * processes, assembled into a PNG. No broker needed: engine and workers talk through a
 * temporary folder (the filesystem transport). `--transport amqp` runs the same on
 * RabbitMQ, `--transport redis` on Redis, `--transport nats` on NATS JetStream (through the
 * third-party package tf-transport-nats, found by the `tf-transport-<name>` lookup).
 *
 *   pnpm demo                                  # 2 workers, filesystem transport
 *   pnpm demo -- --workers 3 --width 1600      # more of everything
 *   pnpm demo -- --transport amqp              # over RabbitMQ (amqp://guest:guest@127.0.0.1:5672//)
 *   pnpm demo -- --transport redis             # over Redis (redis://127.0.0.1:6379)
 *   pnpm demo -- --transport redis --url redis://cache:6380/2
 *   pnpm demo -- --transport nats              # over NATS JetStream (nats://127.0.0.1:4222)
 *
 * Exit codes: 0 once the PNG is written; 1 for a bad flag (before anything starts), a
 * worker that exits before the flow ends (the demo stops the engine and prints the
 * worker's last stderr line), a broker that cannot be reached, or no worker answering in
 * 60 s; 130 on SIGINT, 143 on SIGTERM (a second signal exits at once). Every path stops
 * the workers (SIGTERM, then SIGKILL after 5 s) and removes the temporary folder, which
 * only the filesystem transport creates.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import cliProgress from 'cli-progress';
import { linearFlow, TfError, unorderedFlow } from '@tf/core';
import { load, type LoadOptions, type WorkerBasedEngine } from '@tf/engine';
import { AssemblePng, RenderBand, type Band, type ImageSpec } from './tasks';

/** The transports the demo offers, and the broker each one defaults to. */
const TRANSPORTS = ['filesystem', 'amqp', 'redis', 'nats'] as const;
type DemoTransport = (typeof TRANSPORTS)[number];
const BROKERS = {
  amqp: { url: 'amqp://guest:guest@127.0.0.1:5672//', schemes: ['amqp:', 'amqps:'] },
  redis: { url: 'redis://127.0.0.1:6379', schemes: ['redis:', 'rediss:'] },
  nats: { url: 'nats://127.0.0.1:4222', schemes: ['nats:', 'tls:'] },
} as const;

/** How long the workers get to stop on SIGTERM before SIGKILL, and the engine to close. */
const STOP_GRACE_MS = 5_000;

/** Codes of the demo's own failures (besides the engine's and transports' TF_* codes). */
const DemoErrorCode = {
  WorkerExited: 'TF_DEMO_WORKER_EXITED',
  NoWorkers: 'TF_DEMO_NO_WORKERS',
  Interrupted: 'TF_DEMO_INTERRUPTED',
  BadFlag: 'TF_DEMO_BAD_FLAG',
} as const;

const positive = (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};
const program = new Command('demo')
  .description('Render the Mandelbrot set on tf workers')
  .option('--workers <n>', 'worker processes to start', positive, 2)
  .option('--width <px>', 'image width', positive, 1500)
  .option('--bands <n>', 'bands of rows (one task each)', positive, 40)
  .addOption(new Option('--transport <name>', 'how the engine and the workers talk').choices(TRANSPORTS).default('filesystem'))
  .option(
    '--url <url>',
    `broker URL for amqp (default ${BROKERS.amqp.url}), redis (default ${BROKERS.redis.url}) or nats (default ${BROKERS.nats.url})`,
  )
  .option('--output <file>', 'where the PNG goes', 'mandelbrot.png')
  .allowExcessArguments(false)
  // `pnpm demo -- --workers 3` hands the script a literal `--`: drop it.
  .parse(process.argv.filter((arg, i) => i < 2 || arg !== '--'));
const options = program.opts<{ workers: number; width: number; bands: number; transport: DemoTransport; url?: string; output: string }>();

/** The broker URL for amqp, redis and nats (checked against the transport); undefined for the filesystem. */
function brokerUrl(transport: DemoTransport, given: string | undefined): string | undefined {
  const badFlag = (message: string): never => program.error(`error: ${message}`, { code: DemoErrorCode.BadFlag, exitCode: 1 });
  if (transport === 'filesystem') {
    if (given !== undefined) badFlag('--url is for --transport amqp, redis or nats; the filesystem transport uses a temporary folder');
    return undefined;
  }
  const { url: fallback, schemes } = BROKERS[transport];
  const url = given ?? fallback;
  let scheme: string;
  try {
    scheme = new URL(url).protocol;
  } catch {
    return badFlag(`--url ${url} is not a URL`);
  }
  if (!(schemes as readonly string[]).includes(scheme)) {
    badFlag(`--url ${url} does not fit --transport ${transport}: expected ${schemes.map((s) => `${s}//`).join(' or ')}`);
  }
  return url;
}
const url = brokerUrl(options.transport, options.url);

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const exchange = 'mandelbrot';
const topic = 'mandelbrot-workers';
const output = resolve(process.cwd(), options.output);

// --- clean-up, on every path ------------------------------------------------------------
interface WorkerChild {
  readonly n: number;
  readonly child: ChildProcess;
  /** The last non-empty line it wrote on stderr (its one-line error when it fails to start). */
  lastLine: string | undefined;
}
const workers: WorkerChild[] = [];
/** Only the filesystem transport needs a folder: created below, removed by every exit path. */
let queueDir: string | undefined;
/** Set once the flow has ended (either way): from then on, workers exiting is expected. */
let ending = false;
let interrupted: NodeJS.Signals | undefined;

/** Synchronous, for `exit` and a second signal: kill what is left, remove the folder. */
function cleanUpNow(): void {
  for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  if (queueDir !== undefined) rmSync(queueDir, { recursive: true, force: true });
}
process.on('exit', cleanUpNow);

let fail: (error: Error) => void = () => {};
/** Rejects with the first reason to give up early: a worker that exited, a signal. */
const failure = new Promise<never>((_resolve, reject) => {
  fail = reject;
});
failure.catch(() => {}); // awaited through Promise.race below

const onSignal = (signal: NodeJS.Signals): void => {
  if (interrupted !== undefined) {
    cleanUpNow();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
  interrupted = signal;
  fail(new TfError(DemoErrorCode.Interrupted, `interrupted by ${signal}; stopping the workers`));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

/** Resolves once `promise` settles or `ms` passed, whichever comes first (never rejects). */
function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((done) => {
      timer = setTimeout(done, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** SIGTERM (a graceful stop), then SIGKILL after STOP_GRACE_MS; resolves within STOP_GRACE_MS + 2 s. */
function stopWorker({ child }: WorkerChild): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const kill = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  child.kill('SIGTERM');
  return bounded(exited, STOP_GRACE_MS + 2_000).finally(() => clearTimeout(kill));
}

// --- the engine's side --------------------------------------------------------------------
if (options.transport === 'filesystem') queueDir = mkdtempSync(join(tmpdir(), 'tf-mandelbrot-'));
const folderOptions = queueDir === undefined ? undefined : { data_folder_in: queueDir, data_folder_out: queueDir };
const transport: Pick<LoadOptions, 'transport' | 'transportOptions' | 'url'> =
  folderOptions === undefined
    ? { transport: options.transport, url: url as string }
    : { transport: 'filesystem', transportOptions: folderOptions };

const image: ImageSpec = {
  width: options.width,
  height: Math.round((options.width * 2) / 3),
  maxIterations: 2000,
  view: [-2.2, 0.8, -1.0, 1.0],
};

// --- the workers: separate OS processes, each allowed to run only the two tasks ---------
const workerArgs = [
  '--import',
  'tsx',
  join(root, 'packages/worker/src/cli.ts'),
  '--exchange',
  exchange,
  '--topic',
  topic,
  '--tasks',
  `./${relative(root, join(here, 'tasks.ts'))}`,
  '--concurrency',
  '1',
  '--log-level',
  'warn',
  '--transport',
  options.transport,
  ...(folderOptions === undefined ? ['--url', url as string] : ['--transport-options', JSON.stringify(folderOptions)]),
];

function startWorker(n: number): WorkerChild {
  const child = spawn(process.execPath, workerArgs, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
  const worker: WorkerChild = { n, child, lastLine: undefined };
  let partial = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      process.stderr.write(`[worker ${n}] ${line}\n`);
      if (line.trim() !== '') worker.lastLine = line.trim();
    }
  });
  child.once('error', (error) => fail(new TfError(DemoErrorCode.WorkerExited, `tf-worker ${n} could not start: ${error.message}`)));
  // 'close' comes after the stderr pipe is drained, so the last line is in.
  child.once('close', (code, signal) => {
    if (partial.trim() !== '') {
      process.stderr.write(`[worker ${n}] ${partial}\n`);
      worker.lastLine = partial.trim();
    }
    if (ending) return;
    const how = signal !== null ? `was killed by ${signal}` : `exited with code ${code}`;
    fail(
      new TfError(
        DemoErrorCode.WorkerExited,
        `tf-worker ${n} (pid ${child.pid}) ${how} before the flow finished: ${worker.lastLine ?? '(it wrote nothing on stderr)'}`,
      ),
    );
  });
  return worker;
}

// --- the flow: every band in parallel, then the PNG ------------------------------------
const bandRows = Math.ceil(image.height / options.bands);
const bands = unorderedFlow('bands');
const bandNames: string[] = [];
for (let b = 0, y0 = 0; y0 < image.height; b++, y0 += bandRows) {
  const name = `band${String(b).padStart(2, '0')}`;
  bandNames.push(name);
  bands.add(new RenderBand({ name, inject: { y0, y1: Math.min(image.height, y0 + bandRows) }, provides: name }));
}
const flow = linearFlow('mandelbrot').add(bands, new AssemblePng({ name: 'assemble', requires: bandNames, provides: 'png' }));

let engine: WorkerBasedEngine | undefined;
let exitCode = 0;
const started = performance.now();
try {
  engine = load(flow, {
    engine: 'worker-based',
    exchange,
    topics: [topic],
    ...transport,
    store: { image, output },
    transitionTimeoutMs: 120_000,
  });
  for (let i = 1; i <= options.workers; i++) workers.push(startWorker(i));
  console.log(
    `Rendering ${image.width}x${image.height} in ${bandNames.length} bands on ${options.workers} tf-worker processes over the ${options.transport} transport`,
  );
  console.log(`  tf-worker pids: ${workers.map((w) => w.child.pid ?? '?').join(', ')}`);
  const waiting = engine.waitForWorkers(1, 60_000);
  waiting.catch(() => {}); // raced below; may reject after a worker failure won
  const ready = await Promise.race([waiting, failure]);
  if (ready === 0) throw new TfError(DemoErrorCode.NoWorkers, 'no tf-worker answered within 60 s');
  // One bar for the image, one line per worker showing the band it is computing.
  // Bars on a terminal; plain lines otherwise (CI logs, pipes).
  const tty = Boolean(process.stdout.isTTY);
  const bars = tty
    ? new cliProgress.MultiBar(
        { format: ' {label} {bar} {percentage}% {info}', hideCursor: true, clearOnComplete: false, barsize: 30 },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  const overall = bars?.create(1000, 0, { label: 'image'.padEnd(16), info: `0/${bandNames.length} bands` });
  const workerBars = new Map<string, cliProgress.SingleBar>();
  const progress = new Map<string, number>();
  const perWorker = new Map<string, number>();
  let done = 0;
  const redraw = () => {
    let sum = 0;
    for (const p of progress.values()) sum += p;
    overall?.update(Math.round((sum / bandNames.length) * 1000), { label: 'image'.padEnd(16), info: `${done}/${bandNames.length} bands` });
  };
  const label = (worker: string) => worker.padEnd(16).slice(0, 16);
  const showWorker = (worker: string, percent: number, info: string) => {
    if (!bars) return;
    let bar = workerBars.get(worker);
    if (!bar) workerBars.set(worker, (bar = bars.create(100, 0, { label: label(worker), info: '' })));
    bar.update(percent, { label: label(worker), info });
  };
  const log = (line: string) => (bars ? bars.log(`${line}\n`) : console.log(line));
  engine.atomNotifier.on('update_progress', (_event, d) => {
    progress.set(d.atomName, d.progress ?? 0);
    const worker = d.details?.worker;
    if (typeof worker === 'string') {
      showWorker(worker, Math.round((d.progress ?? 0) * 100), `${d.atomName} (${perWorker.get(worker) ?? 0} done)`);
    }
    redraw();
  });
  engine.atomNotifier.on('SUCCESS', (_event, d) => {
    if (!d.atomName.startsWith('band')) return;
    const band = d.result as Band;
    progress.set(d.atomName, 1);
    done++;
    perWorker.set(band.worker, (perWorker.get(band.worker) ?? 0) + 1);
    showWorker(band.worker, 100, `${d.atomName} (${perWorker.get(band.worker)} done)`);
    log(`  ${d.atomName} rows ${band.y0}-${band.y1 - 1} on ${band.worker} in ${Math.round(band.ms)} ms`);
    redraw();
  });
  const running = engine.run();
  running.catch(() => {}); // raced below; rejects later when the engine is stopped after a failure
  try {
    await Promise.race([running, failure]);
  } finally {
    bars?.stop();
  }
  ending = true;
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nWrote ${engine.storage.fetch('png')} (${Math.round(statSync(output).size / 1024)} KiB) in ${seconds.toFixed(1)} s`);
  for (const [worker, count] of [...perWorker].sort()) console.log(`  worker ${worker}: ${count} bands`);
} catch (error) {
  const code = (error as { code?: unknown }).code;
  const prefix = typeof code === 'string' && code.startsWith('TF_') ? `${code}: ` : '';
  console.error(`Demo failed: ${prefix}${error instanceof Error ? error.message : String(error)}`);
  exitCode = interrupted === 'SIGINT' ? 130 : interrupted === 'SIGTERM' ? 143 : 1;
} finally {
  ending = true;
  if (engine !== undefined) {
    // Stop scheduling, fail what is in flight and close the connection (engine.run() does
    // the same when it ends; this covers a run that failed early or never started).
    engine.suspend();
    await bounded(engine.executor.stop(), STOP_GRACE_MS);
  }
  await Promise.all(workers.map(stopWorker));
  cleanUpNow();
}
// Exit now: a transport still retrying a dead broker must not keep the demo alive.
process.exit(exitCode);
