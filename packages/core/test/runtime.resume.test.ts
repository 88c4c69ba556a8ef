/**
 * What the scheduler does with a flow detail an engine left behind (in process, memory backend): the
 * flow states it passes through before running, the state an atom left mid-flight restarts from, a
 * failure stored but not resolved, and a flow run again after it ended.
 */
import { describe, expect, it } from 'vitest';
import {
  ActionEngine,
  Decision,
  Failure,
  LocalTaskExecutor,
  MemoryBackend,
  Notifier,
  Retry,
  type RetryHistory,
  Storage,
  Task,
  TaskCancelledError,
  TfError,
  compile,
  graphFlow,
  silentLogger,
  Times,
  type WrappedFailure,
  linearFlow,
  unorderedFlow,
  type AtomRecord,
  type FlowState,
  type Logger,
  type RevertContext,
} from '@tf/core';
import { Runtime } from '@tf/core/internal';

/** Every call to `execute` and `revert`, with what `revert` was given as the result. */
const calls: string[] = [];

const describeResult = (result: unknown): string => (Failure.is(result) ? `Failure(${result.exceptionStr})` : String(result));

class Step extends Task {
  override execute(): string {
    calls.push(`${this.name}.execute`);
    return `${this.name}-result`;
  }
  override revert(_args: object, { result }: RevertContext): void {
    calls.push(`${this.name}.revert(${describeResult(result)})`);
  }
}

class Boom extends Task {
  override execute(): never {
    calls.push(`${this.name}.execute`);
    throw new Error('boom');
  }
  override revert(_args: object, { result }: RevertContext): void {
    calls.push(`${this.name}.revert(${describeResult(result)})`);
  }
}

const atom = (name: string, fields: Partial<AtomRecord> = {}): AtomRecord => ({
  name,
  kind: 'task',
  state: 'PENDING',
  intention: 'EXECUTE',
  progress: 0,
  ...fields,
});

/** An engine over a flow detail `uuid` that a backend holds in `state` with these atoms. */
function leftBehind(flow: ReturnType<typeof linearFlow>, state: FlowState, atoms: AtomRecord[]) {
  const backend = new MemoryBackend();
  backend.saveFlow({ uuid: 'left', name: flow.name, state, store: {} });
  for (const record of atoms) backend.saveAtom('left', record);
  calls.length = 0;
  const engine = new ActionEngine(flow, { backend, flowUuid: 'left' });
  const flowEvents: string[] = [];
  engine.notifier.on(Notifier.ANY, (event, details) => flowEvents.push(`${details.oldState}>${event}`));
  const atomEvents: string[] = [];
  engine.atomNotifier.on(Notifier.ANY, (event, details) => atomEvents.push(`${details.atomName}:${details.oldState}>${event}`));
  return { engine, backend, flowEvents, atomEvents };
}

