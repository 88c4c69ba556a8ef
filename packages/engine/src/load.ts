import { randomUUID } from 'node:crypto';
import type { Flow, Task } from '@tf/core';
import { Engine, type EngineOptions } from './engine';
import type { LoadOptions, LocalLoadOptions, WorkerBasedLoadOptions } from './load-options';
import { normaliseOptions } from './options';
import { WorkerBasedEngine } from './worker-based/engine';
import { STARTED_PER_IN_FLIGHT, WorkerBasedExecutor } from './worker-based/executor';

/**
 * How many atoms a worker-based engine starts at once: `maxWorkers` when given, else twice
 * the in-flight bound. Each started atom holds a request (its encoded arguments, a promise,
 * its context) until it ends; a flow of 100,000 ready tasks would otherwise open them all at
 * once, while only `maxInFlight` can be on the broker. Twice keeps a request ready to go
 * whenever one finishes. No in-flight bound: no limit here. Within this, the executor starts
 * fewer while its workers can take fewer (`WorkerBasedExecutor.concurrency()`).
 */
function workerBasedConcurrency(maxWorkers: number | undefined, maxInFlight: number | null): number {
  if (maxWorkers !== undefined) return maxWorkers;
  return maxInFlight === null ? Number.POSITIVE_INFINITY : STARTED_PER_IN_FLIGHT * maxInFlight;
}

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
    return new WorkerBasedEngine(flow, {
      ...common,
      executor,
      maxConcurrency: workerBasedConcurrency(o.maxWorkersGiven ? o.maxWorkers : undefined, o.workerBased.maxInFlight),
    });
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
