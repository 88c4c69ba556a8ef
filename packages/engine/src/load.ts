import { randomUUID } from 'node:crypto';
import type { Flow, Task } from '@tf/core';
import { Engine, type EngineOptions } from './engine';
import type { LoadOptions, LocalLoadOptions, WorkerBasedLoadOptions } from './load-options';
import { normaliseOptions } from './options';
import { WorkerBasedEngine } from './worker-based/engine';
import { WorkerBasedExecutor } from './worker-based/executor';

/**
 * Loads a flow into an engine (serial by default). Nothing runs until `engine.run()`.
 * Throws InvalidArgumentError on unknown options or engines.
 */
export function load(flow: Flow | Task, options: WorkerBasedLoadOptions): WorkerBasedEngine;
export function load(flow: Flow | Task, options?: LocalLoadOptions): Engine;
export function load(flow: Flow | Task, options?: LoadOptions): Engine;
export function load(flow: Flow | Task, options: LoadOptions = {}): Engine {
  const o = normaliseOptions(options);
  const flowUuid = o.flowUuid ?? randomUUID();
  const common: EngineOptions = { store: o.store, flowUuid, logger: o.logger };
  if (o.backend !== undefined) common.persistence = { backend: o.backend, book: o.book };
  if (o.workerBased) {
    // With a backend, another engine may resume this flow detail while replies to a dead one
    // still arrive: each engine gets its own reply topic then.
    const replyTopic = o.backend === undefined ? flowUuid : randomUUID();
    const executor = new WorkerBasedExecutor({ ...o.workerBased, uuid: replyTopic, logger: o.logger });
    return new WorkerBasedEngine(flow, { ...common, executor, maxConcurrency: o.maxWorkersGiven ? o.maxWorkers : Infinity });
  }
  return new Engine(flow, {
    ...common,
    maxConcurrency: o.engine === 'serial' ? 1 : o.maxWorkers,
    ...(o.executor ? { executor: o.executor } : {}),
  });
}

/**
 * Loads, runs and returns every symbol's value (`storage.fetchAll()`). Whatever happens
 * (success, a failed flow, an error while connecting) the engine is closed before it settles:
 * nothing it opened is left behind.
 */
export async function run(flow: Flow | Task, options: LoadOptions = {}): Promise<Record<string, unknown>> {
  const engine = load(flow, options);
  let values: Record<string, unknown>;
  try {
    await engine.run();
    values = engine.storage.fetchAll();
  } catch (error) {
    // The run's error is the one to report; a failure to close must not replace it.
    await engine.close().catch(() => undefined);
    throw error;
  }
  await engine.close();
  return values;
}
