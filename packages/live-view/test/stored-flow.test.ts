import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { linearFlow, type StorageBackend, Task, TfError } from '@tf/core';
import { load } from '@tf/engine';
import { resolveBackend } from '@tf/persistence';
import { afterAll, describe, expect, it } from 'vitest';
import { serveStoredFlow, type ViewUpdate } from '../src/index';
import { readEvents } from './sse';

const folder = mkdtempSync(join(tmpdir(), 'tf-live-view-stored-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

class Ok extends Task {
  static override taskName = 'stored.Ok';
  override execute(): number {
    return 1;
  }
}

class Fails extends Task {
  static override taskName = 'stored.Fails';
  override execute(): never {
    throw new TypeError('bad invoice', { cause: new Error('no currency') });
  }
}

const flow = () => linearFlow('billing').add(new Ok({ name: 'invoice' }), new Fails({ name: 'charge' }));

describe('serveStoredFlow', () => {
  it('shows a flow detail from a dir:// backend as it was left: states and a failure with its cause', async () => {
    const backend = (await resolveBackend(`dir://${folder}`)) as StorageBackend & { close(): Promise<void> };
    try {
      const engine = load(flow(), { engine: 'serial', backend, flowUuid: 'billing-1' });
      await expect(engine.run()).rejects.toThrow('bad invoice');
      await engine.storage.flush();

      const view = await serveStoredFlow(backend, 'billing-1', { flow: flow() });
      try {
        const graph = (await (await fetch(new URL('graph.json', view.url))).json()) as { nodes: { kind: string }[]; edges: unknown[] };
        expect(graph.nodes.filter((n) => n.kind !== 'join')).toHaveLength(2);
        expect(graph.edges.length).toBeGreaterThan(0);
        const [frame] = await readEvents(new URL('events', view.url).href, (frames) => frames.length >= 1);
        const update = JSON.parse(frame!.data) as ViewUpdate;
        expect(update.final).toBe(true);
        expect(update.flow).toEqual({ name: 'billing', state: 'REVERTED' });
        expect(update.atoms.invoice).toMatchObject({ state: 'REVERTED' });
        expect(update.atoms.charge!.failure).toMatchObject({ message: 'bad invoice', causes: [{ message: 'no currency' }] });
      } finally {
        await view.close();
      }
      // Without the flow's definition: the stored atoms, no edges.
      const bare = await serveStoredFlow(backend, 'billing-1');
      try {
        const graph = (await (await fetch(new URL('graph.json', bare.url))).json()) as { nodes: { name: string }[]; edges: unknown[] };
        expect(graph.nodes.map((n) => n.name).sort()).toEqual(['charge', 'invoice']);
        expect(graph.edges).toEqual([]);
      } finally {
        await bare.close();
      }
      const missing = await serveStoredFlow(backend, 'no-such-flow').catch((e: unknown) => e);
      expect(TfError.is(missing, 'TF_NOT_FOUND')).toBe(true);
    } finally {
      await backend.close();
    }
  });
});
