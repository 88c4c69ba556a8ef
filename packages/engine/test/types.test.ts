/**
 * The types guide the user: exact engine names, the worker-based options keep their engine
 * (and `load` then returns the engine with `waitForWorkers`), and `revert`'s context is a
 * named type. `pnpm typecheck` checks this file (the `@ts-expect-error` lines must be
 * errors); vitest runs it too, for the runtime checks a JavaScript caller relies on.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { type FailureLike, type RevertContext, Task, linearFlow } from '@tf/core';
import {
  type Engine,
  type LoadOptions,
  type NoCapableWorkerDetails,
  NO_CAPABLE_WORKER_EVENT,
  type WorkerBasedEngine,
  type WorkerBasedLoadOptions,
  load,
} from '@tf/engine';

class AddOne extends Task<{ x: number }, number> {
  static override taskName = 'tasks.AddOne';
  static override requires = ['x'];
  override execute({ x }: { x: number }) {
    return x + 1;
  }
  // The docs' example, as written there: it compiles under `strict`.
  override revert({ x }: { x: number }, { result, flowFailures }: RevertContext<number>) {
    expectTypeOf(x).toEqualTypeOf<number>();
    expectTypeOf(result).toEqualTypeOf<number | FailureLike | undefined>();
    expectTypeOf(flowFailures).toEqualTypeOf<Readonly<Record<string, FailureLike>>>();
  }
}

const flow = () => linearFlow('types').add(new AddOne({ provides: 'y' }));
const remote: WorkerBasedLoadOptions = { engine: 'worker-based', exchange: 'types', topics: ['t'], transport: 'memory' };

describe('engine option types', () => {
  it('accepts the engine names and refuses a misspelt one (at compile time, and at run time)', () => {
    expectTypeOf<'serial'>().toExtend<NonNullable<LoadOptions['engine']>>();
    expectTypeOf<'parallel'>().toExtend<NonNullable<LoadOptions['engine']>>();
    expectTypeOf<'worker-based'>().toExtend<NonNullable<LoadOptions['engine']>>();
    expectTypeOf<'worker_based'>().toExtend<NonNullable<LoadOptions['engine']>>();
    expectTypeOf<'paralel'>().not.toExtend<NonNullable<LoadOptions['engine']>>();
    // @ts-expect-error 'paralel' is not an engine
    expect(() => load(flow(), { engine: 'paralel' })).toThrow(/Unknown engine 'paralel'/);
  });

  it('keeps the worker-based engine for options typed WorkerBasedLoadOptions', () => {
    const engine = load(flow(), remote);
    expectTypeOf(engine).toEqualTypeOf<WorkerBasedEngine>();
    expectTypeOf(engine.waitForWorkers).toEqualTypeOf<(count?: number, timeoutMs?: number) => Promise<number>>();
    expectTypeOf(load(flow(), { ...remote, engine: 'worker_based' })).toEqualTypeOf<WorkerBasedEngine>();
    expectTypeOf(load(flow(), { engine: 'parallel' })).toEqualTypeOf<Engine>();
    expect(typeof engine.waitForWorkers).toBe('function');
  });

  it('narrows a LoadOptions variable that holds worker-based options', () => {
    const options: LoadOptions = { engine: 'worker-based', exchange: 'types', topics: ['t'], transport: 'memory' };
    expectTypeOf(load(flow(), options)).toEqualTypeOf<WorkerBasedEngine>();
    // Through a parameter typed LoadOptions the engine is not known: an Engine.
    const loadAny = (o: LoadOptions) => load(flow(), o);
    expectTypeOf(loadAny).returns.toEqualTypeOf<Engine>();
  });

  it('refuses worker options on a local engine, and a worker-based engine without exchange or topics', () => {
    // @ts-expect-error exchange is a worker-based option
    expect(() => load(flow(), { engine: 'serial', exchange: 'x' })).toThrow(/only apply to engine 'worker-based'/);
    // @ts-expect-error the worker-based engine needs exchange and topics
    expect(() => load(flow(), { engine: 'worker-based' })).toThrow(/exchange/);
    // @ts-expect-error the worker-based engine has its own executor
    expect(() => load(flow(), { ...remote, executor: { execute: () => 1, revert: () => undefined } })).toThrow(/executor/);
  });

  it('types close(), await using and the no_capable_worker event', () => {
    const engine = load(flow(), remote);
    expectTypeOf(engine.close).toEqualTypeOf<() => Promise<void>>();
    expectTypeOf<Engine>().toExtend<AsyncDisposable>();
    expectTypeOf<typeof NO_CAPABLE_WORKER_EVENT>().toEqualTypeOf<'no_capable_worker'>();
    engine.workerNotifier.on(NO_CAPABLE_WORKER_EVENT, (_event, details) => {
      expectTypeOf(details).toEqualTypeOf<NoCapableWorkerDetails>();
      expectTypeOf(details.hint).toBeString();
      expectTypeOf(details.topics).toEqualTypeOf<readonly string[]>();
    });
  });
});
