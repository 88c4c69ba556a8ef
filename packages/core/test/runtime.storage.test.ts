import { describe, expect, it } from 'vitest';
import {
  Failure,
  MemoryBackend,
  Storage,
  Task,
  TfError,
  compile,
  linearFlow,
  type AtomRecord,
  type FlowRecord,
  type StorageBackend,
} from '@tf/core';

class Echo extends Task {
  static override requires = ['x'];
  override execute({ x }: { x: unknown }) {
    return x;
  }
}

function storageFor(store: Record<string, unknown> = {}, backend?: StorageBackend) {
  const flow = linearFlow('s').add(
    new Echo({ name: 'first', provides: 'y' }),
    new Echo({ name: 'pair', rebind: { x: 'y' }, provides: ['p0', 'p1'] }),
    new Echo({ name: 'second', rebind: { x: 'p1' }, provides: 'y' }),
  );
  const compiled = compile(flow);
  return { compiled, storage: new Storage(compiled, { store, ...(backend ? { backend } : {}) }) };
}

describe('Storage', () => {
  it('resolves arguments from the store, then the nearest provider, and reports what is missing', () => {
    const { compiled, storage } = storageFor({ x: 'stored' });
    expect(storage.fetchArgs(compiled.get('first')!)).toEqual({ x: 'stored' });
    expect(() => storage.fetchArgs(compiled.get('pair')!)).toThrow(/'y'/);
    storage.saveResult('first', ['a', 'b']);
    storage.setState('first', 'RUNNING');
    storage.setState('first', 'SUCCESS');
    expect(storage.fetchArgs(compiled.get('pair')!)).toEqual({ x: ['a', 'b'] });
    storage.saveResult('pair', ['a', 'b']);
    expect(storage.fetch('p1')).toBe('b');
    expect(storage.fetch('y')).toEqual(['a', 'b']);
    storage.saveResult('second', 'shadowing');
    // The later provider of 'y' shadows the earlier one.
    expect(storage.fetch('y')).toBe('shadowing');
    expect(storage.fetchAll()).toEqual({ x: 'stored', y: 'shadowing', p0: 'a', p1: 'b' });
  });

  it('prefers the store to a provider, as TaskFlow does', () => {
    const { compiled, storage } = storageFor({ x: 'stored', y: 'from-store' });
    storage.saveResult('first', 'from-provider');
    expect(storage.fetchArgs(compiled.get('pair')!)).toEqual({ x: 'from-store' });
    expect(storage.fetch('y')).toBe('from-store');
  });

  it('throws a typed error for a symbol nobody has', () => {
    const { storage } = storageFor();
    let error: unknown;
    try {
      storage.fetch('nothing');
    } catch (e) {
      error = e;
    }
    expect(TfError.is(error, 'TF_NOT_FOUND')).toBe(true);
  });

  it('keeps failures, revert failures and retry history; PENDING forgets results', () => {
    const { storage } = storageFor();
    const failure = Failure.fromError(new Error('x'));
    storage.saveFailure('first', failure);
    expect(storage.getFailures()).toEqual({ first: failure });
    expect(storage.get('first')).toBe(failure);
    storage.saveRevertFailure('pair', failure);
    expect(Object.keys(storage.getRevertFailures())).toEqual(['pair']);
    storage.setState('first', 'PENDING');
    expect(storage.getFailures()).toEqual({});
    expect(storage.get('first')).toBeUndefined();
  });

  it('writes through to its backend, and flush waits for async backends and surfaces their errors', async () => {
    const memory = new MemoryBackend();
    const { storage } = storageFor({ x: 1 }, memory);
    storage.setFlowState('RUNNING');
    storage.saveResult('first', 42);
    expect(memory.loadFlow(storage.flowUuid)?.state).toBe('RUNNING');
    expect(memory.loadAtoms(storage.flowUuid).find((a) => a.name === 'first')?.result).toBe(42);

    const writes: string[] = [];
    const slow: StorageBackend = {
      async saveFlow(r: Readonly<FlowRecord>) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        writes.push(`flow ${r.state}`);
      },
      async saveAtom(_uuid: string, r: Readonly<AtomRecord>) {
        if (r.result === 'explode') throw new Error('disk full');
        writes.push(`atom ${r.name}`);
      },
      loadFlow: () => undefined,
      loadAtoms: () => [],
    };
    const second = storageFor({}, slow).storage;
    second.saveResult('first', 1);
    await second.flush();
    expect(writes).toEqual(['flow PENDING', 'atom first']);
    second.saveResult('pair', 'explode');
    await expect(second.flush()).rejects.toThrow('disk full');
  });
});

describe('Storage without a backend', () => {
  it('keeps one copy: its backend reads the live records, a copy per read, and writes nothing', async () => {
    const { storage } = storageFor({ x: 1 });
    storage.setState('first', 'RUNNING');
    storage.saveResult('first', { deep: [1] });
    storage.setState('first', 'SUCCESS');
    const backend = storage.backend;
    const flow = (await backend.loadFlow(storage.flowUuid))!;
    expect(flow).toMatchObject({ uuid: storage.flowUuid, name: 's', state: 'PENDING', store: { x: 1 } });
    const atoms = await backend.loadAtoms(storage.flowUuid);
    expect(atoms.map((a) => [a.name, a.state])).toEqual([
      ['first', 'SUCCESS'],
      ['pair', 'PENDING'],
      ['second', 'PENDING'],
    ]);
    expect(atoms[0]!.result).toEqual({ deep: [1] });
    // Copies: changing what a read returned does not reach storage, and later changes do not reach the copy.
    atoms[0]!.state = 'FAILURE';
    flow.store.x = 2;
    storage.setFlowState('RUNNING');
    expect(storage.getState('first')).toBe('SUCCESS');
    expect(storage.fetch('x')).toBe(1);
    expect(flow.state).toBe('PENDING');
    expect(await backend.loadFlow('another-uuid')).toBeUndefined();
    expect(await backend.loadAtoms('another-uuid')).toEqual([]);
    expect(storage.writeStatistics).toEqual({ roundTrips: 0, records: 0 });
    const mark = storage.changeMark;
    expect(mark).toBeGreaterThan(0);
    expect(storage.isDurable(mark)).toBe(true);
    await expect(storage.durable(mark)).resolves.toBeUndefined();
    await expect(storage.flush()).resolves.toBeUndefined();
  });

  it('is no backend for another storage: refused when that storage is built, before anything runs', () => {
    const { compiled, storage } = storageFor();
    expect(() => new Storage(compiled, { backend: storage.backend })).toThrow(expect.objectContaining({ code: 'TF_BACKEND_READ_ONLY' }));
  });

  it('refuses writes from anyone else, with a typed error: they could not be kept', () => {
    const { storage } = storageFor();
    const record = { uuid: 'u', name: 'n', state: 'PENDING', store: {} } as const;
    expect(() => storage.backend.saveFlow(record)).toThrow(expect.objectContaining({ code: 'TF_BACKEND_READ_ONLY' }));
    expect(() => storage.backend.saveAtom('u', { name: 'a', kind: 'task', state: 'PENDING', intention: 'EXECUTE', progress: 0 })).toThrow(
      expect.objectContaining({ code: 'TF_BACKEND_READ_ONLY' }),
    );
  });
});
