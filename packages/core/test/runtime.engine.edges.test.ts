/** ActionEngine's own rules around a run: statistics, one run at a time, listeners that throw, storage before open. */
import { describe, expect, it } from 'vitest';
import {
  ActionEngine,
  LocalTaskExecutor,
  Failure,
  MemoryBackend,
  Task,
  Times,
  TfError,
  linearFlow,
  unorderedFlow,
  type Logger,
  type StorageBatch,
  type WrappedFailure,
} from '@tf/core';

class Ok extends Task {
  override execute(): string {
    return this.name;
  }
}

/** Fails its first `failures` executions (counted per instance). */
class FailsFirst extends Task {
  #left: number;
  constructor(name: string, failures: number) {
    super({ name });
    this.#left = failures;
  }
  override execute(): string {
    if (this.#left-- > 0) throw new Error(`${this.name} failed`);
    return 'ok';
  }
}

function capturingLogger() {
  const lines: { level: string; msg: string | undefined; obj: unknown }[] = [];
  const at =
    (level: string) =>
    (obj: unknown, msg?: string): void => {
      lines.push({ level, msg, obj });
    };
  const logger: Logger = { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

describe('ActionEngine statistics', () => {
  it('are zero before a run; then count every completion and every failure resolved', async () => {
    const flow = linearFlow('f', { retry: new Times({ name: 'again', attempts: 3 }) }).add(new Ok({ name: 'a' }), new FailsFirst('b', 1));
    const engine = new ActionEngine(flow);
    expect(engine.statistics).toEqual({ completed: 0, discardedFailures: 0, activeForMs: 0 });
    const before = performance.now();
    await engine.run();
    const took = performance.now() - before;
    // again, a, b (failed); b and a reverted; again, a, b again
    expect(engine.statistics.completed).toBe(8);
    expect(engine.statistics.discardedFailures).toBe(1);
    expect(engine.statistics.activeForMs).toBeGreaterThan(0);
    expect(engine.statistics.activeForMs).toBeLessThanOrEqual(took);
  });
});

describe('ActionEngine runs', () => {
  it('refuses a second run while one is going on', async () => {
    let release: () => void = () => {};
    class Gate extends Task {
      override execute(): Promise<string> {
        return new Promise((resolve) => {
          release = () => resolve('released');
        });
      }
    }
    const engine = new ActionEngine(linearFlow('f').add(new Gate({ name: 'gate' })));
    const first = engine.run();
    await expect.poll(() => engine.storage.getState('gate'), { timeout: 5_000 }).toBe('RUNNING');
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(TfError.is(error, 'TF_INVALID_STATE')).toBe(true);
    expect((error as Error).message).toBe("Flow 'f' is already running");
    release();
    await first;
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(engine.storage.get('gate')).toBe('released');
  });

  it('a listener that throws is logged as a warning with its event; the run goes on', async () => {
    const { logger, lines } = capturingLogger();
    const engine = new ActionEngine(linearFlow('f').add(new Ok({ name: 'a' })), { logger });
    const boom = new Error('listener broke');
    engine.notifier.on('SUCCESS', () => {
      throw boom;
    });
    engine.atomNotifier.on('RUNNING', () => {
      throw boom;
    });
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    const warnings = lines.filter((l) => l.level === 'warn');
    expect(warnings).toEqual([
      { level: 'warn', msg: 'atom listener threw', obj: { err: boom, event: 'RUNNING' } },
      { level: 'warn', msg: 'flow listener threw', obj: { err: boom, event: 'SUCCESS' } },
    ]);
  });

  it('suspend() before a run, or after it ended, changes nothing', async () => {
    const engine = new ActionEngine(linearFlow('f').add(new Ok({ name: 'a' })));
    engine.suspend();
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    engine.suspend();
    expect(engine.storage.flowState).toBe('SUCCESS');
  });
});

describe('running again', () => {
  it('a flow that reverted runs again from the start, its retry histories forgotten', async () => {
    const retry = new Times({ name: 'again', attempts: 2 });
    const flaky = new FailsFirst('b', 2);
    const engine = new ActionEngine(linearFlow('f', { retry }).add(new Ok({ name: 'a' }), flaky));
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('b failed');
    expect(engine.storage.flowState).toBe('REVERTED');
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(engine.storage.getStates()).toEqual({ again: 'SUCCESS', a: 'SUCCESS', b: 'SUCCESS' });
    // the first run's two attempts are gone: this run's first attempt succeeded
    expect(engine.storage.getHistory('again').length).toBe(1);
    expect(engine.storage.get('again')).toBe(1);
  });

  it('a maxConcurrency below one runs one atom at a time', async () => {
    let running = 0;
    let most = 0;
    class Slow extends Task {
      override async execute(): Promise<void> {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setImmediate(resolve));
        running--;
      }
    }
    const flow = unorderedFlow('u').add(new Slow({ name: 's1' }), new Slow({ name: 's2' }), new Slow({ name: 's3' }));
    const engine = new ActionEngine(flow, { maxConcurrency: 0.5 });
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(most).toBe(1);
    most = 0;
    const parallel = new ActionEngine(unorderedFlow('u').add(new Slow({ name: 's1' }), new Slow({ name: 's2' })), { maxConcurrency: 2.9 });
    await parallel.run();
    expect(most).toBe(2);
  });

  it('a long run of synchronous atoms lets the event loop in: a suspend from a callback lands mid-run', async () => {
    const tasks = Array.from({ length: 1_200 }, (_, i) => new Ok({ name: `t${i}` }));
    const engine = new ActionEngine(linearFlow('long').add(...tasks));
    setImmediate(() => engine.suspend());
    await engine.run();
    expect(engine.storage.flowState).toBe('SUSPENDED');
    const done = Object.values(engine.storage.getStates()).filter((s) => s === 'SUCCESS').length;
    expect(done).toBeGreaterThan(0);
    expect(done).toBeLessThan(1_200);
  });
});

describe('suspending while reverting', () => {
  it('ends SUSPENDED with reverts left; running again finishes the revert', async () => {
    const reverted: string[] = [];
    class Undo extends Task {
      override execute(): string {
        return this.name;
      }
      override revert(): void {
        reverted.push(this.name);
      }
    }
    const flow = linearFlow('f').add(new Undo({ name: 'a' }), new Undo({ name: 'b' }), new FailsFirst('c', 5));
    const engine = new ActionEngine(flow);
    const stop = engine.atomNotifier.on('REVERTED', (_event, details) => {
      if (details.atomName === 'b') engine.suspend();
    });
    await engine.run();
    stop();
    expect(engine.storage.flowState).toBe('SUSPENDED');
    expect(engine.storage.getStates()).toEqual({ a: 'SUCCESS', b: 'REVERTED', c: 'REVERTED' });
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('c failed');
    expect(reverted).toEqual(['b', 'a']);
    expect(engine.storage.flowState).toBe('REVERTED');
  });
});

describe('ActionEngine storage', () => {
  it('with a backend and a flow uuid, storage is read only after open(); then it is what the backend held', async () => {
    const backend = new MemoryBackend();
    const flow = () => linearFlow('f').add(new Ok({ name: 'a' }));
    const first = new ActionEngine(flow(), { backend, flowUuid: 'u1', store: { k: 1 } });
    await first.run();
    const second = new ActionEngine(flow(), { backend, flowUuid: 'u1' });
    const error = (() => {
      try {
        second.storage;
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(TfError.is(error, 'TF_INVALID_STATE')).toBe(true);
    expect((error as Error).message).toBe(
      "The storage of flow 'f' comes from its backend: await engine.open() (or run()) before reading it",
    );
    const storage = await second.open();
    expect(second.storage).toBe(storage);
    expect(await second.open()).toBe(storage);
    expect(storage.flowUuid).toBe('u1');
    expect(storage.getState('a')).toBe('SUCCESS');
    expect(storage.fetch('k')).toBe(1);
  });

  it('a backend without a flow uuid, or a flow uuid without a backend, needs no open()', () => {
    const withBackend = new ActionEngine(linearFlow('f').add(new Ok({ name: 'a' })), { backend: new MemoryBackend() });
    expect(withBackend.storage.getState('a')).toBe('PENDING');
    const withUuid = new ActionEngine(linearFlow('f').add(new Ok({ name: 'a' })), { flowUuid: 'u2', store: { s: 2 } });
    expect(withUuid.storage.flowUuid).toBe('u2');
    expect(withUuid.storage.fetch('s')).toBe(2);
  });
});

describe('ActionEngine options that reach storage', () => {
  /** A memory backend that also takes batches, counting them. */
  class Batching extends MemoryBackend {
    batches = 0;
    saveBatch(flowUuid: string, batch: Readonly<StorageBatch>): void {
      this.batches++;
      if (batch.flow) this.saveFlow(batch.flow);
      for (const record of batch.atoms) this.saveAtom(flowUuid, record);
    }
  }

  it("a new flow detail keeps the flowDetail's logbook and metadata", async () => {
    const backend = new MemoryBackend();
    const engine = new ActionEngine(linearFlow('f').add(new Ok({ name: 'a' })), {
      backend,
      flowUuid: 'kept',
      flowDetail: { logbookUuid: 'book', meta: { owner: 'me' } },
    });
    await engine.run();
    const record = backend.loadFlow('kept');
    expect(record?.logbookUuid).toBe('book');
    expect(record?.meta).toEqual({ owner: 'me' });
    expect(record?.state).toBe('SUCCESS');
  });

  it('what openBackend() adds to the flow detail is merged over the flowDetail option', async () => {
    const backend = new MemoryBackend();
    class Filing extends ActionEngine {
      protected override openBackend() {
        return Promise.resolve({ backend, flowDetail: { logbookUuid: 'filed' } });
      }
    }
    const engine = new Filing(linearFlow('f').add(new Ok({ name: 'a' })), { flowUuid: 'filed-run', flowDetail: { meta: { owner: 'me' } } });
    await engine.run();
    expect(backend.loadFlow('filed-run')).toMatchObject({ logbookUuid: 'filed', meta: { owner: 'me' }, state: 'SUCCESS' });
  });

  it('batchWrites: false writes one record at a time even to a backend that takes batches; by default it batches', async () => {
    const flow = () => linearFlow('f').add(new Ok({ name: 'a' }), new Ok({ name: 'b' }));
    const oneByOne = new Batching();
    await new ActionEngine(flow(), { backend: oneByOne, batchWrites: false }).run();
    expect(oneByOne.batches).toBe(0);
    const batched = new Batching();
    await new ActionEngine(flow(), { backend: batched }).run();
    expect(batched.batches).toBeGreaterThan(0);
    const explicit = new Batching();
    await new ActionEngine(flow(), { backend: explicit, batchWrites: true }).run();
    expect(explicit.batches).toBeGreaterThan(0);
  });

  it('resuming a flow detail is logged with its uuid and the state it was left in', async () => {
    const backend = new MemoryBackend();
    await new ActionEngine(linearFlow('f').add(new Ok({ name: 'a' })), { backend, flowUuid: 'again' }).run();
    const { logger, lines } = capturingLogger();
    await new ActionEngine(linearFlow('f').add(new Ok({ name: 'a' })), { backend, flowUuid: 'again', logger }).run();
    expect(lines.filter((l) => l.level === 'info')).toEqual([
      { level: 'info', msg: 'resuming flow detail', obj: { flowUuid: 'again', state: 'SUCCESS' } },
    ]);
  });

  it('a new flow detail is not logged as resumed', async () => {
    const { logger, lines } = capturingLogger();
    await new ActionEngine(linearFlow('f').add(new Ok({ name: 'a' })), { backend: new MemoryBackend(), flowUuid: 'new', logger }).run();
    expect(lines.filter((l) => l.level === 'info')).toEqual([]);
  });
});

describe('ActionEngine logging', () => {
  it('a failed atom is logged at debug level with its name and formatted failure', async () => {
    const { logger, lines } = capturingLogger();
    const error = await new ActionEngine(linearFlow('f').add(new FailsFirst('b', 1)), { logger }).run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('b failed');
    const debug = lines.filter((l) => l.level === 'debug' && l.msg === 'atom failed');
    expect(debug).toHaveLength(1);
    const obj = debug[0]!.obj as { atom: string; failure: string };
    expect(obj.atom).toBe('b');
    expect(obj.failure).toContain('b failed');
  });
});

describe('a flow detail loaded in a final state', () => {
  it('left FAILURE (a revert failed): the first run settles as it did, rejecting with its failures, and runs nothing', async () => {
    const backend = new MemoryBackend();
    const undo = Failure.fromError(new Error('undo broke'));
    const boom = Failure.fromError(new Error('boom'));
    backend.saveFlow({ uuid: 'failed', name: 'f', state: 'FAILURE', store: {} });
    backend.saveAtom('failed', {
      name: 'a',
      kind: 'task',
      state: 'REVERT_FAILURE',
      intention: 'REVERT',
      progress: 1,
      result: 'a',
      revertFailure: undo,
    });
    backend.saveAtom('failed', { name: 'b', kind: 'task', state: 'REVERTED', intention: 'REVERT', progress: 1, failure: boom });
    let executed = 0;
    class Counted extends Task {
      override execute(): void {
        executed++;
      }
    }
    const engine = new ActionEngine(linearFlow('f').add(new Counted({ name: 'a' }), new Counted({ name: 'b' })), {
      backend,
      flowUuid: 'failed',
    });
    const states: string[] = [];
    const error = await (async () => {
      for await (const state of engine.runIter()) states.push(state);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(states).toEqual(['FAILURE']);
    expect(TfError.is(error, 'TF_WRAPPED_FAILURE')).toBe(true);
    expect((error as WrappedFailure).failures.map((f) => f.exceptionStr)).toEqual(['boom', 'undo broke']);
    expect(executed).toBe(0);
    expect(engine.storage.flowState).toBe('FAILURE');
  });
});

describe('ActionEngine accessors', () => {
  it('compiled is the flow compiled once', () => {
    const engine = new ActionEngine(linearFlow('f').add(new Ok({ name: 'a' }), new Ok({ name: 'b' })));
    expect(engine.compiled).toBe(engine.compile());
    expect(engine.compiled.atoms.map((n) => n.name)).toEqual(['a', 'b']);
  });

  it('storageIfOpen is undefined until the storage exists, then it', async () => {
    class Peeking extends ActionEngine {
      get peek() {
        return this.storageIfOpen;
      }
    }
    const engine = new Peeking(linearFlow('f').add(new Ok({ name: 'a' })), { backend: new MemoryBackend(), flowUuid: 'peek' });
    expect(engine.peek).toBeUndefined();
    const storage = await engine.open();
    expect(engine.peek).toBe(storage);
  });

  it('without a flow uuid the backend is not asked for a flow detail', async () => {
    class Asked extends MemoryBackend {
      loads = 0;
      override loadFlow(flowUuid: string) {
        this.loads++;
        return super.loadFlow(flowUuid);
      }
    }
    const backend = new Asked();
    class Opening extends ActionEngine {
      protected override openBackend() {
        return Promise.resolve({ backend });
      }
    }
    await new Opening(linearFlow('f').add(new Ok({ name: 'a' }))).run();
    expect(backend.loads).toBe(0);
    await new Opening(linearFlow('f').add(new Ok({ name: 'a' })), { flowUuid: 'named' }).run();
    expect(backend.loads).toBe(1);
  });
});

describe('ActionEngine: an executor that says how many atoms are worth running (concurrency())', () => {
  class Nap extends Task {
    override async execute(): Promise<string> {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return this.name;
    }
  }
  /** Runs tasks here, counting the most running at once; says `hint` when asked. */
  class Hinting extends LocalTaskExecutor {
    running = 0;
    most = 0;
    constructor(readonly hint: () => number) {
      super();
    }
    concurrency(): number {
      return this.hint();
    }
    override execute(...args: Parameters<LocalTaskExecutor['execute']>): unknown {
      this.most = Math.max(this.most, ++this.running);
      return Promise.resolve(super.execute(...args)).finally(() => this.running--);
    }
  }
  const wide = () => unorderedFlow('wide').add(...Array.from({ length: 20 }, (_, i) => new Nap({ name: `n${i}` })));

  it('starts no more than the smaller of the hint and maxConcurrency, read before each start', async () => {
    let asked = 0;
    const executor = new Hinting(() => (++asked > 10 ? 5 : 3));
    const engine = new ActionEngine(wide(), { executor, maxConcurrency: 8 });
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(executor.most).toBe(5);
    const capped = new Hinting(() => 50);
    await new ActionEngine(wide(), { executor: capped, maxConcurrency: 4 }).run();
    expect(capped.most).toBe(4);
  });

  it('ignores a hint that is not a number, and never goes under one atom', async () => {
    const nan = new Hinting(() => Number.NaN);
    const engine = new ActionEngine(wide(), { executor: nan, maxConcurrency: 6 });
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(nan.most).toBe(6);
    const zero = new Hinting(() => 0);
    await new ActionEngine(wide(), { executor: zero, maxConcurrency: 6 }).run();
    expect(zero.most).toBe(1);
  });
});
