/**
 * The distributed demo: a Mandelbrot image computed in bands by separate `tf-worker`
 * processes, assembled into a PNG. No broker needed: engine and workers talk through
 * folders (the filesystem transport). `--transport amqp` runs the same on RabbitMQ.
 *
 *   pnpm demo                                  # 2 workers, filesystem transport
 *   pnpm demo -- --workers 3 --width 1600      # more of everything
 *   pnpm demo -- --transport amqp              # the same over RabbitMQ (127.0.0.1:5672)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import cliProgress from 'cli-progress';
import { linearFlow, unorderedFlow } from '@tf/core';
import { load, type LoadOptions } from '@tf/engine';
import { AssemblePng, RenderBand, type Band, type ImageSpec } from './tasks';

const positive = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
  return n;
};
const options = new Command('demo')
  .description('Render the Mandelbrot set on tf workers')
  .option('--workers <n>', 'worker processes to start', positive, 2)
  .option('--width <px>', 'image width', positive, 1500)
  .option('--bands <n>', 'bands of rows (one task each)', positive, 40)
  .option('--transport <name>', 'filesystem or amqp', 'filesystem')
  .option('--url <url>', 'broker URL for amqp', 'amqp://guest:guest@127.0.0.1:5672//')
  .option('--output <file>', 'where the PNG goes', 'mandelbrot.png')
  // `pnpm demo -- --workers 3` hands the script a literal `--`: drop it.
  .parse(process.argv.filter((arg, i) => i < 2 || arg !== '--'))
  .opts<{ workers: number; width: number; bands: number; transport: string; url: string; output: string }>();

const root = fileURLToPath(new URL('../..', import.meta.url));
const here = fileURLToPath(new URL('.', import.meta.url));
const exchange = 'mandelbrot';
const topic = 'mandelbrot-workers';
const output = resolve(process.cwd(), options.output);
const queueDir = mkdtempSync(join(tmpdir(), 'tf-mandelbrot-'));

const transport: Pick<LoadOptions, 'transport' | 'transportOptions' | 'url'> =
  options.transport === 'amqp'
    ? { transport: 'amqp', url: options.url }
    : { transport: 'filesystem', transportOptions: { data_folder_in: queueDir, data_folder_out: queueDir } };

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
  ...(options.transport === 'amqp'
    ? ['--url', options.url]
    : ['--transport-options', JSON.stringify({ data_folder_in: queueDir, data_folder_out: queueDir })]),
];
const workers: ChildProcess[] = [];
for (let i = 0; i < options.workers; i++) {
  const child = spawn(process.execPath, workerArgs, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[worker ${i + 1}] ${chunk}`));
  workers.push(child);
}

async function stopWorkers(): Promise<void> {
  await Promise.all(
    workers.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
    ),
  );
  if (options.transport !== 'amqp') rmSync(queueDir, { recursive: true, force: true });
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

const engine = load(flow, {
  engine: 'worker-based',
  exchange,
  topics: [topic],
  ...transport,
  store: { image, output },
  transitionTimeoutMs: 120_000,
});

console.log(
  `Rendering ${image.width}x${image.height} in ${bandNames.length} bands on ${options.workers} tf-worker processes over the ${options.transport} transport`,
);
const started = performance.now();
try {
  const ready = await engine.waitForWorkers(1, 60_000);
  if (ready === 0) throw new Error('no worker answered within 60 s');
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
  try {
    await engine.run();
  } finally {
    bars?.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`\nWrote ${engine.storage.fetch('png')} (${Math.round(statSync(output).size / 1024)} KiB) in ${seconds.toFixed(1)} s`);
  for (const [worker, count] of [...perWorker].sort()) console.log(`  worker ${worker}: ${count} bands`);
} catch (error) {
  console.error(`Demo failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await stopWorkers();
}
