import { randomUUID } from 'node:crypto';
import { ActionEngine, type ActionEngineOptions, type Flow, type Task } from '@tf/core';
import { normaliseOptions, type LoadOptions } from './options';
import { WorkerBasedExecutor } from './worker-based/executor';

/** An engine ready to run one flow: `run()`, `runIter()`, `suspend()`, `storage`, notifiers. */
export type Engine = ActionEngine;

/** The worker-based engine: tasks run on workers, reached through a transport. */
export class WorkerBasedEngine extends ActionEngine {
  readonly executor: WorkerBasedExecutor;

  constructor(flow: Flow | Task, options: ActionEngineOptions & { executor: WorkerBasedExecutor }) {
    super(flow, options);
    this.executor = options.executor;
  }

  /**
   * Connects (if not yet) and waits until `count` workers (topics) answered discovery, or
   * `timeoutMs` passed; resolves with the number known. `run()` closes the connection.
   */
  waitForWorkers(count = 1, timeoutMs = 30_000): Promise<number> {
    return this.executor.waitForWorkers(count, timeoutMs);
  }
}

/**
 * Loads a flow into an engine (serial by default). Nothing runs until `engine.run()`.
 * Throws InvalidArgumentError on unknown options or engines.
 */
export function load(flow: Flow | Task, options: LoadOptions & { engine: 'worker-based' }): WorkerBasedEngine;
export function load(flow: Flow | Task, options?: LoadOptions): Engine;
export function load(flow: Flow | Task, options: LoadOptions = {}): Engine {
  const o = normaliseOptions(options);
  const flowUuid = o.flowUuid ?? randomUUID();
  const common: ActionEngineOptions = { store: o.store, flowUuid, logger: o.logger, ...(o.backend ? { backend: o.backend } : {}) };
  if (o.workerBased && !o.executor) {
    const executor = new WorkerBasedExecutor({ ...o.workerBased, uuid: flowUuid, logger: o.logger });
    return new WorkerBasedEngine(flow, { ...common, executor, maxConcurrency: o.maxWorkersGiven ? o.maxWorkers : Infinity });
  }
  return new ActionEngine(flow, {
    ...common,
    maxConcurrency: o.engine === 'serial' ? 1 : o.maxWorkers,
    ...(o.executor ? { executor: o.executor } : {}),
  });
}

/** Loads, runs and returns every symbol's value (`storage.fetchAll()`). */
export async function run(flow: Flow | Task, options: LoadOptions = {}): Promise<Record<string, unknown>> {
  const engine = load(flow, options);
  await engine.run();
  return engine.storage.fetchAll();
}
