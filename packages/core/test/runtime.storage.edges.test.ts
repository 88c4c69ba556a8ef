import { describe, expect, it } from 'vitest';
import {
  Failure,
  MemoryBackend,
  Storage,
  Task,
  TfError,
  Times,
  compile,
  linearFlow,
  type AtomRecord,
  type FlowRecord,
  type StorageBackend,
} from '@tf/core';

class Echo extends Task {
  static override requires = ['x'];
  static override optional = ['extra'];
  override execute({ x }: { x: unknown }) {
    return x;
  }
}

function setup(store: Record<string, unknown> = {}, backend?: StorageBackend) {
  const flow = linearFlow('s', { retry: new Times({ name: 'again', attempts: 2 }) }).add(
    new Echo({ name: 'first', provides: 'y' }),
    new Echo({ name: 'keyed', rebind: { x: 'y' }, provides: { k: 'key', i: 1 } }),
    new Echo({ name: 'injected', inject: { x: 'from-inject' }, provides: 'z' }),
  );
  const compiled = compile(flow);
  return { compiled, storage: new Storage(compiled, { store, flowUuid: 'uuid-1', ...(backend ? { backend } : {}) }) };
}

const failure = (message: string) => Failure.fromError(new Error(message));

describe('Storage, the edges', () => {
  it('starts every atom PENDING to EXECUTE with no progress, retries with an empty history, the flow PENDING with a copy of the store', () => {
    const store = { x: 1 };
    const { storage } = setup(store);
    store.x = 2;
    expect(storage.flowUuid).toBe('uuid-1');
    expect(storage.flowName).toBe('s');
    expect(storage.flowState).toBe('PENDING');
    expect(storage.storeKeys).toEqual(['x']);
    expect(storage.fetch('x')).toBe(1);
    expect(storage.atomNames()).toEqual(['again', 'first', 'keyed', 'injected']);
    expect(storage.atom('first')).toStrictEqual({ name: 'first', kind: 'task', state: 'PENDING', intention: 'EXECUTE', progress: 0 });
    expect(storage.atom('again')).toStrictEqual({
      name: 'again',
      kind: 'retry',
      state: 'PENDING',
      intention: 'EXECUTE',
      progress: 0,
      history: [],
    });
    expect(storage.getStates()).toEqual({ again: 'PENDING', first: 'PENDING', keyed: 'PENDING', injected: 'PENDING' });
    expect(new Storage(setup().compiled).flowUuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('names the flow when an atom is unknown', () => {
    const { storage } = setup();
    let error: unknown;
    try {
      storage.getState('ghost');
    } catch (e) {
      error = e;
    }
    expect(TfError.is(error, 'TF_NOT_FOUND')).toBe(true);
    expect((error as Error).message).toBe("No atom named 'ghost' in flow 's'");
  });

  it('forgets results, failures, revert outcomes and progress on PENDING only', () => {
    const { storage } = setup();
    storage.saveResult('first', 'r');
    storage.saveRevertResult('first', 'rr');
    storage.setProgress('first', 0.5);
    storage.setState('first', 'RUNNING');
    expect(storage.atom('first')).toMatchObject({ result: 'r', revertResult: 'rr', progress: 0.5 });
    storage.setState('first', 'PENDING');
    expect(storage.atom('first')).toStrictEqual({ name: 'first', kind: 'task', state: 'PENDING', intention: 'EXECUTE', progress: 0 });
    storage.saveFailure('first', failure('f'));
    storage.saveRevertFailure('first', failure('rf'));
    storage.setState('first', 'PENDING');
    expect(storage.getFailures()).toEqual({});
    expect(storage.getRevertFailures()).toEqual({});
  });

  it('a result replaces a failure and the other way round; a revert result replaces a revert failure', () => {
    const { storage } = setup();
    storage.saveFailure('first', failure('f'));
    storage.saveResult('first', 'ok');
    expect(storage.get('first')).toBe('ok');
    expect(storage.getFailures()).toEqual({});
    const f = failure('again');
    storage.saveFailure('first', f);
    expect(storage.atom('first').result).toBeUndefined();
    expect('result' in storage.atom('first')).toBe(false);
    storage.saveRevertFailure('first', f);
    storage.saveRevertResult('first', 'reverted');
    expect(storage.getRevertFailures()).toEqual({});
    expect(storage.atom('first').revertResult).toBe('reverted');
  });

  it('writes an intention only when it changes', () => {
    const saved: string[] = [];
    const backend: StorageBackend = {
      saveFlow: () => undefined,
      saveAtom: (_uuid: string, r: Readonly<AtomRecord>) => {
        saved.push(`${r.name} ${r.intention}`);
      },
      loadFlow: () => undefined,
      loadAtoms: () => [],
    };
    const { storage } = setup({}, backend);
    storage.setIntention('first', 'EXECUTE');
    storage.setIntention('first', 'REVERT');
    storage.setIntention('first', 'REVERT');
    expect(saved).toEqual(['first REVERT']);
    expect(storage.getIntention('first')).toBe('REVERT');
  });

  it('keeps retry attempts and failures, in the current attempt, starting one when there is none, and clears them', () => {
    const { storage } = setup();
    const early = failure('before any attempt');
    storage.addRetryFailure('again', 'first', early);
    expect(storage.getHistory('again').attempts).toEqual([{ value: undefined, failures: { first: early } }]);
    storage.addRetryAttempt('again', 2);
    const late = failure('second attempt');
    storage.addRetryFailure('again', 'keyed', late);
    const history = storage.getHistory('again');
    expect(history.values()).toEqual([undefined, 2]);
    expect(history.failureOf('keyed')).toBe(late);
    expect(history.failureOf('first', 0)).toBe(early);
    expect(history.failure).toBeUndefined();
    // The history handed out is a copy.
    (history.attempts[1]!.failures as Record<string, Failure>)['x'] = early;
    expect(storage.getHistory('again').failureOf('x')).toBeUndefined();
    const own = failure('retry itself');
    storage.saveFailure('again', own);
    expect(storage.getHistory('again').failure).toBe(own);
    storage.clearHistory('again');
    expect(storage.getHistory('again').length).toBe(0);
    // A task has no history; asking gives an empty one.
    expect(storage.getHistory('first').length).toBe(0);
  });

  it('reads keyed provides, skips providers that failed, are ignored or have no result, and optional arguments', () => {
    const { compiled, storage } = setup({ x: 'in' });
    expect(() => storage.fetch('k')).toThrow("Symbol 'k' has no value (no provider produced it and the store lacks it)");
    storage.saveResult('keyed', { key: 'K', 1: 'one' });
    expect(storage.fetch('k')).toBe('K');
    expect(storage.fetch('i')).toBe('one');
    storage.saveResult('keyed', { other: 1 });
    expect(() => storage.fetch('k')).toThrow(TfError);
    storage.saveResult('keyed', 'not an object');
    expect(() => storage.fetch('k')).toThrow(TfError);
    storage.saveResult('keyed', null);
    expect(() => storage.fetch('k')).toThrow(TfError);
    storage.saveResult('first', 'y1');
    expect(storage.fetch('y')).toBe('y1');
    storage.setState('first', 'IGNORE');
    expect(() => storage.fetch('y')).toThrow(TfError);
    expect(storage.fetchAll()).toEqual({ x: 'in' });
    storage.setState('first', 'PENDING');
    storage.saveFailure('first', failure('f'));
    expect(() => storage.fetch('y')).toThrow(TfError);
    expect(storage.fetchArgs(compiled.get('injected')!)).toEqual({ x: 'from-inject' });
    storage.inject({ extra: 'e' });
    expect(storage.fetchArgs(compiled.get('first')!)).toEqual({ x: 'in', extra: 'e' });
    expect(storage.storeKeys).toEqual(['x', 'extra']);
  });

  it('reports every missing required argument, by atom', () => {
    const { compiled, storage } = setup();
    let error: unknown;
    try {
      storage.fetchArgs(compiled.get('keyed')!);
    } catch (e) {
      error = e;
    }
    expect(TfError.is(error)).toBe(true);
    expect((error as { missing?: unknown }).missing ?? (error as Error).message).toBeDefined();
    expect((error as Error).message).toContain("'y'");
    expect((error as Error).message).toContain('keyed');
  });

  it('queues writes behind a pending async one with snapshots, in order, and stops writing after an error', async () => {
    const writes: string[] = [];
    let fail = false;
    const backend: StorageBackend = {
      async saveFlow(r: Readonly<FlowRecord>) {
        const state = r.state;
        await new Promise((resolve) => setTimeout(resolve, 5));
        writes.push(`flow ${state}`);
      },
      saveAtom(_uuid: string, r: Readonly<AtomRecord>) {
        if (fail) throw new Error('sync failure');
        writes.push(`atom ${r.name} ${String(r.result)}`);
      },
      loadFlow: () => undefined,
      loadAtoms: () => [],
    };
    const { storage } = setup({}, backend);
    storage.saveResult('first', 1);
    storage.saveResult('first', 2);
    storage.setFlowState('RUNNING');
    await storage.flush();
    expect(writes).toEqual(['flow PENDING', 'atom first 1', 'atom first 2', 'flow RUNNING']);

    const memory = new MemoryBackend();
    const sync = setup(
      {},
      {
        ...memory,
        saveFlow: (r) => memory.saveFlow(r),
        loadFlow: (u) => memory.loadFlow(u),
        loadAtoms: (u) => memory.loadAtoms(u),
        saveAtom: (u, r) => {
          if (fail) throw new Error('sync failure');
          memory.saveAtom(u, r);
        },
      },
    ).storage;
    fail = true;
    sync.saveResult('first', 'lost');
    fail = false;
    sync.saveResult('keyed', 'not written');
    await expect(sync.flush()).rejects.toThrow('sync failure');
    expect(memory.loadAtoms(sync.flowUuid)).toEqual([]);
  });
});
