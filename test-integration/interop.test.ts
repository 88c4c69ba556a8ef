/**
 * Interop with Debian's Python TaskFlow (python3-taskflow) over RabbitMQ, both ways:
 * - a tf engine (this process) runs a flow whose tasks a Python TaskFlow Worker executes,
 *   including a failure that makes the flow revert (in Python);
 * - a Python TaskFlow worker-based engine runs a flow on a `tf-worker` process, with progress
 *   events and a failure.
 * Results and failure dicts must arrive intact both ways.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Failure, RemoteFailureError, Task, linearFlow, unorderedFlow } from '@tf/core';
import { load } from '@tf/engine';
import { Explode } from './fixtures/interop-tasks';
import { startWorker, type WorkerProcess } from './helpers';
import { runPythonEngine, startPythonWorker, type PythonProcess } from './python-helpers';
import { AMQP_URL, describeWith, uniqueName } from './services';

// ---- TypeScript mirrors of python/interop_tasks.py: same wire names and requires; never run here ----

abstract class PythonOnly<A extends object, R> extends Task<A, R> {
  override execute(): R {
    throw new Error(`${this.taskName} must run on the Python worker, not in the tf engine`);
  }
  override revert(): void {
    throw new Error(`${this.taskName} must revert on the Python worker, not in the tf engine`);
  }
}
class AddOne extends PythonOnly<{ x: number; revert_log: string }, number> {
  static override taskName = 'interop_tasks.AddOne';
  static override requires = ['x', 'revert_log'];
}
class Multiply extends PythonOnly<{ a: number; b: number; revert_log: string }, number> {
  static override taskName = 'interop_tasks.Multiply';
  static override requires = ['a', 'b', 'revert_log'];
}
class Echo extends PythonOnly<{ value: unknown; revert_log: string }, Record<string, unknown>> {
  static override taskName = 'interop_tasks.Echo';
  static override requires = ['value', 'revert_log'];
}
class Sleep extends PythonOnly<{ x: number; ms: number; revert_log: string }, { x: number; pid: number }> {
  static override taskName = 'interop_tasks.Sleep';
  static override requires = ['x', 'ms', 'revert_log'];
}
class Nothing extends PythonOnly<{ revert_log: string }, null> {
  static override taskName = 'interop_tasks.Nothing';
  static override requires = ['revert_log'];
}
class Progress extends PythonOnly<{ x: number; revert_log: string }, number> {
  static override taskName = 'interop_tasks.Progress';
  static override requires = ['x', 'revert_log'];
}
class Fail extends PythonOnly<{ revert_log: string }, never> {
  static override taskName = 'interop_tasks.Fail';
  static override requires = ['revert_log'];
}

// ---- shared state ----

let dir: string;
let revertLog: string;
let pyWorkers: PythonProcess[] = [];
let tfWorkers: WorkerProcess[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tf-it-interop-'));
  revertLog = join(dir, 'reverts.jsonl');
});
afterEach(async () => {
  await Promise.all([...pyWorkers.map((w) => w.stop()), ...tfWorkers.map((w) => w.stop())]);
  pyWorkers = [];
  tfWorkers = [];
  rmSync(dir, { recursive: true, force: true });
});

interface RevertLine {
  task: string;
  cls: string;
  pid: number;
  arguments: Record<string, unknown>;
  result: { success?: unknown; failure?: Record<string, unknown> };
  flow_failures: Record<string, Record<string, unknown>>;
}

function reverts(): RevertLine[] {
  if (!existsSync(revertLog)) return [];
  return readFileSync(revertLog, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RevertLine);
}

/** A Python worker on topic `py` and a tf-worker on topic `ts`; each is stopped after the test even if the other fails to start. */
async function mixedWorkers(exchange: string): Promise<[PythonProcess, WorkerProcess]> {
  const args = [
    '--transport',
    'amqp',
    '--url',
    AMQP_URL,
    '--exchange',
    exchange,
    '--topic',
    'ts',
    '--tasks',
    './test-integration/fixtures/interop-tasks.ts',
  ];
  const [py, ts] = await Promise.allSettled([
    startPythonWorker({ url: AMQP_URL, exchange, topic: 'py' }).then((w) => {
      pyWorkers.push(w);
      return w;
    }),
    startWorker(args).then((w) => {
      tfWorkers.push(w);
      return w;
    }),
  ]);
  if (py.status === 'rejected') throw py.reason;
  if (ts.status === 'rejected') throw ts.reason;
  return [py.value, ts.value];
}

