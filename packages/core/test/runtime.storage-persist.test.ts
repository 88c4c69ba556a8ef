import { describe, expect, it } from 'vitest';
import {
  Failure,
  Storage,
  Task,
  TfError,
  Times,
  compile,
  linearFlow,
  type AtomRecord,
  type FlowRecord,
  type StorageBackend,
  type StorageBatch,
} from '@tf/core';

class Noop extends Task {
  override execute() {
    return 1;
  }
}

function compiled(names = ['a', 'b', 'c']) {
  return compile(linearFlow('f', { retry: new Times({ name: 'r' }) }).add(...names.map((name) => new Noop({ name }))));
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

/** Applies batches after a delay; after each, records the atom states it holds. */
class BatchRecorder implements StorageBackend {
  readonly atoms = new Map<string, AtomRecord>();
  flow: FlowRecord | undefined;
  readonly applied: string[] = [];
  readonly batchSizes: number[] = [];
  fail = false;
  saveFlow(): void {
    throw new Error('saveBatch only');
  }
  saveAtom(): void {
    throw new Error('saveBatch only');
  }
  loadFlow = () => this.flow;
  loadAtoms = () => [...this.atoms.values()];
  async saveBatch(_uuid: string, batch: Readonly<StorageBatch>): Promise<void> {
    await tick();
    if (this.fail) throw new Error('database gone');
    if (batch.flow) this.flow = batch.flow as FlowRecord;
    for (const atom of batch.atoms) this.atoms.set(atom.name, atom as AtomRecord);
    this.batchSizes.push(batch.atoms.length + (batch.flow ? 1 : 0));
    this.applied.push(this.#picture());
  }
  #picture(): string {
    return `${this.flow?.state} ${[...this.atoms.values()].map((a) => `${a.name}:${a.state}:${String(a.result)}`).join(' ')}`;
  }
}

const picture = (s: Storage) =>
  `${s.flowState} ${s
    .atomNames()
    .map((n) => `${n}:${s.getState(n)}:${String(s.atom(n).result)}`)
    .join(' ')}`;

describe('Storage writes through saveBatch', () => {
  it('coalesces the changes made while a batch is in flight into the next one, and flush waits for all', async () => {
    const backend = new BatchRecorder();
    const storage = new Storage(compiled(), { backend });
    // The new flow detail and its atoms went out at once, in one batch.
    for (const name of ['a', 'b', 'c']) {
      storage.setState(name, 'RUNNING');
      storage.saveResult(name, name);
      storage.setState(name, 'SUCCESS');
    }
    storage.setFlowState('SUCCESS');
    await storage.flush();
    expect(storage.writeStatistics.roundTrips).toBe(2);
    expect(backend.batchSizes).toEqual([5, 4]);
    expect(backend.applied.at(-1)).toBe(picture(storage));
  });

  it('leaves the store, after every batch, in a state the live storage was in between two steps', async () => {
    const backend = new BatchRecorder();
    const storage = new Storage(compiled(['a', 'b', 'c', 'd', 'e']), { backend });
    const seen = new Set<string>([picture(storage)]);
    storage.setFlowState('RUNNING');
    seen.add(picture(storage));
    for (const name of ['r', 'a', 'b', 'c', 'd', 'e']) {
      storage.setState(name, 'RUNNING');
      seen.add(picture(storage));
      // a step's changes go in together: the result, then the state
      if (name !== 'c') await Promise.resolve();
      storage.saveResult(name, `${name}!`);
      storage.setState(name, 'SUCCESS');
      seen.add(picture(storage));
      if (name === 'b' || name === 'd') await tick();
    }
    await storage.flush();
    expect(backend.applied.length).toBeGreaterThan(2);
    expect(backend.applied.length).toBeLessThan(14);
    for (const applied of backend.applied) expect(seen).toContain(applied);
  });

  it('with batching off, writes every change in order, one call each', async () => {
    const writes: string[] = [];
    const backend: StorageBackend = {
      saveFlow: async (r) => {
        await tick();
        writes.push(`flow:${r.state}`);
      },
      saveAtom: async (_u, r) => {
        await tick();
        writes.push(`${r.name}:${r.state}`);
      },
      saveBatch: () => {
        throw new Error('not used');
      },
      loadFlow: () => undefined,
      loadAtoms: () => [],
    };
    const storage = new Storage(compiled(), { backend, batchWrites: false });
    storage.setState('a', 'RUNNING');
    storage.setState('a', 'SUCCESS');
    storage.setFlowState('RUNNING');
    await storage.flush();
    expect(writes).toEqual(['flow:PENDING', 'a:RUNNING', 'a:SUCCESS', 'flow:RUNNING']);
    expect(storage.writeStatistics.roundTrips).toBe(4);
  });

  it('stops writing after a failed batch and flush rejects with its error', async () => {
    const backend = new BatchRecorder();
    const storage = new Storage(compiled(), { backend });
    await storage.flush();
    backend.fail = true;
    storage.setState('a', 'RUNNING');
    storage.setState('b', 'RUNNING');
    await expect(storage.flush()).rejects.toThrow('database gone');
    expect(storage.writeError).toBeInstanceOf(Error);
    const trips = storage.writeStatistics.roundTrips;
    storage.setState('c', 'RUNNING');
    expect(storage.writeStatistics.roundTrips).toBe(trips);
  });
});

describe('Storage built from a loaded flow detail', () => {
  const failure = Failure.fromError(new RangeError('boom'));
  const loaded = (): { flow: FlowRecord; atoms: AtomRecord[] } => ({
    flow: { uuid: 'fd-1', name: 'f', state: 'RUNNING', store: { x: 1 }, logbookUuid: 'lb' },
    atoms: [
      {
        name: 'r',
        kind: 'retry',
        state: 'SUCCESS',
        intention: 'EXECUTE',
        progress: 1,
        result: 2,
        history: [{ value: 1, failures: { a: failure } }],
      },
      { name: 'a', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: { deep: true } },
      { name: 'b', kind: 'task', state: 'FAILURE', intention: 'REVERT', progress: 0, failure },
    ],
  });

  it('restores states, intentions, results, failures and retry histories; atoms it lacks start PENDING', () => {
    const detail = loaded();
    const storage = new Storage(compiled(), { loaded: detail, store: { y: 2 } });
    expect(storage.flowUuid).toBe('fd-1');
    expect(storage.loadedFlowState).toBe('RUNNING');
    expect(storage.getStates()).toEqual({ r: 'SUCCESS', a: 'SUCCESS', b: 'FAILURE', c: 'PENDING' });
    expect(storage.getIntention('b')).toBe('REVERT');
    expect(storage.get('a')).toEqual({ deep: true });
    expect(storage.getFailures()).toEqual({ b: failure });
    expect(storage.getHistory('r').length).toBe(1);
    expect(storage.fetchAll()).toMatchObject({ x: 1, y: 2 });
    storage.addRetryAttempt('r', 3);
    expect(detail.atoms[0]!.history).toHaveLength(1);
  });

  it('refuses atoms the flow does not have, and a changed kind, naming them (TF_FLOW_MISMATCH)', () => {
    const detail = loaded();
    detail.atoms.push({ name: 'gone', kind: 'task', state: 'PENDING', intention: 'EXECUTE', progress: 0 });
    detail.atoms[1]!.kind = 'retry';
    let error: unknown;
    try {
      new Storage(compiled(), { loaded: detail });
    } catch (e) {
      error = e;
    }
    expect(TfError.is(error, 'TF_FLOW_MISMATCH')).toBe(true);
    expect(error).toMatchObject({ unknownAtoms: ['gone'], kindChanged: ['a'], newAtoms: ['c'] });
    expect((error as Error).message).toContain('gone');
  });
});
