/**
 * The live view's cost to the engine: a 10,000-task unordered flow run with no live view,
 * then with the live view served and a page open on it, alternately, and the ratio of the
 * medians. The page is headless Chromium (Debian's package) drawing the graph and applying
 * every update, or with `--client sse` a Node reader of the event stream (the same bytes).
 *
 *   pnpm bench:live-view                     # worker-based engine, 2 tf-worker processes over Redis
 *   pnpm bench:live-view --engine parallel   # the in-process parallel engine (the most events per second)
 *   pnpm bench:live-view --client sse --pairs 7
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import type { Flow } from '@tf/core';
import { type Engine, load } from '@tf/engine';
import { type LiveView, serveLiveView } from '@tf/live-view';
import { type Browser, chromium, type Page } from 'playwright-core';
import { noopFlow, noopWorkerArgs, startWorkers } from '../workers';

const { values } = parseArgs({
  options: {
    engine: { type: 'string', default: 'worker-based' },
    client: { type: 'string', default: 'chromium' },
    pairs: { type: 'string', default: '5' },
    tasks: { type: 'string', default: '10000' },
  },
});
const engineKind = values.engine === 'parallel' ? 'parallel' : 'worker-based';
const client = values.client === 'sse' ? 'sse' : 'chromium';
const pairs = Number(values.pairs);
const tasks = Number(values.tasks);
const url = process.env.TF_REDIS_URL ?? 'redis://127.0.0.1:6379';
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

/** CPU seconds (user + system) of every chromium process now alive. */
function chromiumCpu(): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(chromium') && !stat.includes('(chrome')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks / 100;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Reads the event stream to its end (the server closes it), counting updates. */
function sseReader(view: LiveView): { updates: () => number; stop: () => void } {
  const controller = new AbortController();
  let updates = 0;
  void (async () => {
    const response = await fetch(new URL('events', view.url), { signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body!) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (data) {
          JSON.parse(data.slice(6));
          updates++;
        }
      }
    }
  })().catch(() => undefined);
  return { updates: () => updates, stop: () => controller.abort() };
}

async function openPage(browser: Browser, view: LiveView): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(view.url);
  await page.waitForFunction(() => document.getElementById('conn')?.textContent === 'live', undefined, { timeout: 120_000 });
  return page;
}

/** The engine measured, connected to its workers when it has any. */
async function loadEngine(flow: Flow): Promise<Engine> {
  if (engineKind === 'parallel') return load(flow, { engine: 'parallel', maxWorkers: 8 });
  const engine = load(flow, { engine: 'worker-based', url, exchange: 'bench-live-view', topics: ['noop'] });
  await engine.waitForWorkers(1, 30_000);
  return engine;
}

async function runOnce(
  flow: Flow,
  withView: boolean,
  browser: Browser | undefined,
): Promise<{ ms: number; updates?: number; browserCpu?: number }> {
  await using engine = await loadEngine(flow);
  let view: LiveView | undefined;
  let page: Page | undefined;
  let reader: ReturnType<typeof sseReader> | undefined;
  if (withView) {
    view = await serveLiveView(engine);
    if (browser) page = await openPage(browser, view);
    else reader = sseReader(view);
    const deadline = Date.now() + 30_000;
    while (view.clients < 1) {
      if (Date.now() > deadline) throw new Error('the page did not connect in 30 s');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  const cpu0 = chromiumCpu();
  const started = performance.now();
  await engine.run();
  const ms = performance.now() - started;
  const browserCpu = page ? chromiumCpu() - cpu0 : undefined;
  if (engine.storage.flowState !== 'SUCCESS') throw new Error(`flow ended ${engine.storage.flowState}`);
  let updates: number | undefined;
  if (page) {
    // The page caught up with the end (bounded), so its work counted against the next run too.
    await page.waitForFunction(() => document.getElementById('conn')?.textContent === 'finished', undefined, { timeout: 60_000 });
    // The counts panel knows every atom (the graph colours only what is in view).
    const counts = await page.evaluate(() => document.getElementById('counts')?.textContent ?? '');
    updates = Number(/success (\d+)/.exec(counts)?.[1] ?? 0);
    await page.close();
  }
  if (reader) {
    updates = reader.updates();
    reader.stop();
  }
  await view?.close();
  return { ms, ...(updates === undefined ? {} : { updates }), ...(browserCpu === undefined ? {} : { browserCpu }) };
}

async function main(): Promise<void> {
  if (client === 'chromium' && !existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing (apt-get install chromium), or pass --client sse`);
  const workers =
    engineKind === 'worker-based'
      ? await startWorkers(2, ['--transport', 'redis', '--url', url, ...noopWorkerArgs('bench-live-view', 64)])
      : undefined;
  const browser =
    client === 'chromium' ? await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 }) : undefined;
  const before = loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');
  try {
    const flow = noopFlow('unordered', tasks);
    // Warm-up: the JIT, the workers, the browser.
    await runOnce(flow, false, browser);
    await runOnce(flow, true, browser);
    const off: number[] = [];
    const on: number[] = [];
    const seen: number[] = [];
    const browserCpus: number[] = [];
    for (let i = 0; i < pairs; i++) {
      // Alternate which goes first, so a drift in the machine's load falls on both.
      const order = i % 2 === 0 ? [false, true] : [true, false];
      for (const withView of order) {
        const { ms, updates, browserCpu } = await runOnce(flow, withView, browser);
        if (browserCpu !== undefined) browserCpus.push(browserCpu);
        (withView ? on : off).push(ms);
        if (updates !== undefined) seen.push(updates);
      }
    }
    const after = loadavg()
      .map((x) => x.toFixed(2))
      .join(', ');
    const mOff = median(off);
    const mOn = median(on);
    const rate = (ms: number) => Math.round((tasks / ms) * 1_000);
    console.log(`\nNode ${process.version}, ${cpus().length} cores shared with other jobs; load average before ${before}, after ${after}.`);
    console.log(
      `${engineKind} engine, ${tasks}-task unordered flow, page: ${client === 'chromium' ? 'headless Chromium' : 'SSE reader'}, ${pairs} pairs alternating.\n`,
    );
    console.log('| live view | median ms | tasks/s | runs (ms) |');
    console.log('|---|---:|---:|---|');
    console.log(`| off | ${mOff.toFixed(0)} | ${rate(mOff)} | ${off.map((x) => x.toFixed(0)).join(', ')} |`);
    console.log(`| on, page open | ${mOn.toFixed(0)} | ${rate(mOn)} | ${on.map((x) => x.toFixed(0)).join(', ')} |`);
    const ratio = mOff / mOn;
    console.log(`\nthroughput with / without: ${ratio.toFixed(3)} (goal >= 0.90: ${ratio >= 0.9 ? 'met' : '**missed**'})`);
    if (browserCpus.length > 0)
      console.log(
        `Chromium's CPU time (all its processes) during the timed runs: median ${median(browserCpus).toFixed(2)} s (${browserCpus.map((x) => x.toFixed(2)).join(', ')})`,
      );
    if (seen.length > 0)
      console.log(`${client === 'chromium' ? 'atoms green on the page at the end' : 'updates read'}, per run: ${seen.join(', ')}`);
  } finally {
    await browser?.close();
    await workers?.stop();
  }
}

await main();