const ECHO_SHAPE = {
  text: 'h\u00e9llo \u2603 \u{1F600}',
  nested: { list: [1, 2.5, null, true, false, 'x'], empty: {}, none: null },
  big: 2 ** 53 - 1,
};

await describeWith(['rabbitmq', 'python-taskflow'], 'interop with Python TaskFlow over RabbitMQ', () => {
  describe('a tf engine drives a Python TaskFlow worker', () => {
    it('a Python worker (no heartbeats) killed mid-task: its requests go to another once its topic expires', async () => {
      const exchange = uniqueName('it-py-expiry');
      const [victim, survivor] = await Promise.all(['py1', 'py2'].map((topic) => startPythonWorker({ url: AMQP_URL, exchange, topic })));
      pyWorkers.push(victim!, survivor!);
      const flow = unorderedFlow('py-expiry').add(
        ...[0, 1, 2, 3].map((x) => new Sleep({ name: `sleep${x}`, inject: { x }, provides: `s${x}` })),
      );
      const engine = load(flow, {
        engine: 'worker-based',
        url: AMQP_URL,
        transport: 'amqp',
        exchange,
        topics: ['py1', 'py2'],
        notifyIntervalMs: 500,
        workerExpiryMs: 3_000,
        store: { ms: 2_000, revert_log: revertLog },
      });
      let killed = false;
      engine.atomNotifier.on('RUNNING', () => {
        if (killed) return;
        killed = true;
        // Python acks on receipt: what it held is gone with it.
        setTimeout(() => victim!.child.kill('SIGKILL'), 300);
      });
      expect(await engine.waitForWorkers(2, 30_000)).toBe(2);
      const started = Date.now();
      await engine.run();
      expect(Date.now() - started).toBeLessThan(30_000);
      const results = engine.storage.fetchAll();
      for (const x of [0, 1, 2, 3]) expect(results[`s${x}`]).toEqual({ x, pid: survivor!.pid });
    });

    async function pythonWorker() {
      const exchange = uniqueName('it-py-worker');
      const topic = 'py-tasks';
      const worker = await startPythonWorker({ url: AMQP_URL, exchange, topic });
      pyWorkers.push(worker);
      return { worker, exchange, topic };
    }

    function engineFor(flow: ReturnType<typeof linearFlow>, exchange: string, topic: string, store: Record<string, unknown>) {
      return load(flow, {
        engine: 'worker-based',
        url: AMQP_URL,
        transport: 'amqp',
        exchange,
        topics: [topic],
        transitionTimeoutMs: 30_000,
        store: { ...store, revert_log: revertLog },
      });
    }

    it('gets results (numbers, null, nested JSON) and progress events computed in Python', async () => {
      const { worker, exchange, topic } = await pythonWorker();
      const flow = linearFlow('py-success').add(
        new AddOne({ name: 'add', provides: 'y' }),
        new Multiply({ name: 'mul', rebind: { a: 'y' }, provides: 'z' }),
        new Progress({ name: 'progress', rebind: { x: 'z' }, provides: 'p' }),
        new Echo({ name: 'echo', rebind: { value: 'z' }, provides: 'echo' }),
        new Nothing({ name: 'nothing', provides: 'nothing' }),
      );
      const engine = engineFor(flow, exchange, topic, { x: 4, b: 10 });
      const progress: { atom: string; progress: number; details: unknown }[] = [];
      engine.atomNotifier.on('update_progress', (_event, d) => {
        progress.push({ atom: d.atomName, progress: d.progress as number, details: d.details });
      });
      expect(await engine.waitForWorkers(1, 30_000)).toBe(1);
      expect([...engine.executor.workers.get(topic)!.tasks].sort()).toEqual(
        ['AddOne', 'Echo', 'Fail', 'Multiply', 'Nothing', 'Progress', 'Sleep'].map((n) => `interop_tasks.${n}`),
      );
      await engine.run();
      const results = engine.storage.fetchAll();
      expect(results).toEqual({
        x: 4,
        b: 10,
        revert_log: revertLog,
        y: 5,
        z: 50,
        p: 50,
        echo: { value: 50, ...ECHO_SHAPE, pid: worker.pid },
        nothing: null,
      });
      // Python's update_progress(0.25), update_progress(0.75): details carry only the progress.
      expect(progress.filter((e) => e.atom === 'progress')).toEqual([
        { atom: 'progress', progress: 0.25, details: undefined },
        { atom: 'progress', progress: 0.75, details: undefined },
      ]);
      expect(reverts()).toEqual([]);
    });

    it('reverts in Python, in reverse order, and rejects with the Python failure (type chain, message, traceback, causes)', async () => {
      const { worker, exchange, topic } = await pythonWorker();
      const flow = linearFlow('py-failure').add(
        new AddOne({ name: 'add', provides: 'y' }),
        new Multiply({ name: 'mul', rebind: { a: 'y' }, provides: 'z' }),
        new Fail({ name: 'fail' }),
      );
      const engine = engineFor(flow, exchange, topic, { x: 4, b: 10 });
      const states: [string, string][] = [];
      engine.atomNotifier.on('*', (event, d) => {
        if (event !== 'update_progress') states.push([d.atomName, event]);
      });
      const error = await engine.run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RemoteFailureError);
      const failure = (error as RemoteFailureError).failure;
      expect(Failure.is(failure)).toBe(true);
      expect(failure.excTypeNames).toEqual(['RuntimeError', 'Exception']);
      expect(failure.exceptionStr).toBe('boom from python');
      expect(failure.tracebackStr).toContain('interop_tasks.py');
      expect(failure.tracebackStr).toContain("raise RuntimeError('boom from python') from e");
      expect(failure.causes).toHaveLength(1);
      expect(failure.causes[0]!.excTypeNames).toEqual(['OSError', 'Exception']);
      expect(failure.causes[0]!.exceptionStr).toBe('disk on fire');
      // The dict as Python TaskFlow made it, every deterministic field exactly.
      const dict = failure.toDict();
      expect(dict).toEqual({
        exception_str: 'boom from python',
        traceback_str: expect.stringContaining('interop_tasks.py'),
        exc_type_names: ['RuntimeError', 'Exception'],
        version: 1,
        exc_args: ['boom from python'],
        causes: [
          {
            exception_str: 'disk on fire',
            traceback_str: expect.stringContaining("raise IOError('disk on fire')"),
            exc_type_names: ['OSError', 'Exception'],
            version: 1,
            exc_args: ['disk on fire'],
            causes: [],
          },
        ],
      });
      expect(failure.check('RuntimeError')).toBe('RuntimeError');

      // Reverted in Python, failed task first, each with the arguments and result it had.
      const log = reverts();
      expect(log.map((l) => l.task)).toEqual(['fail', 'mul', 'add']);
      expect(new Set(log.map((l) => l.pid))).toEqual(new Set([worker.pid]));
      expect(log.map((l) => l.cls)).toEqual(['interop_tasks.Fail', 'interop_tasks.Multiply', 'interop_tasks.AddOne']);
      expect(log[0]!.result).toEqual({ failure: dict });
      expect(log[1]!.arguments).toEqual({ a: 5, b: 10 });
      expect(log[1]!.result).toEqual({ success: 50 });
      expect(log[2]!.arguments).toEqual({ x: 4 });
      expect(log[2]!.result).toEqual({ success: 5 });
      // The failure went Python -> tf -> Python and came out as it went in.
      for (const line of log) expect(line.flow_failures).toEqual({ fail: dict });

      expect(states.filter(([, s]) => s === 'REVERTED').map(([a]) => a)).toEqual(['fail', 'mul', 'add']);
      expect(engine.storage.flowState).toBe('REVERTED');
    });
  });

  describe('a tf engine drives a Python worker and a tf-worker in one flow', () => {
    it("reverts the Python task after a JS failure (failure dicts from tf pass Python's validation)", async () => {
      const exchange = uniqueName('it-mixed');
      const [py, ts] = await mixedWorkers(exchange);
      const flow = linearFlow('mixed').add(new AddOne({ name: 'add', provides: 'y' }), new Explode({ name: 'explode' }));
      const engine = load(flow, {
        engine: 'worker-based',
        url: AMQP_URL,
        transport: 'amqp',
        exchange,
        topics: ['py', 'ts'],
        // A Python worker that rejects the revert request never answers: it would time out.
        transitionTimeoutMs: 15_000,
        store: { x: 1, revert_log: revertLog },
      });
      expect(await engine.waitForWorkers(2, 30_000)).toBe(2);
      const error = await engine.run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(RemoteFailureError);
      const failure = (error as RemoteFailureError).failure;
      expect(failure.excTypeNames).toEqual(['TypeError', 'Error', 'Exception']);
      expect(failure.exceptionStr).toBe('bad input from ts');
      expect(engine.storage.flowState).toBe('REVERTED');
      const log = reverts();
      expect(log.map((l) => [l.task, l.pid])).toEqual([
        ['explode', ts.pid],
        ['add', py.pid],
      ]);
      expect(log[1]!.result).toEqual({ success: 2 });
      // What Python received is the failure as the tf-worker sent it.
      const dict = failure.toDict();
      expect(dict.causes![0]!.exc_type_names).toEqual(['RangeError', 'Error', 'Exception']);
      expect(log[0]!.result).toEqual({ failure: dict });
      expect(log[1]!.flow_failures).toEqual({ explode: dict });
    });
  });

  describe('a Python TaskFlow engine drives a tf-worker', () => {
    async function tfWorker() {
      const exchange = uniqueName('it-tf-worker');
      const topic = 'ts-tasks';
      const worker = await startWorker([
        '--transport',
        'amqp',
        '--url',
        AMQP_URL,
        '--exchange',
        exchange,
        '--topic',
        topic,
        '--tasks',
        './test-integration/fixtures/interop-tasks.ts',
        '--concurrency',
        '2',
      ]);
      tfWorkers.push(worker);
      return { worker, exchange, topic };
    }

    it('gets results and progress events computed by the tf-worker', async () => {
      const { worker, exchange, topic } = await tfWorker();
      const out = await runPythonEngine({
        url: AMQP_URL,
        exchange,
        topics: [topic],
        transition_timeout: 30,
        store: { x: 7, revert_log: revertLog },
        flow: {
          name: 'ts-success',
          tasks: [
            { cls: 'tstasks.Square', name: 'square', provides: 'y' },
            { cls: 'tstasks.Describe', name: 'describe', provides: 'info' },
          ],
        },
      });
      // Our heartbeats and headers pass unremarked: nothing from TaskFlow's worker-based engine logged at WARNING or above.
      expect(out.stderr).not.toMatch(/worker_based/);
      expect(out.ok).toBe(true);
      expect(out.failures).toEqual([]);
      expect(out.results).toEqual({
        x: 7,
        revert_log: revertLog,
        y: 49,
        info: { y: 49, ...ECHO_SHAPE, ratio: 0.1, pid: worker.pid },
      });
      // The Python engine reports 0.0 and 1.0 itself (at RUNNING and SUCCESS); in between, the
      // tf task's updateProgress(0.5, {...}) and (0.9, {...}), details intact.
      expect(out.progress.filter((p) => p.task === 'square')).toEqual([
        { task: 'square', event: 'update_progress', details: { progress: 0.0 } },
        { task: 'square', event: 'update_progress', details: { progress: 0.5, step: 'half', pid: worker.pid } },
        { task: 'square', event: 'update_progress', details: { progress: 0.9, step: 'almost' } },
        { task: 'square', event: 'update_progress', details: { progress: 1.0 } },
      ]);
      expect(out.states.filter(([, s]) => s === 'SUCCESS').map(([a]) => a)).toEqual(['square', 'describe']);
      expect(reverts()).toEqual([]);
    });

    it('gets the JS failure as a TaskFlow dict, and the tf-worker reverts with what Python sent', async () => {
      const { worker, exchange, topic } = await tfWorker();
      const out = await runPythonEngine({
        url: AMQP_URL,
        exchange,
        topics: [topic],
        transition_timeout: 30,
        store: { x: 3, revert_log: revertLog },
        flow: {
          name: 'ts-failure',
          tasks: [
            { cls: 'tstasks.Square', name: 'square', provides: 'y' },
            { cls: 'tstasks.Explode', name: 'explode' },
          ],
        },
      });
      // Our heartbeats and headers pass unremarked: nothing from TaskFlow's worker-based engine logged at WARNING or above.
      expect(out.stderr).not.toMatch(/worker_based/);
      expect(out.ok).toBe(false);
      expect(out.raised).toBe('WrappedFailure');
      expect(out.failures).toHaveLength(1);
      const dict = out.failures[0]!;
      expect(dict).toEqual({
        exception_str: 'bad input from ts',
        traceback_str: expect.stringContaining('interop-tasks.ts'),
        // The JS class chain, rooted in Python's Exception (Python's Failure.validate requires it).
        exc_type_names: ['TypeError', 'Error', 'Exception'],
        version: 1,
        exc_args: ['bad input from ts'],
        causes: [
          {
            exception_str: 'inner range 42',
            traceback_str: expect.stringContaining('interop-tasks.ts'),
            exc_type_names: ['RangeError', 'Error', 'Exception'],
            version: 1,
            exc_args: ['inner range 42'],
            causes: [],
          },
        ],
      });
      expect(dict['traceback_str']).toMatch(/at .*Explode\.execute/);

      // Python reverted both tasks on the tf-worker, the failed one first, with the failure
      // dict it had received (tf -> Python -> tf, unchanged) and the square's result.
      const log = reverts();
      expect(log.map((l) => l.task)).toEqual(['explode', 'square']);
      expect(new Set(log.map((l) => l.pid))).toEqual(new Set([worker.pid]));
      expect(log[0]!.result).toEqual({ failure: dict });
      expect(log[1]!.arguments).toEqual({ x: 3 });
      expect(log[1]!.result).toEqual({ success: 9 });
      for (const line of log) expect(line.flow_failures).toEqual({ explode: dict });
      expect(out.states.filter(([, s]) => s === 'REVERTED').map(([a]) => a)).toEqual(['explode', 'square']);
      expect(out.progress.filter((p) => p.task === 'square' && 'step' in p.details)).toHaveLength(2);
    });

    it('with a Python worker too: the Python worker reverts after the tf-worker failed (it accepts the forwarded dict)', async () => {
      const exchange = uniqueName('it-py-mixed');
      const [py, ts] = await mixedWorkers(exchange);
      const out = await runPythonEngine({
        url: AMQP_URL,
        exchange,
        topics: ['py', 'ts'],
        // A Python worker that rejects the revert request never answers: it would time out.
        transition_timeout: 15,
        store: { x: 1, revert_log: revertLog },
        flow: {
          name: 'py-mixed',
          tasks: [
            { cls: 'interop_tasks.AddOne', name: 'add', provides: 'y' },
            { cls: 'tstasks.Explode', name: 'explode' },
          ],
        },
      });
      // Our heartbeats and headers pass unremarked: nothing from TaskFlow's worker-based engine logged at WARNING or above.
      expect(out.stderr).not.toMatch(/worker_based/);
      expect(out.ok).toBe(false);
      expect(out.failures).toHaveLength(1);
      const dict = out.failures[0]!;
      expect(dict['exc_type_names']).toEqual(['TypeError', 'Error', 'Exception']);
      expect(out.states.filter(([, s]) => s.startsWith('REVERT'))).toEqual([
        ['explode', 'REVERTING'],
        ['explode', 'REVERTED'],
        ['add', 'REVERTING'],
        ['add', 'REVERTED'],
      ]);
      const log = reverts();
      expect(log.map((l) => [l.task, l.pid])).toEqual([
        ['explode', ts.pid],
        ['add', py.pid],
      ]);
      expect(log[1]!.result).toEqual({ success: 2 });
      expect(log[1]!.flow_failures).toEqual({ explode: dict });
    });
  });
});
