/**
 * The live view in a real browser: a worker-based engine (this process) runs a flow on two
 * `tf-worker` processes over the filesystem transport, and headless Chromium (Debian's
 * package, driven by playwright-core) watches the page: the graph, atoms turning from
 * running to success without a reload, the workers, and a failure with its cause.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearFlow, Task, unorderedFlow } from '@tf/core';
import { load } from '@tf/engine';
import { serveLiveView } from '@tf/live-view';
import { type Browser, chromium } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { ChargeFails, Steps } from './fixtures/tasks';
import { root, startWorker, type WorkerProcess } from './helpers';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];
// Under CI a missing browser fails the test (it is not skipped); .ci/run installs it.
const haveChromium = existsSync(CHROMIUM) || process.env.CI === 'true';

let folder: string;
let workers: WorkerProcess[] = [];
let browser: Browser | undefined;
afterEach(async () => {
  await browser?.close();
  browser = undefined;
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  rmSync(folder, { recursive: true, force: true });
});

class Tick extends Task<Record<string, never>, number> {
  static override taskName = 'it.live.Tick';
  override execute(): number {
    return 1;
  }
}

/** Fast ones finish while slow ones still run and the charge fails: green, blue and red on one page. */
function checkoutFlow() {
  const work = unorderedFlow('work');
  for (let i = 0; i < 3; i++) work.add(new Steps({ name: `quick-${i}`, inject: { ms: 1_500 } }));
  for (let i = 0; i < 3; i++) work.add(new Steps({ name: `slow-${i}`, inject: { ms: 7_000 } }));
  work.add(new ChargeFails({ name: 'charge', inject: { ms: 3_000 } }));
  return linearFlow('checkout').add(new Steps({ name: 'reserve', inject: { ms: 1_200 } }), work);
}

