/**
 * TaskFlow's engine semantics, as behaviour: one suite every engine runs unchanged
 * (serial, parallel, and the worker-based engine with workers executing the tasks).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  AlwaysRevert,
  AlwaysRevertAll,
  CapturingListener,
  Failure,
  ForEach,
  ParameterizedForEach,
  TfError,
  Times,
  type WrappedFailure,
  graphFlow,
  linearFlow,
  unorderedFlow,
} from '@tf/core';
import { load, REQUEST_STATE_EVENT, type Engine, type LoadOptions, type WorkerBasedEngine } from '@tf/engine';
import {
  AddOne,
  Defined,
  Fail,
  FailWithCause,
  Flaky,
  LocalAddOne,
  Multiply,
  NastyRevert,
  NeedsThree,
  Progressing,
  SaveOrder,
  SlowFail,
  Split,
  Stuck,
} from './tasks';
import { journal, recordedCalls } from './journal';

export interface SemanticsTarget {
  /** A label for the describe block. */
  name: string;
  /** Engine options for every test (engine kind, transport...). `store` is added per test. */
  options: () => LoadOptions;
  /** Whether atoms may run concurrently (then order assertions only hold along dependencies). */
  concurrent: boolean;
  /** Whether tasks run on workers (then execution timeouts apply, and are tested). */
  remote?: boolean;
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the run to fail');
}

function before(list: readonly string[], a: string, b: string): boolean {
  const i = list.indexOf(a);
  const j = list.indexOf(b);
  return i >= 0 && j >= 0 && i < j;
}

