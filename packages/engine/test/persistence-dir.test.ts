/** Engines on a real store: the dir backend, opened from its URL by the engine. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Failure, linearFlow, type AtomRecord } from '@tf/core';
import { load, run } from '@tf/engine';
import { DirBackend } from '@tf/persistence';
import { AddOne, Fail, SaveOrder, WootError } from './semantics/tasks';
import { journal, recordedCalls } from './semantics/journal';

let root: string;
beforeEach(async () => {
  journal().clear();
  root = await mkdtemp(join(tmpdir(), 'tf-engine-dir-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a flow detail as a dead engine would have left it. */
async function leave(uuid: string, name: string, atoms: AtomRecord[], store: Record<string, unknown> = {}): Promise<void> {
  const dir = new DirBackend(root);
  await dir.saveBatch(uuid, { flow: { uuid, name, state: 'RUNNING', store }, atoms });
  await dir.close();
}

describe('engines on dir:// (opened from the URL)', () => {
  it('resumes a flow detail: finished atoms keep their results, the one in flight runs again; close lets go of the lock', async () => {
    const id = randomUUID();
    await leave(
      id,
      'chain',
      [
        { name: 't0', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 1 },
        { name: 't1', kind: 'task', state: 'RUNNING', intention: 'EXECUTE', progress: 0 },
      ],
      { x0: 0 },
    );
    const flow = linearFlow('chain');
    for (let i = 0; i < 3; i++) flow.add(new AddOne({ name: `t${i}`, rebind: { x: `x${i}` }, provides: `x${i + 1}` }));
    const results = await run(flow, { engine: 'parallel', backend: `dir://${root}`, flowDetailId: id, book: 'orders' });
    expect(results).toMatchObject({ x1: 1, x2: 2, x3: 3 });
    expect(recordedCalls()).toEqual(['t1.execute(1)', 't2.execute(2)']);
    const dir = new DirBackend(root);
    try {
      expect((await dir.loadFlow(id))?.state).toBe('SUCCESS');
      const lock = await dir.lockFlow(id);
      await lock.release();
    } finally {
      await dir.close();
    }
  });

  it('finishes the revert of a flow that was reverting, with the failure kept in the store', async () => {
    const id = randomUUID();
    const failure = Failure.fromError(new WootError('Woot!'));
    await leave(id, 'reverting', [
      { name: 'a', kind: 'task', state: 'SUCCESS', intention: 'REVERT', progress: 1, result: 5 },
      { name: 'b', kind: 'task', state: 'REVERTING', intention: 'REVERT', progress: 1, result: 5 },
      { name: 'c', kind: 'task', state: 'REVERTED', intention: 'REVERT', progress: 1, failure },
    ]);
    const flow = linearFlow('reverting').add(new SaveOrder({ name: 'a' }), new SaveOrder({ name: 'b' }), new Fail({ name: 'c' }));
    const engine = load(flow, { backend: `dir://${root}`, flowDetailId: id });
    await expect(engine.run()).rejects.toThrow('Woot!');
    await engine.close();
    expect(recordedCalls()).toEqual(['b.revert(5)', 'a.revert(5)']);
    const dir = new DirBackend(root);
    const atoms = await dir.loadAtoms(id);
    await dir.close();
    expect(Object.fromEntries(atoms.map((a) => [a.name, a.state]))).toEqual({ a: 'REVERTED', b: 'REVERTED', c: 'REVERTED' });
  });

  it('files a new flow detail in its logbook', async () => {
    const id = randomUUID();
    await run(linearFlow('booked').add(new SaveOrder({ name: 'a' })), {
      backend: { connection: `dir://${root}` },
      book: { name: 'orders', meta: { team: 'x' } },
      flowDetailId: id,
    });
    const dir = new DirBackend(root);
    const book = await dir.findLogbook('orders');
    const flows = await dir.listFlows(book?.uuid);
    await dir.close();
    expect(flows.map((f) => f.uuid)).toEqual([id]);
  });
});