const outcome = (promise: Promise<void>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('a flow detail left by an engine that died', () => {
  const twoSteps = () => linearFlow('f').add(new Step({ name: 'a' }), new Step({ name: 'b' }));
  const halfDone = () => [atom('a', { state: 'SUCCESS', result: 'a-result', progress: 1 }), atom('b')];

  it('left RUNNING: passes through RESUMING and SUSPENDED, then runs what is left', async () => {
    const { engine, flowEvents } = leftBehind(twoSteps(), 'RUNNING', halfDone());
    await engine.run();
    expect(flowEvents).toEqual(['RUNNING>RESUMING', 'RESUMING>SUSPENDED', 'SUSPENDED>RUNNING', 'RUNNING>SUCCESS']);
    expect(calls).toEqual(['b.execute']);
  });

  it('left SUSPENDING: the same way (SUSPENDING cannot go to RUNNING directly)', async () => {
    const { engine, flowEvents } = leftBehind(twoSteps(), 'SUSPENDING', halfDone());
    await engine.run();
    expect(flowEvents).toEqual(['SUSPENDING>RESUMING', 'RESUMING>SUSPENDED', 'SUSPENDED>RUNNING', 'RUNNING>SUCCESS']);
    expect(calls).toEqual(['b.execute']);
  });

  it('left RESUMING: goes on to SUSPENDED, then runs', async () => {
    const { engine, flowEvents } = leftBehind(twoSteps(), 'RESUMING', halfDone());
    await engine.run();
    expect(flowEvents).toEqual(['RESUMING>SUSPENDED', 'SUSPENDED>RUNNING', 'RUNNING>SUCCESS']);
    expect(calls).toEqual(['b.execute']);
  });

  it('left SUSPENDED (a clean stop): runs straight away, what finished kept', async () => {
    const { engine, flowEvents } = leftBehind(twoSteps(), 'SUSPENDED', halfDone());
    await engine.run();
    expect(flowEvents).toEqual(['SUSPENDED>RUNNING', 'RUNNING>SUCCESS']);
    expect(calls).toEqual(['b.execute']);
    expect(engine.storage.get('a')).toBe('a-result');
  });

  it('an atom left RUNNING to execute runs again from PENDING', async () => {
    const { engine, atomEvents } = leftBehind(twoSteps(), 'RUNNING', [
      atom('a', { state: 'SUCCESS', result: 'a-result' }),
      atom('b', { state: 'RUNNING' }),
    ]);
    await engine.run();
    expect(calls).toEqual(['b.execute']);
    expect(atomEvents).toEqual(['b:PENDING>RUNNING', 'b:RUNNING>SUCCESS']);
  });

  it('an atom left REVERTING after it failed reverts again from FAILURE, given its failure', async () => {
    const flow = linearFlow('f').add(new Step({ name: 'a' }), new Boom({ name: 'b' }));
    const failure = Failure.fromError(new Error('boom'));
    const { engine, atomEvents } = leftBehind(flow, 'RUNNING', [
      atom('a', { state: 'SUCCESS', intention: 'REVERT', result: 'a-result' }),
      atom('b', { state: 'REVERTING', intention: 'REVERT', failure }),
    ]);
    const error = await outcome(engine.run());
    expect((error as Error).message).toBe('boom');
    expect(calls).toEqual(['b.revert(Failure(boom))', 'a.revert(a-result)']);
    expect(atomEvents.slice(0, 2)).toEqual(['b:FAILURE>REVERTING', 'b:REVERTING>REVERTED']);
    expect(engine.storage.getStates()).toEqual({ a: 'REVERTED', b: 'REVERTED' });
  });

  it('an atom left REVERTING after it succeeded reverts again from SUCCESS, given its result', async () => {
    const flow = linearFlow('f').add(new Step({ name: 'a' }), new Boom({ name: 'b' }));
    const failure = Failure.fromError(new Error('boom'));
    const { engine, atomEvents } = leftBehind(flow, 'RUNNING', [
      atom('a', { state: 'REVERTING', intention: 'REVERT', result: 'a-result' }),
      atom('b', { state: 'REVERTED', intention: 'REVERT', failure }),
    ]);
    const error = await outcome(engine.run());
    expect((error as Error).message).toBe('boom');
    expect(calls).toEqual(['a.revert(a-result)']);
    expect(atomEvents).toEqual(['a:SUCCESS>REVERTING', 'a:REVERTING>REVERTED']);
  });
});

describe('running a flow again after it ended', () => {
  it('after SUCCESS: nothing runs again, the results stay', async () => {
    calls.length = 0;
    const engine = new ActionEngine(linearFlow('f').add(new Step({ name: 'a' }), new Step({ name: 'b' })));
    await engine.run();
    await engine.run();
    expect(calls).toEqual(['a.execute', 'b.execute']);
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(engine.storage.get('b')).toBe('b-result');
  });

  it('after REVERTED: every atom starts over; only retries lose their history (tasks have none)', async () => {
    calls.length = 0;
    const retry = new Times({ name: 'again', attempts: 1 });
    let failures = 1;
    class FailsOnce extends Task {
      override execute(): string {
        calls.push(`${this.name}.execute`);
        if (failures-- > 0) throw new Error('once');
        return 'ok';
      }
    }
    const engine = new ActionEngine(linearFlow('f', { retry }).add(new Step({ name: 'a' }), new FailsOnce({ name: 'b' })));
    const error = await outcome(engine.run());
    expect((error as Error).message).toBe('once');
    expect(engine.storage.flowState).toBe('REVERTED');
    // Reverting a retry forgets its attempts; a task has none to forget.
    expect(engine.storage.getHistory('again').length).toBe(0);
    expect(engine.storage.atom('a').history).toBeUndefined();
    calls.length = 0;
    await engine.run();
    expect(calls).toEqual(['a.execute', 'b.execute']);
    expect(engine.storage.atom('a').history).toBeUndefined();
    expect(engine.storage.atom('b').history).toBeUndefined();
    expect(engine.storage.getHistory('again').length).toBe(1);
  });
});

describe('when the scheduler itself fails', () => {
  /** `a` settles first; `b` runs until `releaseB()`. */
  function twoAtOnce() {
    let releaseB: () => void = () => {};
    class Quick extends Task {
      override async execute(): Promise<string> {
        await Promise.resolve();
        return this.name;
      }
    }
    class Held extends Task {
      override execute(): Promise<string> {
        return new Promise((resolve) => {
          releaseB = () => resolve(this.name);
        });
      }
    }
    const flow = unorderedFlow('both').add(new Quick({ name: 'a' }), new Held({ name: 'b' }));
    const errors: { obj: unknown; msg: string | undefined }[] = [];
    const quiet = (): void => {};
    const logger: Logger = {
      trace: quiet,
      debug: quiet,
      info: quiet,
      warn: quiet,
      error: (obj: unknown, msg?: string) => {
        errors.push({ obj, msg });
        releaseB();
      },
    };
    return { flow, logger, errors };
  }

  it('a backend write that fails stops scheduling; the atom still running is waited for and settled; the run fails with the write error', async () => {
    const writeError = new Error('disk gone');
    class Breaks extends MemoryBackend {
      override saveAtom(flowUuid: string, record: Readonly<AtomRecord>): void {
        if (record.name === 'a' && record.state === 'SUCCESS') throw writeError;
        super.saveAtom(flowUuid, record);
      }
    }
    const { flow, logger, errors } = twoAtOnce();
    const engine = new ActionEngine(flow, { backend: new Breaks(), maxConcurrency: 2, logger });
    const error = await outcome(engine.run());
    expect((error as Error).message).toBe('disk gone');
    expect(errors).toEqual([{ obj: { err: writeError }, msg: 'scheduler failed' }]);
    expect(engine.storage.flowState).toBe('FAILURE');
    expect(engine.storage.getStates()).toEqual({ a: 'SUCCESS', b: 'SUCCESS' });
    expect(engine.storage.get('b')).toBe('b');
  });

  it('a completion that throws while the others are waited for is kept with the first error: the run fails with both', async () => {
    const { flow, logger, errors } = twoAtOnce();
    const engine = new ActionEngine(flow, { maxConcurrency: 2, logger });
    // No honest part of the runtime throws here: break storage itself, for each atom's result.
    const storage = engine.storage;
    storage.saveResult = (name: string) => {
      throw new Error(`cannot keep ${name}`);
    };
    const error = await outcome(engine.run());
    expect(TfError.is(error, 'TF_WRAPPED_FAILURE')).toBe(true);
    expect((error as WrappedFailure).failures.map((f) => f.exceptionStr)).toEqual(['cannot keep a', 'cannot keep b']);
    expect(errors.map((e) => e.msg)).toEqual(['scheduler failed']);
    expect(engine.storage.flowState).toBe('FAILURE');
  });
});

describe('a task cancelled while the flow suspends', () => {
  it('an execution cut short goes back to PENDING, the flow ends SUSPENDED, and the next run executes it', async () => {
    calls.length = 0;
    let cancel = true;
    let engine: ActionEngine | undefined;
    class Cut extends Task {
      override execute(): string {
        calls.push(`${this.name}.execute`);
        if (cancel) {
          cancel = false;
          engine?.suspend();
          throw new TaskCancelledError(this.name);
        }
        return 'done';
      }
    }
    engine = new ActionEngine(linearFlow('f').add(new Step({ name: 'a' }), new Cut({ name: 'b' }), new Step({ name: 'c' })));
    await engine.run();
    expect(engine.storage.flowState).toBe('SUSPENDED');
    expect(engine.storage.getStates()).toEqual({ a: 'SUCCESS', b: 'PENDING', c: 'PENDING' });
    expect(engine.storage.getFailures()).toEqual({});
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(calls).toEqual(['a.execute', 'b.execute', 'b.execute', 'c.execute']);
  });

  it('a revert cut short goes back to where it reverts from, and reverts again on the next run', async () => {
    calls.length = 0;
    let cancel = true;
    let engine: ActionEngine | undefined;
    class CutRevert extends Task {
      override execute(): string {
        calls.push(`${this.name}.execute`);
        return 'kept';
      }
      override revert(_args: object, { result }: RevertContext): void {
        calls.push(`${this.name}.revert(${describeResult(result)})`);
        if (cancel) {
          cancel = false;
          engine?.suspend();
          throw new TaskCancelledError(this.name);
        }
      }
    }
    engine = new ActionEngine(linearFlow('f').add(new Step({ name: 'a' }), new CutRevert({ name: 'b' }), new Boom({ name: 'c' })));
    await engine.run();
    expect(engine.storage.flowState).toBe('SUSPENDED');
    expect(engine.storage.getStates()).toEqual({ a: 'SUCCESS', b: 'FAILURE', c: 'REVERTED' });
    expect(engine.storage.getRevertFailures()).toEqual({});
    const error = await outcome(engine.run());
    expect((error as Error).message).toBe('boom');
    expect(calls).toEqual([
      'a.execute',
      'b.execute',
      'c.execute',
      'c.revert(Failure(boom))',
      'b.revert(kept)',
      'b.revert(kept)',
      'a.revert(a-result)',
    ]);
    expect(engine.storage.flowState).toBe('REVERTED');
  });

  it('cancelled while the flow is not suspending, it is an ordinary failure: the flow reverts', async () => {
    calls.length = 0;
    class Cut extends Task {
      override execute(): never {
        calls.push(`${this.name}.execute`);
        throw new TaskCancelledError(this.name);
      }
    }
    const engine = new ActionEngine(linearFlow('f').add(new Step({ name: 'a' }), new Cut({ name: 'b' })));
    const error = await outcome(engine.run());
    expect(TfError.is(error, 'TF_TASK_CANCELLED')).toBe(true);
    expect(engine.storage.flowState).toBe('REVERTED');
    expect(calls).toEqual(['a.execute', 'b.execute', 'a.revert(a-result)']);
  });

  it('a revert cancelled while the flow is not suspending is a revert failure: the flow fails', async () => {
    calls.length = 0;
    class CutRevert extends Task {
      override execute(): string {
        return 'kept';
      }
      override revert(): never {
        throw new TaskCancelledError(this.name);
      }
    }
    const engine = new ActionEngine(linearFlow('f').add(new CutRevert({ name: 'b' }), new Boom({ name: 'c' })));
    const error = await outcome(engine.run());
    expect(TfError.is(error, 'TF_TASK_CANCELLED')).toBe(true);
    expect(engine.storage.flowState).toBe('FAILURE');
    expect(engine.storage.getState('b')).toBe('REVERT_FAILURE');
  });
});

describe('Runtime.intentions()', () => {
  it('lists every atom with its intention: after a revert, REVERT for each', async () => {
    const flow = linearFlow('f').add(new Step({ name: 'a' }), new Boom({ name: 'b' }));
    const compiled = compile(flow);
    const storage = new Storage(compiled, { store: {} });
    const runtime = new Runtime({
      compiled,
      storage,
      executor: new LocalTaskExecutor(),
      notifier: new Notifier(),
      atomNotifier: new Notifier(),
      maxConcurrency: 1,
      logger: silentLogger,
    });
    expect(runtime.intentions()).toEqual({ a: 'EXECUTE', b: 'EXECUTE' });
    const states: string[] = [];
    const error = await (async () => {
      for await (const state of runtime.run()) states.push(state);
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('boom');
    expect(states.at(-1)).toBe('REVERTED');
    expect(runtime.intentions()).toEqual({ a: 'REVERT', b: 'REVERT' });
  });
});

describe('the machine states a run yields', () => {
  it('an atom that completes later: SCHEDULING, WAITING for it, ANALYZING it, SCHEDULING again, then the final state', async () => {
    class Later extends Task {
      override async execute(): Promise<string> {
        await Promise.resolve();
        return this.name;
      }
    }
    const engine = new ActionEngine(linearFlow('f').add(new Later({ name: 'a' })));
    const states: string[] = [];
    for await (const state of engine.runIter()) states.push(state);
    expect(states).toEqual(['RESUMING', 'SCHEDULING', 'WAITING', 'ANALYZING', 'SCHEDULING', 'SUCCESS']);
  });

  it('atoms that complete at once are handled while scheduling: no WAITING', async () => {
    const engine = new ActionEngine(linearFlow('f').add(new Step({ name: 'a' }), new Step({ name: 'b' })));
    const states: string[] = [];
    for await (const state of engine.runIter()) states.push(state);
    expect(states).toEqual(['RESUMING', 'SCHEDULING', 'SUCCESS']);
  });
});

describe('a run that succeeds after a failure', () => {
  it('an atom that failed in a first attempt and is ignored by a decider in the second: its failure is forgotten, the run resolves', async () => {
    calls.length = 0;
    let attempt = 0;
    class Gatekeeper extends Task {
      override execute(): string {
        attempt++;
        return attempt === 1 ? 'go' : 'skip';
      }
    }
    const gate = new Gatekeeper({ name: 'gate' });
    const b = new Boom({ name: 'b' });
    const g = graphFlow('g', { retry: new Times({ name: 'twice', attempts: 2 }) })
      .add(gate, b)
      .link(gate, b, { decider: (history) => history['gate'] === 'go' });
    const engine = new ActionEngine(g);
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(engine.storage.getState('b')).toBe('IGNORE');
    expect(engine.storage.getFailures()).toEqual({});
    expect(calls).toEqual(['b.execute', 'b.revert(Failure(boom))']);
  });
});

describe('resolved before the engine died', () => {
  it('a failure already resolved (its atom meant to revert) is not put to the retry controller again', async () => {
    const asked: number[] = [];
    class Counting extends Retry {
      override execute(history: RetryHistory): number {
        return history.length + 1;
      }
      override onFailure(history: RetryHistory): Decision {
        asked.push(history.length);
        return Decision.RETRY;
      }
    }
    let failures = 0;
    class FailsOnceMore extends Task {
      override execute(): string {
        if (failures-- > 0) throw new Error('again');
        return 'ok';
      }
    }
    const flow = linearFlow('f', { retry: new Counting({ name: 'r' }) }).add(new FailsOnceMore({ name: 'x' }));
    const failure = Failure.fromError(new Error('first'));
    // The dead engine resolved x's failure (RETRY): x is to be reverted, then the retry retries.
    const { engine } = leftBehind(flow, 'RUNNING', [
      atom('r', { kind: 'retry', state: 'SUCCESS', intention: 'RETRY', result: 1, history: [{ value: 1, failures: { x: failure } }] }),
      atom('x', { state: 'FAILURE', intention: 'REVERT', failure }),
    ]);
    await engine.run();
    expect(asked).toEqual([]);
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(engine.storage.getHistory('r').length).toBe(2);
  });
});

describe('a flow detail loaded REVERTED', () => {
  it('its first run settles as it was; the next runs it from the start, its retry attempts forgotten', async () => {
    calls.length = 0;
    const failure = Failure.fromError(new Error('boom'));
    const flow = linearFlow('f', { retry: new Times({ name: 'twice', attempts: 2 }) }).add(new Step({ name: 'a' }));
    const { engine } = leftBehind(flow, 'REVERTED', [
      // As a store may hold it: the reverted retry with the attempts it made.
      atom('twice', {
        kind: 'retry',
        state: 'REVERTED',
        intention: 'REVERT',
        history: [
          { value: 1, failures: { a: failure } },
          { value: 2, failures: { a: failure } },
        ],
      }),
      atom('a', { state: 'REVERTED', intention: 'REVERT', failure }),
    ]);
    const error = await outcome(engine.run());
    expect((error as Error).message).toBe('boom');
    expect(calls).toEqual([]);
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
    expect(calls).toEqual(['a.execute']);
    expect(engine.storage.getHistory('twice').length).toBe(1);
  });
});

describe('suspend() while the flow is not running', () => {
  it('while it resumes (from a flow listener): ignored, no error, the run goes on', async () => {
    const backend = new MemoryBackend();
    backend.saveFlow({ uuid: 'left', name: 'f', state: 'RUNNING', store: {} });
    const warnings: unknown[] = [];
    const quiet = (): void => {};
    const logger: Logger = { trace: quiet, debug: quiet, info: quiet, warn: (obj: unknown) => warnings.push(obj), error: quiet };
    const engine = new ActionEngine(linearFlow('f').add(new Step({ name: 'a' })), { backend, flowUuid: 'left', logger });
    engine.notifier.on('RESUMING', () => engine.suspend());
    await engine.run();
    expect(warnings).toEqual([]);
    expect(engine.storage.flowState).toBe('SUCCESS');
  });
});

describe('a run of synchronous atoms', () => {
  it('shorter than the burst: runs through without letting a suspend from a callback in', async () => {
    const engine = new ActionEngine(linearFlow('short').add(...Array.from({ length: 100 }, (_, i) => new Step({ name: `s${i}` }))));
    setImmediate(() => engine.suspend());
    await engine.run();
    expect(engine.storage.flowState).toBe('SUCCESS');
  });
});

describe('failures a backend gives back in another form', () => {
  const dict = { exception_str: 'disk full', traceback_str: '', exc_type_names: ['OSError', 'Exception'], version: 1 };

  it.each([
    ['TaskFlow dict form', dict, 'disk full'],
    ['a bare string', 'it broke', 'it broke'],
  ])('%s: resolved and raised as a Failure, not a TypeError', async (_label, stored, message) => {
    const flow = linearFlow('f').add(new Step({ name: 'a' }), new Step({ name: 'b' }));
    const { engine } = leftBehind(flow, 'RUNNING', [atom('a', { state: 'FAILURE', intention: 'EXECUTE', failure: stored }), atom('b')]);
    const error = await outcome(engine.run());
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain(message);
    const failure = engine.storage.getFailures().a;
    expect(Failure.is(failure)).toBe(true);
    expect(engine.storage.flowState).toBe('REVERTED');
    // Its revert is given the Failure: 'b' never ran.
    expect(calls).toEqual([`a.revert(Failure(${message}))`]);
  });

  it('a retry history and a revert failure come back as Failure objects too', () => {
    const flow = linearFlow('f').add(new Step({ name: 'a' }));
    const compiled = compile(flow);
    const storage = new Storage(compiled, {
      loaded: {
        flow: { uuid: 'u', name: 'f', state: 'REVERTED', store: {} },
        atoms: [atom('a', { state: 'REVERT_FAILURE', intention: 'REVERT', failure: dict, revertFailure: 'no undo' })],
      },
    });
    expect(Failure.is(storage.getFailures().a)).toBe(true);
    expect(storage.getFailures().a!.exceptionStr).toBe('disk full');
    expect(Failure.is(storage.getRevertFailures().a)).toBe(true);
  });

  it('null means no failure, as undefined does', () => {
    const flow = linearFlow('f').add(new Step({ name: 'a' }));
    const storage = new Storage(compile(flow), {
      loaded: {
        flow: { uuid: 'u', name: 'f', state: 'SUCCESS', store: {} },
        atoms: [atom('a', { state: 'SUCCESS', result: 1, failure: null, revertFailure: null })],
      },
    });
    expect(storage.getFailures()).toEqual({});
    expect(storage.getRevertFailures()).toEqual({});
    expect(storage.atom('a')).not.toHaveProperty('failure');
  });
});
