import { createServer } from 'node:net';
import { linearFlow, Task, TfError, unorderedFlow } from '@tf/core';
import { load } from '@tf/engine';
import { afterEach, describe, expect, it } from 'vitest';
import { type LiveView, serveLiveView, type ViewUpdate } from '../src/index';
import { readEvents } from './sse';

class Step extends Task<{ ms?: number }, string> {
  static override taskName = 'lv.Step';
  static override optional = ['ms'];
  override async execute({ ms = 0 }: { ms?: number }): Promise<string> {
    this.updateProgress(0.5);
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.name;
  }
}

class Boom extends Task<Record<string, never>, never> {
  static override taskName = 'lv.Boom';
  override execute(): never {
    throw new Error('could not write the report', { cause: new RangeError('disk quota exceeded') });
  }
}

const opened: LiveView[] = [];
afterEach(async () => {
  for (const view of opened.splice(0)) await view.close();
});

function twoStepsThenBoom() {
  return linearFlow('report').add(
    unorderedFlow('fetch').add(new Step({ name: 'fetch-a', inject: { ms: 300 } }), new Step({ name: 'fetch-b' })),
    new Boom({ name: 'write' }),
  );
}

/** Merges the snapshot and updates into the last view of each atom and the last flow state. */
function merged(frames: readonly { data: string }[]): { flow: string; atoms: Map<string, ViewUpdate['atoms'][string]> } {
  const atoms = new Map<string, ViewUpdate['atoms'][string]>();
  let flow = '';
  for (const frame of frames) {
    const update = JSON.parse(frame.data) as ViewUpdate;
    flow = update.flow.state;
    for (const [name, view] of Object.entries(update.atoms)) atoms.set(name, view);
  }
  return { flow, atoms };
}

describe('serveLiveView', () => {
  it('serves the page, the graph and a stream that follows the run to its failure and cause chain', async () => {
    await using engine = load(twoStepsThenBoom(), { engine: 'parallel' });
    const view = await serveLiveView(engine, { updateIntervalMs: 50 });
    opened.push(view);
    expect(view.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);

    const page = await fetch(view.url);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toContain('<script src="app.js">');
    const script = await fetch(new URL('app.js', view.url));
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(10_000); // dagre is in it
    const graph = (await (await fetch(new URL('graph.json', view.url))).json()) as { nodes: { name: string; kind: string }[] };
    expect(graph.nodes.filter((n) => n.kind !== 'join').map((n) => n.name)).toEqual(['fetch-a', 'fetch-b', 'write']);

    const reading = readEvents(new URL('events', view.url).href, (frames) => ['FAILURE', 'REVERTED'].includes(merged(frames).flow));
    await expect.poll(() => view.clients).toBe(1);
    await expect(engine.run()).rejects.toThrow('could not write the report');
    const frames = await reading;
    expect(frames[0]!.event).toBe('snapshot');
    expect(frames.filter((f) => f.event === 'update').length).toBeGreaterThan(0);
    const { atoms } = merged(frames);
    expect(atoms.get('fetch-a')).toMatchObject({ state: 'REVERTED' });
    expect(atoms.get('fetch-a')!.finishedAt! - atoms.get('fetch-a')!.startedAt!).toBeGreaterThanOrEqual(0);
    const write = atoms.get('write')!;
    expect(write.failure).toMatchObject({
      types: expect.arrayContaining(['Error']),
      message: 'could not write the report',
      causes: [{ types: expect.arrayContaining(['RangeError']), message: 'disk quota exceeded' }],
    });
  });

  it('a page opened late gets a snapshot of where the flow is', async () => {
    await using engine = load(linearFlow('late').add(new Step({ name: 'one' }), new Step({ name: 'two' })), { engine: 'serial' });
    const view = await serveLiveView(engine);
    opened.push(view);
    await engine.run();
    const [snapshot] = await readEvents(new URL('events', view.url).href, (frames) => frames.length >= 1);
    const update = JSON.parse(snapshot!.data) as ViewUpdate;
    expect(update.flow).toEqual({ name: 'late', state: 'SUCCESS' });
    expect(update.atoms.one).toMatchObject({ state: 'SUCCESS', progress: 1 });
  });

  it('answers only requests addressed to a loopback name (no DNS rebinding), and GET only', async () => {
    await using engine = load(linearFlow('f').add(new Step({ name: 'one' })), { engine: 'serial' });
    const view = await serveLiveView(engine);
    opened.push(view);
    const { request } = await import('node:http');
    const status = (headers: Record<string, string>, method = 'GET') =>
      new Promise<number>((resolve, reject) => {
        const req = request(view.url, { method, headers }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end();
      });
    expect(await status({ host: 'evil.example:80' })).toBe(421);
    expect(await status({ host: `localhost:${view.port}` })).toBe(200);
    expect(await status({}, 'POST')).toBe(405);
    expect((await fetch(new URL('nope', view.url))).status).toBe(404);
  });

  it('a port in use is a typed error; close() is idempotent and ends the streams', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await using engine = load(linearFlow('f').add(new Step({ name: 'one' })), { engine: 'serial' });
      const error = await serveLiveView(engine, { port }).catch((e: unknown) => e);
      expect(TfError.is(error, 'TF_LIVE_VIEW_LISTEN_FAILED')).toBe(true);
      const view = await serveLiveView(engine);
      const reading = readEvents(new URL('events', view.url).href, () => false).catch((e: Error) => e.message);
      await expect.poll(() => view.clients).toBe(1);
      await Promise.all([view.close(), view.close()]);
      expect(await reading).toMatch(/stream ended|terminated/);
      expect(engine.atomNotifier.listenerCount()).toBe(0);
    } finally {
      blocker.close();
    }
  });
});