export function engineSemantics(target: SemanticsTarget): void {
  describe(`engine semantics: ${target.name}`, () => {
    if (target.setup) beforeAll(target.setup);
    if (target.teardown) afterAll(target.teardown);
    beforeEach(() => journal().clear());
    const calls = recordedCalls;

    const engineFor = (flow: Parameters<typeof load>[0], store: Record<string, unknown> = {}, extra: Partial<LoadOptions> = {}) =>
      load(flow, { ...target.options(), ...extra, store } as LoadOptions);

    describe('running', () => {
      it('runs a linear flow in order and stores results by provides', async () => {
        const flow = linearFlow('simple-linear').add(
          new AddOne({ provides: 'y' }),
          new Multiply({ name: 'mul', rebind: { a: 'y' }, provides: 'z' }),
          new Defined({ name: 'triple', rebind: { x: 'z' }, provides: 'w' }),
        );
        const engine = engineFor(flow, { x: 1 });
        await engine.run();
        expect(engine.storage.fetchAll()).toEqual({ x: 1, y: 2, z: 20, w: 60 });
        expect(calls()).toEqual(['semantics.AddOne.execute(1)', 'mul.execute(2, 10)', 'triple.execute(20)']);
        expect(engine.storage.flowState).toBe('SUCCESS');
        expect(Object.values(engine.storage.getStates())).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
      });

      it('passes optional arguments when available, leaves them out otherwise, and honours inject', async () => {
        const flow = unorderedFlow('optional').add(
          new Multiply({ name: 'default-b', rebind: { a: 'n' }, provides: 'p1' }),
          new Multiply({ name: 'stored-b', rebind: { a: 'n', b: 'factor' }, provides: 'p2' }),
          new Multiply({ name: 'injected-b', rebind: { a: 'n' }, inject: { b: 7 }, provides: 'p3' }),
        );
        const engine = engineFor(flow, { n: 2, factor: 3 });
        await engine.run();
        expect(engine.storage.fetch('p1')).toBe(20);
        expect(engine.storage.fetch('p2')).toBe(6);
        expect(engine.storage.fetch('p3')).toBe(14);
      });

      it('saves list and map results under each provided name', async () => {
        const flow = unorderedFlow('provides').add(
          new Split({ name: 'split-list', provides: ['first', 'second'] }),
          new Split({ name: 'split-map', provides: { total: 'sum', delta: 'diff' } }),
        );
        const engine = engineFor(flow, { x: 4 });
        await engine.run();
        expect(engine.storage.fetchAll()).toEqual({ x: 4, first: 4, second: 8, total: 8, delta: 0 });
      });

      it('runs every task of an unordered flow and the graph flow in dependency order', async () => {
        const flow = graphFlow('g').add(
          new AddOne({ name: 'c', rebind: { x: 'b' }, provides: 'c' }),
          new AddOne({ name: 'b', rebind: { x: 'a' }, provides: 'b' }),
          new AddOne({ name: 'a', provides: 'a' }),
          unorderedFlow('u').add(new SaveOrder({ name: 'u1' }), new SaveOrder({ name: 'u2' })),
        );
        const engine = engineFor(flow, { x: 0 });
        await engine.run();
        expect(engine.storage.fetch('c')).toBe(3);
        expect(before(calls(), 'a.execute(0)', 'b.execute(1)')).toBe(true);
        expect(before(calls(), 'b.execute(1)', 'c.execute(2)')).toBe(true);
        expect(calls()).toContain('u1.execute');
        expect(calls()).toContain('u2.execute');
      });

      it('refuses to run when a requirement is missing, naming it, before anything runs', async () => {
        const flow = linearFlow('missing').add(new AddOne({ provides: 'y' }), new Multiply({ rebind: { a: 'nope' } }));
        const error = await rejection(engineFor(flow, {}).run());
        expect(TfError.is(error, 'TF_MISSING_REQUIREMENTS')).toBe(true);
        expect((error as Error).message).toContain("'x'");
        expect((error as Error).message).toContain("'nope'");
        expect(calls()).toEqual([]);
      });

      it('notifies flow and atom transitions, and relays progress', async () => {
        const flow = linearFlow('notified').add(new Progressing({ name: 'p', provides: 'out' }));
        const engine = engineFor(flow);
        const listener = new CapturingListener({ progress: true }).attach(engine);
        await engine.run();
        listener.detach();
        expect(engine.storage.fetch('out')).toBe('done');
        expect(listener.values).toEqual([
          'flow.notified RUNNING',
          'p RUNNING',
          'p progress 0.25',
          'p progress 0.75',
          'p SUCCESS',
          'flow.notified SUCCESS',
        ]);
        expect(engine.storage.getProgress('p')).toBe(0.75);
      });

      it('yields the engine states from runIter', async () => {
        const engine = engineFor(linearFlow('iter').add(new SaveOrder({ name: 'only' })));
        const states: string[] = [];
        for await (const state of engine.runIter()) states.push(state);
        expect(states[0]).toBe('RESUMING');
        expect(states).toContain('SCHEDULING');
        expect(states.at(-1)).toBe('SUCCESS');
      });
    });

    describe('reverting', () => {
      it('reverts a linear flow in reverse order and rejects with the task error', async () => {
        const flow = linearFlow('revert-linear').add(
          new SaveOrder({ name: 'task1' }),
          new SaveOrder({ name: 'task2' }),
          new Fail({ name: 'fail' }),
          new SaveOrder({ name: 'never' }),
        );
        const engine = engineFor(flow);
        const error = await rejection(engine.run());
        expect((error as Error).name).toBe('WootError');
        expect((error as Error).message).toBe('Woot!');
        expect(Failure.fromError(error).check('WootError')).toBe('WootError');
        expect(calls()).toEqual([
          'task1.execute',
          'task2.execute',
          'fail.execute',
          'fail.revert(Failure(Woot!); failures=fail)',
          'task2.revert(5)',
          'task1.revert(5)',
        ]);
        expect(engine.storage.flowState).toBe('REVERTED');
        expect(engine.storage.getStates()).toEqual({ task1: 'REVERTED', task2: 'REVERTED', fail: 'REVERTED', never: 'PENDING' });
        expect(Object.keys(engine.storage.getFailures())).toEqual(['fail']);
      });

      it('gives revert its arguments, its own result and the flow failures', async () => {
        const flow = linearFlow('revert-args').add(new AddOne({ provides: 'y' }), new Fail({ name: 'boom' }));
        await rejection(engineFor(flow, { x: 41 }).run());
        expect(calls()).toContain('semantics.AddOne.revert(41, 42)');
        expect(calls()).toContain('boom.revert(Failure(Woot!); failures=boom)');
      });

      it("keeps a failure's cause chain: in the rejection, in storage and in the failed task's revert", async () => {
        const flow = linearFlow('caused').add(new SaveOrder({ name: 'first' }), new FailWithCause({ name: 'caused' }));
        const engine = engineFor(flow);
        const error = await rejection(engine.run());
        expect((error as Error).name).toBe('WootError');
        const chain = (failure: Failure | undefined): string[] =>
          failure ? [`${failure.excTypeNames[0]}: ${failure.exceptionStr}`, ...chain(failure.causes[0])] : [];
        const expected = ['WootError: Woot!', 'RangeError: disk full', 'Error: EIO'];
        expect(chain(Failure.fromError(error))).toEqual(expected);
        expect(chain(engine.storage.getFailures()['caused'])).toEqual(expected);
        expect(calls()).toEqual([
          'first.execute',
          'caused.execute',
          'caused.revert(Failure(Woot!) <- RangeError(disk full) <- Error(EIO))',
          'first.revert(5)',
        ]);
      });

      it('reverts a graph flow in reverse dependency order', async () => {
        const flow = graphFlow('revert-graph').add(
          new AddOne({ name: 'c', rebind: { x: 'b' }, provides: 'c' }),
          new Fail({ name: 'd', requires: ['c'] }),
          new AddOne({ name: 'a', provides: 'a' }),
          new AddOne({ name: 'b', rebind: { x: 'a' }, provides: 'b' }),
        );
        await rejection(engineFor(flow, { x: 0 }).run());
        const reverts = calls().filter((c) => c.includes('.revert'));
        expect(reverts).toEqual(['d.revert(Failure(Woot!); failures=d)', 'c.revert(2, 3)', 'b.revert(1, 2)', 'a.revert(0, 1)']);
      });

      it('reverts nested flows: everything after the nested flow first, its tasks, then what came before', async () => {
        const flow = linearFlow('outer').add(
          new SaveOrder({ name: 'first' }),
          unorderedFlow('inner').add(new SaveOrder({ name: 'in1' }), new SaveOrder({ name: 'in2' })),
          linearFlow('tail').add(new SaveOrder({ name: 'last' }), new Fail({ name: 'fail' })),
        );
        await rejection(engineFor(flow).run());
        const reverts = calls().filter((c) => c.includes('.revert'));
        expect(reverts[0]).toBe('fail.revert(Failure(Woot!); failures=fail)');
        expect(reverts[1]).toBe('last.revert(5)');
        expect(new Set(reverts.slice(2, 4))).toEqual(new Set(['in1.revert(5)', 'in2.revert(5)']));
        expect(reverts[4]).toBe('first.revert(5)');
        expect(reverts).toHaveLength(5);
      });

      it('reverts the completed tasks of an unordered flow when one fails', async () => {
        const flow = unorderedFlow('revert-unordered').add(
          new SaveOrder({ name: 's1' }),
          new Fail({ name: 'fail' }),
          new SaveOrder({ name: 's2' }),
        );
        const engine = engineFor(flow);
        await rejection(engine.run());
        const states = engine.storage.getStates();
        expect(states.fail).toBe('REVERTED');
        for (const name of ['s1', 's2']) {
          // Each either ran and was reverted, or never started.
          expect(['REVERTED', 'PENDING']).toContain(states[name]);
          expect(calls().includes(`${name}.execute`)).toBe(states[name] === 'REVERTED');
        }
      });

      it('ends in FAILURE with REVERT_FAILURE when a revert throws, rejecting with that error', async () => {
        const flow = linearFlow('nasty').add(
          new SaveOrder({ name: 'before' }),
          new NastyRevert({ name: 'nasty' }),
          new Fail({ name: 'fail' }),
        );
        const engine = engineFor(flow);
        const error = await rejection(engine.run());
        expect((error as Error).message).toBe('Gotcha!');
        expect(Failure.fromError(error).check('RangeError')).toBe('RangeError');
        expect(engine.storage.flowState).toBe('FAILURE');
        expect(engine.storage.getState('nasty')).toBe('REVERT_FAILURE');
        expect(engine.storage.getState('before')).toBe('SUCCESS');
        expect(calls()).not.toContain('before.revert(5)');
        expect(Object.keys(engine.storage.getRevertFailures())).toEqual(['nasty']);
      });

      it('rejects with a WrappedFailure holding every failure when several tasks failed', async () => {
        const flow = unorderedFlow('two-failures').add(
          new Progressing({ name: 'slow' }),
          new SlowFail({ name: 'f1' }),
          new SlowFail({ name: 'f2' }),
        );
        const engine = engineFor(flow);
        const error = await rejection(engine.run());
        if (target.concurrent) {
          expect(TfError.is(error, 'TF_WRAPPED_FAILURE')).toBe(true);
          expect((error as WrappedFailure).failures.map((f) => f.exceptionStr)).toEqual(['Woot!', 'Woot!']);
        } else {
          // One at a time: the first failure reverts the flow before f2 can start.
          expect((error as Error).message).toBe('Woot!');
          expect(Object.keys(engine.storage.getFailures())).toHaveLength(1);
        }
      });
    });

    describe('retrying', () => {
      it('Times retries the subflow, reverting in between, until it succeeds', async () => {
        const flow = linearFlow('retrying', { retry: new Times({ attempts: 3, provides: 'attempt' }) }).add(
          new SaveOrder({ name: 'setup' }),
          new Flaky({ name: 'flaky', inject: { failures: 2 }, provides: 'outcome' }),
        );
        const engine = engineFor(flow);
        await engine.run();
        expect(engine.storage.fetch('outcome')).toBe('ok');
        expect(engine.storage.fetch('attempt')).toBe(3);
        expect(calls()).toEqual([
          'setup.execute',
          'flaky.execute',
          'flaky.revert',
          'setup.revert(5)',
          'setup.execute',
          'flaky.execute',
          'flaky.revert',
          'setup.revert(5)',
          'setup.execute',
          'flaky.execute',
        ]);
        expect(engine.storage.getHistory('retrying_retry').length).toBe(3);
        expect(engine.storage.flowState).toBe('SUCCESS');
      });

      it('Times gives up after its attempts and reverts the flow', async () => {
        const flow = linearFlow('giving-up', { retry: new Times({ attempts: 2 }) }).add(
          new Flaky({ name: 'flaky', inject: { failures: 10 } }),
        );
        const engine = engineFor(flow);
        const error = await rejection(engine.run());
        expect((error as Error).message).toBe('flaky 9');
        expect(calls().filter((c) => c === 'flaky.execute')).toHaveLength(2);
        expect(engine.storage.flowState).toBe('REVERTED');
        expect(engine.storage.getState('giving-up_retry')).toBe('REVERTED');
      });

      it('a nested REVERT defers to the enclosing retry, which retries the outer flow', async () => {
        const inner = linearFlow('inner', { retry: new AlwaysRevert() }).add(new Flaky({ name: 'flaky', inject: { failures: 1 } }));
        const flow = linearFlow('outer', { retry: new Times({ attempts: 2 }) }).add(new SaveOrder({ name: 'head' }), inner);
        const engine = engineFor(flow);
        await engine.run();
        expect(calls()).toEqual(['head.execute', 'flaky.execute', 'flaky.revert', 'head.revert(5)', 'head.execute', 'flaky.execute']);
        expect(engine.storage.flowState).toBe('SUCCESS');
      });

      it('a nested REVERT without an enclosing retry reverts only its subflow', async () => {
        const inner = linearFlow('inner', { retry: new AlwaysRevert() }).add(new Flaky({ name: 'flaky', inject: { failures: 5 } }));
        const flow = linearFlow('outer').add(new SaveOrder({ name: 'head' }), inner);
        const engine = engineFor(flow);
        await rejection(engine.run());
        expect(calls()).toEqual(['head.execute', 'flaky.execute', 'flaky.revert']);
        expect(engine.storage.getState('head')).toBe('SUCCESS');
        expect(engine.storage.flowState).toBe('REVERTED');
      });

      it('REVERT_ALL from a nested retry reverts everything, whatever the outer retry says', async () => {
        const inner = linearFlow('inner', { retry: new AlwaysRevertAll() }).add(new Flaky({ name: 'flaky', inject: { failures: 1 } }));
        const flow = linearFlow('outer', { retry: new Times({ attempts: 5 }) }).add(new SaveOrder({ name: 'head' }), inner);
        const engine = engineFor(flow);
        await rejection(engine.run());
        expect(calls()).toEqual(['head.execute', 'flaky.execute', 'flaky.revert', 'head.revert(5)']);
        expect(engine.storage.flowState).toBe('REVERTED');
      });

      it('ForEach provides the next value on each attempt', async () => {
        const flow = linearFlow('for-each', { retry: new ForEach({ values: [1, 2, 3, 4], provides: 'value' }) }).add(
          new NeedsThree({ name: 'needs3', provides: 'result' }),
        );
        const engine = engineFor(flow);
        await engine.run();
        expect(engine.storage.fetch('result')).toBe(300);
        expect(calls()).toEqual(['needs3.execute(1)', 'needs3.revert(1)', 'needs3.execute(2)', 'needs3.revert(2)', 'needs3.execute(3)']);
      });

      it('ParameterizedForEach reads its values from storage and reverts when they run out', async () => {
        const flow = linearFlow('p-for-each', {
          retry: new ParameterizedForEach({ rebind: { values: 'candidates' }, provides: 'value' }),
        }).add(new NeedsThree({ name: 'needs3' }));
        const engine = engineFor(flow, { candidates: [5, 6] });
        const error = await rejection(engine.run());
        expect((error as Error).message).toBe('not three: 6');
        expect(calls()).toEqual(['needs3.execute(5)', 'needs3.revert(5)', 'needs3.execute(6)', 'needs3.revert(6)']);
      });
    });

    // Atoms named `home-*` are local (the class's `static local`, or the `local` option):
    // the worker-based engine runs them here and sends a request for every other task.
    describe('mixed local and remote tasks', () => {
      /** The atoms the engine sent a request for (worker-based only; the local engines send none). */
      const sentAtoms = (engine: Engine): string[] => {
        const sent: string[] = [];
        if ('requestNotifier' in engine) {
          (engine as WorkerBasedEngine).requestNotifier.on(REQUEST_STATE_EVENT, (_event, details) => {
            if (details.state === 'PENDING') sent.push(details.atomName);
          });
        }
        return sent;
      };
      const noneLocal = (sent: readonly string[]) => expect(sent.filter((name) => name.startsWith('home-'))).toEqual([]);

      it('passes results between local and remote atoms', async () => {
        const flow = linearFlow('mixed').add(
          new AddOne({ name: 'add', provides: 'y' }),
          new Multiply({ name: 'home-mul', rebind: { a: 'y' }, provides: 'z', local: true }),
          new LocalAddOne({ name: 'home-add', rebind: { x: 'z' }, provides: 'w' }),
          new Defined({ name: 'def', rebind: { x: 'w' }, provides: 'v' }),
        );
        const engine = engineFor(flow, { x: 1 });
        const sent = sentAtoms(engine);
        await engine.run();
        expect(engine.storage.fetchAll()).toEqual({ x: 1, y: 2, z: 20, w: 21, v: 63 });
        expect(calls()).toEqual(['add.execute(1)', 'home-mul.execute(2, 10)', 'home-add.execute(20)', 'def.execute(21)']);
        noneLocal(sent);
        if (target.remote) expect(sent).toEqual(['add', 'def']);
      });

      it('reverts local and remote atoms in reverse order, each with its own outcome', async () => {
        const flow = linearFlow('mixed-revert').add(
          new SaveOrder({ name: 'r1' }),
          new SaveOrder({ name: 'home-1', local: true }),
          new LocalAddOne({ name: 'home-2', provides: 'y' }),
          new SaveOrder({ name: 'r2' }),
          new Fail({ name: 'home-fail', local: true }),
          new SaveOrder({ name: 'never' }),
        );
        const engine = engineFor(flow, { x: 1 });
        const sent = sentAtoms(engine);
        const error = await rejection(engine.run());
        expect((error as Error).message).toBe('Woot!');
        expect(calls()).toEqual([
          'r1.execute',
          'home-1.execute',
          'home-2.execute(1)',
          'r2.execute',
          'home-fail.execute',
          'home-fail.revert(Failure(Woot!); failures=home-fail)',
          'r2.revert(5)',
          'home-2.revert(1, 2)',
          'home-1.revert(5)',
          'r1.revert(5)',
        ]);
        expect(engine.storage.flowState).toBe('REVERTED');
        expect(engine.storage.getState('never')).toBe('PENDING');
        noneLocal(sent);
      });

      it('a failing remote atom reverts the local ones before it', async () => {
        const flow = linearFlow('mixed-remote-fail').add(new LocalAddOne({ name: 'home-add', provides: 'y' }), new Fail({ name: 'fail' }));
        const engine = engineFor(flow, { x: 1 });
        const sent = sentAtoms(engine);
        await rejection(engine.run());
        expect(calls()).toEqual([
          'home-add.execute(1)',
          'fail.execute',
          'fail.revert(Failure(Woot!); failures=fail)',
          'home-add.revert(1, 2)',
        ]);
        noneLocal(sent);
        if (target.remote) expect(sent).toEqual(['fail', 'fail']);
      });

      it('retries a local task (Times) around a remote one, reverting both in between', async () => {
        const flow = linearFlow('mixed-retrying', { retry: new Times({ attempts: 3, provides: 'attempt' }) }).add(
          new SaveOrder({ name: 'setup' }),
          new Flaky({ name: 'home-flaky', inject: { failures: 2 }, provides: 'outcome', local: true }),
        );
        const engine = engineFor(flow);
        const sent = sentAtoms(engine);
        await engine.run();
        expect(engine.storage.fetch('outcome')).toBe('ok');
        expect(engine.storage.fetch('attempt')).toBe(3);
        expect(calls()).toEqual([
          'setup.execute',
          'home-flaky.execute',
          'home-flaky.revert',
          'setup.revert(5)',
          'setup.execute',
          'home-flaky.execute',
          'home-flaky.revert',
          'setup.revert(5)',
          'setup.execute',
          'home-flaky.execute',
        ]);
        noneLocal(sent);
      });

      it('an unordered mix runs every atom once, wherever it runs', async () => {
        const flow = unorderedFlow('mixed-unordered').add(
          ...[1, 2, 3].map((i) => new AddOne({ name: `r${i}`, provides: `r${i}` })),
          ...[1, 2, 3].map((i) => new LocalAddOne({ name: `home-${i}`, provides: `h${i}` })),
        );
        const engine = engineFor(flow, { x: 4 });
        const sent = sentAtoms(engine);
        await engine.run();
        expect(engine.storage.fetchAll()).toEqual({ x: 4, r1: 5, r2: 5, r3: 5, h1: 5, h2: 5, h3: 5 });
        expect([...calls()].sort()).toEqual(['home-1', 'home-2', 'home-3', 'r1', 'r2', 'r3'].map((name) => `${name}.execute(4)`));
        noneLocal(sent);
        if (target.remote) expect([...sent].sort()).toEqual(['r1', 'r2', 'r3']);
      });
    });

    describe('deciders', () => {
      const graphWithDecider = (allow: boolean, depth?: 'ALL' | 'ATOM' | 'FLOW' | 'NEIGHBORS') => {
        const a = new AddOne({ name: 'a', provides: 'a' });
        const b = new SaveOrder({ name: 'b' });
        const c = new SaveOrder({ name: 'c' });
        const seen: Record<string, unknown>[] = [];
        const flow = graphFlow('decided')
          .add(a, b, c)
          .link(a, b, {
            decider: (history) => {
              seen.push(history);
              return allow;
            },
            ...(depth ? { deciderDepth: depth } : {}),
          })
          .link(b, c);
        return { flow, seen };
      };

      it('runs the target when the decider says yes, passing the source results', async () => {
        const { flow, seen } = graphWithDecider(true);
        const engine = engineFor(flow, { x: 1 });
        await engine.run();
        expect(seen).toEqual([{ a: 2 }]);
        expect(calls()).toEqual(['a.execute(1)', 'b.execute', 'c.execute']);
      });

      it('ignores the target and everything after it (depth ALL) when the decider says no', async () => {
        const { flow } = graphWithDecider(false);
        const engine = engineFor(flow, { x: 1 });
        await engine.run();
        expect(calls()).toEqual(['a.execute(1)']);
        expect(engine.storage.getStates()).toEqual({ a: 'SUCCESS', b: 'IGNORE', c: 'IGNORE' });
        expect(engine.storage.flowState).toBe('SUCCESS');
      });

      it('ignores only the target with depth ATOM; its successors still run', async () => {
        const { flow } = graphWithDecider(false, 'ATOM');
        const engine = engineFor(flow, { x: 1 });
        await engine.run();
        expect(calls()).toEqual(['a.execute(1)', 'c.execute']);
        expect(engine.storage.getStates()).toEqual({ a: 'SUCCESS', b: 'IGNORE', c: 'SUCCESS' });
      });

      it('a decider on a link into a nested flow ignores the whole nested flow', async () => {
        const a = new AddOne({ name: 'a', provides: 'a' });
        const nested = linearFlow('nested').add(new SaveOrder({ name: 'n1' }), new SaveOrder({ name: 'n2' }));
        const flow = graphFlow('g')
          .add(a, nested)
          .link(a, nested, { decider: (h) => h.a === 100 });
        const engine = engineFor(flow, { x: 1 });
        await engine.run();
        expect(calls()).toEqual(['a.execute(1)']);
        expect(engine.storage.getState('n1')).toBe('IGNORE');
        expect(engine.storage.getState('n2')).toBe('IGNORE');
      });
    });

    // Only workers enforce an execution timeout: the local engines run a task to its end.
    if (target.remote) {
      describe('timeouts', () => {
        it('a task past its execution timeout is stopped and fails as a timeout; the flow reverts in order', async () => {
          const flow = linearFlow('timed').add(
            new SaveOrder({ name: 'before' }),
            new Stuck({ name: 'stuck' }),
            new SaveOrder({ name: 'never' }),
          );
          const engine = engineFor(flow, {}, { executionTimeoutMs: 300 });
          const error = await rejection(engine.run());
          expect((error as Error).name).toBe('ExecutionTimeoutError');
          expect((error as Error).message).toMatch(/'stuck' ran longer than its execution timeout of 300 ms/);
          expect(calls()).toEqual([
            'before.execute',
            'stuck.execute',
            'stuck.aborted(TF_EXECUTION_TIMEOUT)',
            "stuck.revert(Failure(Task 'stuck' ran longer than its execution timeout of 300 ms))",
            'before.revert(5)',
          ]);
          expect(engine.storage.getStates()).toEqual({ before: 'REVERTED', stuck: 'REVERTED', never: 'PENDING' });
          expect(engine.storage.flowState).toBe('REVERTED');
        });
      });
    }

    describe('suspending', () => {
      it('suspend stops scheduling; running again resumes where it stopped', async () => {
        const flow = linearFlow('suspendable').add(
          new SaveOrder({ name: 's1' }),
          new SaveOrder({ name: 's2' }),
          new SaveOrder({ name: 's3' }),
        );
        const engine = engineFor(flow);
        // Suspended while s2 runs (wherever it runs: the engine sees it start).
        const stopListening = engine.atomNotifier.on('RUNNING', (_event, d) => {
          if (d.atomName === 's2') engine.suspend();
        });
        await engine.run();
        expect(engine.storage.flowState).toBe('SUSPENDED');
        expect(calls()).toEqual(['s1.execute', 's2.execute']);
        expect(engine.storage.getStates()).toEqual({ s1: 'SUCCESS', s2: 'SUCCESS', s3: 'PENDING' });
        stopListening();
        await engine.run();
        expect(engine.storage.flowState).toBe('SUCCESS');
        expect(calls()).toEqual(['s1.execute', 's2.execute', 's3.execute']);
      });
    });
  });
}
