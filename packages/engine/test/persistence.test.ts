import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { TfError, linearFlow } from '@tf/core';
import { load, run } from '@tf/engine';
import { SnapshotBackend } from './resume/backend';
import { Fail, SaveOrder } from './semantics/tasks';
import { journal, recordedCalls } from './semantics/journal';

const flow = () => linearFlow('persisted').add(new SaveOrder({ name: 'a' }), new SaveOrder({ name: 'b' }));

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('engines with a backend', () => {
  it('opens storage from the backend: storage reads what it holds once open() (or run()) loaded it', async () => {
    const backend = new SnapshotBackend();
    const id = randomUUID();
    backend.put({ uuid: id, name: 'persisted', state: 'RUNNING', store: { kept: 1 } }, [
      { name: 'a', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 'from before' },
    ]);
    const engine = load(flow(), { backend, flowDetailId: id });
    expect(() => engine.storage).toThrow(expect.objectContaining({ code: 'TF_INVALID_STATE' }));
    const storage = await engine.open();
    expect(engine.storage).toBe(storage);
    expect(storage.get('a')).toBe('from before');
    expect(storage.getStates()).toEqual({ a: 'SUCCESS', b: 'PENDING' });
    expect(storage.fetchAll()).toMatchObject({ kept: 1 });
    await engine.run();
    await engine.close();
    expect(backend.flows.get(id)?.state).toBe('SUCCESS');
  });

  it('writes a new flow detail under flowDetailId (flow_detail_id), every atom listed', async () => {
    const backend = new SnapshotBackend();
    const id = randomUUID();
    await run(flow(), { backend, flow_detail_id: id } as Parameters<typeof run>[1]);
    expect(backend.flows.get(id)?.state).toBe('SUCCESS');
    expect([...backend.atoms.get(id)!.keys()].sort()).toEqual(['a', 'b']);
    expect(backend.roundTrips).toBeGreaterThan(0);
  });

  it('holds the flow detail lock from open to close: a second engine is refused (TF_FLOW_LOCKED) until then', async () => {
    const backend = new SnapshotBackend();
    const id = randomUUID();
    const first = load(flow(), { backend, flowDetailId: id });
    await first.open();
    const second = load(flow(), { backend, flowDetailId: id });
    const refused = await errorOf(second.run());
    expect(TfError.is(refused, 'TF_FLOW_LOCKED')).toBe(true);
    expect((refused as Error).message).toContain(id);
    await second.close();
    expect(backend.locks.has(id)).toBe(true);
    await first.run();
    await first.close();
    expect(backend.locks.has(id)).toBe(false);
    const third = load(flow(), { backend, flowDetailId: id });
    await third.run();
    await third.close();
  });

  it("does not close a backend object the caller passed (it is the caller's)", async () => {
    const backend = new SnapshotBackend();
    await run(flow(), { backend });
    expect(backend.closed).toBe(0);
  });

  it('checks the persistence options when loading', () => {
    const backend = new SnapshotBackend();
    const invalid = (options: Record<string, unknown>) => () => load(flow(), options as Parameters<typeof load>[1]);
    expect(invalid({ backend, flowUuid: 'a', flowDetailId: 'b' })).toThrow(/flowDetailId/);
    expect(invalid({ backend: 42 })).toThrow(expect.objectContaining({ code: 'TF_INVALID_ARGUMENT' }));
    expect(invalid({ backend: { connection: 7 } })).toThrow(/backend/);
    expect(invalid({ book: 'orders' })).toThrow(/needs a 'backend'/);
    expect(invalid({ backend, book: { uuid: 'x' } })).toThrow(/book/);
  });

  it("refuses a 'book' on a backend that keeps no logbooks, and lets go of the lock", async () => {
    const backend = new SnapshotBackend();
    const id = randomUUID();
    const engine = load(flow(), { backend, book: 'orders', flowDetailId: id });
    const error = await errorOf(engine.run());
    expect(TfError.is(error, 'TF_INVALID_ARGUMENT')).toBe(true);
    expect(backend.locks.has(id)).toBe(false);
    await engine.close();
  });
});

describe('engines with a backend opened from a URL', () => {
  beforeEach(() => journal().clear());
  it('memory://name: a second engine in this process resumes what the first left; each closes the backend it opened', async () => {
    const backend = `memory://resume-${randomUUID()}`;
    const id = randomUUID();
    const flow = () => linearFlow('by-url').add(new SaveOrder({ name: 'a' }), new Fail({ name: 'boom' }), new SaveOrder({ name: 'c' }));
    const first = load(flow(), { backend, flowDetailId: id });
    await expect(first.run()).rejects.toThrow('Woot!');
    await first.close();
    expect(recordedCalls()).toEqual(['a.execute', 'boom.execute', 'boom.revert(Failure(Woot!); failures=boom)', 'a.revert(5)']);
    journal().clear();
    // The flow detail reverted: a new engine does not run it again, it settles as it ended.
    const second = load(flow(), { backend, flowDetailId: id });
    const error = await errorOf(second.run());
    await second.close();
    expect((error as Error).message).toContain('Woot!');
    expect(second.storage.flowState).toBe('REVERTED');
    expect(recordedCalls()).toEqual([]);
  });
});