describe.skipIf(!haveChromium)('live view in headless Chromium', () => {
  it('draws the graph and follows a run on two tf-worker processes without a reload, down to a failure and its cause', async () => {
    folder = mkdtempSync(join(tmpdir(), 'tf-it-live-'));
    const transportOptions = { data_folder_in: folder, data_folder_out: folder, polling_interval: 0.1 };
    const args = (topic: string) => [
      '--transport',
      'filesystem',
      '--transport-options',
      JSON.stringify(transportOptions),
      '--exchange',
      'live',
      '--topic',
      topic,
      '--tasks',
      './test-integration/fixtures/tasks.ts',
      '--concurrency',
      '4',
    ];
    workers = await Promise.all([startWorker(args('shop-a')), startWorker(args('shop-b'))]);
    await using engine = load(checkoutFlow(), {
      engine: 'worker-based',
      exchange: 'live',
      topics: ['shop-a', 'shop-b'],
      transport: 'filesystem',
      transport_options: transportOptions,
    });
    expect(await engine.waitForWorkers(2, 30_000)).toBe(2);
    const view = await serveLiveView(engine, { updateIntervalMs: 100 });
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(view.url);
      const atom = (name: string) => page.locator(`g.n[data-atom="${name}"]`);
      // The graph: a box per atom, laid out (no CDN: the page's script carries dagre).
      await expect.poll(() => page.locator('g.n').count(), { timeout: 20_000 }).toBe(8);
      await expect.poll(() => page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');
      // A reload would lose this.
      await page.evaluate(() => Object.assign(window, { sameDocument: true }));

      const running = engine.run();
      const outcome = running.then(
        () => 'success',
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      );
      await expect.poll(() => atom('reserve').getAttribute('class'), { timeout: 20_000 }).toContain('s-RUNNING');
      // While it runs: the worker that took it, and its progress bar moving.
      const reserveItem = page.locator('#running li[data-atom="reserve"]');
      await expect.poll(() => reserveItem.textContent(), { timeout: 10_000 }).toMatch(/worker [0-9a-f-]{36} \(topic shop-[ab]\)/);
      await expect
        .poll(async () => Number(await atom('reserve').locator('rect.bar').getAttribute('width')), { timeout: 10_000 })
        .toBeGreaterThan(0);
      await expect.poll(() => atom('reserve').getAttribute('class'), { timeout: 20_000 }).toContain('s-SUCCESS');
      for (let i = 0; i < 3; i++)
        await expect.poll(() => atom(`quick-${i}`).getAttribute('class'), { timeout: 20_000 }).toContain('s-SUCCESS');
      // The failure, with its cause, while the slow ones still run.
      const failure = page.locator('#failures li[data-atom="charge"]');
      await expect.poll(() => failure.textContent(), { timeout: 20_000 }).toContain('could not charge the card');
      expect(await failure.textContent()).toContain('caused by');
      expect(await failure.textContent()).toContain('RangeError: card limit exceeded');
      // Failed, then reverted at once (TaskFlow reverts a failed task first): marked failed either way.
      expect(await atom('charge').getAttribute('class')).toMatch(/s-(FAILURE|REVERTING|REVERTED) failed/);
      expect(await atom('slow-0').getAttribute('class')).toContain('s-RUNNING');
      // Both workers show up among the running atoms.
      const workerIds = new Set((await page.locator('#running li').allTextContents()).flatMap((t) => t.match(/[0-9a-f-]{36}/g) ?? []));
      expect(workerIds.size).toBe(2);
      await atom('charge').click();
      await expect.poll(() => page.locator('#selected').textContent()).toContain('card limit exceeded');
      const out = join(root, '.tmp');
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: join(out, 'live-view.png') });
      if (process.env.TF_UPDATE_SCREENSHOT === '1') await page.screenshot({ path: join(root, 'docs/images/live-view.png') });

      expect(await outcome).toContain('could not charge the card');
      // The run reverted everything, and the page followed it in place.
      await expect.poll(() => atom('slow-0').getAttribute('class'), { timeout: 20_000 }).toContain('s-REVERTED');
      await expect.poll(() => page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('finished');
      expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
      expect(pageErrors).toEqual([]);
    } finally {
      await view.close();
    }
  });

  it('keeps a 1,000-task flow usable: what is in view follows the run, the rest catches up when zoomed into view', async () => {
    folder = mkdtempSync(join(tmpdir(), 'tf-it-live-'));
    const flow = unorderedFlow('wide');
    for (let i = 0; i < 1_000; i++) flow.add(new Tick({ name: `tick-${i}` }));
    await using engine = load(flow, { engine: 'parallel', maxWorkers: 8 });
    const view = await serveLiveView(engine, { updateIntervalMs: 100 });
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(view.url);
      await expect.poll(() => page.locator('g.n').count(), { timeout: 30_000 }).toBe(1_000);
      await expect.poll(() => page.locator('#conn').textContent(), { timeout: 10_000 }).toBe('live');
      await engine.run();
      await expect.poll(() => page.locator('#conn').textContent(), { timeout: 20_000 }).toBe('finished');
      // The counts know every atom; the graph coloured what is in view (the first atoms).
      await expect.poll(() => page.locator('#counts').textContent(), { timeout: 10_000 }).toBe('success 1000');
      await expect.poll(() => page.locator('g.n[data-atom="tick-0"]').getAttribute('class')).toContain('s-SUCCESS');
      const green = () => page.locator('g.n.s-SUCCESS').count();
      expect(await green()).toBeGreaterThan(0);
      expect(await green()).toBeLessThan(1_000);
      // Zoomed out to the whole graph: every atom catches up, without a new event from the server.
      const graph = page.locator('#graph');
      const box = (await graph.boundingBox())!;
      await page.mouse.move(box.x + 10, box.y + 10);
      for (let i = 0; i < 12; i++) await page.mouse.wheel(0, 600);
      await expect.poll(green, { timeout: 10_000 }).toBe(1_000);
      expect(pageErrors).toEqual([]);
    } finally {
      await view.close();
    }
  });
});
