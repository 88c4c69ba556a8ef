import { ActionEngine, InvalidArgumentError, type Flow, type Task } from '@tf/core';
import { normaliseOptions, type LoadOptions } from './options';

/** An engine ready to run one flow: `run()`, `runIter()`, `suspend()`, `storage`, notifiers. */
export type Engine = ActionEngine;

/**
 * Loads a flow into an engine (serial by default). Nothing runs until `engine.run()`.
 * Throws InvalidArgumentError on unknown options or engines.
 */
export function load(flow: Flow | Task, options: LoadOptions = {}): Engine {
  const o = normaliseOptions(options);
  if (o.engine === 'worker-based' && !o.executor) {
    throw new InvalidArgumentError("The 'worker-based' engine is not available in this version of @tf/engine");
  }
  return new ActionEngine(flow, {
    store: o.store,
    maxConcurrency: o.engine === 'parallel' ? o.maxWorkers : o.engine === 'serial' ? 1 : o.maxWorkers,
    ...(o.executor ? { executor: o.executor } : {}),
    ...(o.backend ? { backend: o.backend } : {}),
    ...(o.flowUuid ? { flowUuid: o.flowUuid } : {}),
    logger: o.logger,
  });
}

/** Loads, runs and returns every symbol's value (`storage.fetchAll()`). */
export async function run(flow: Flow | Task, options: LoadOptions = {}): Promise<Record<string, unknown>> {
  const engine = load(flow, options);
  await engine.run();
  return engine.storage.fetchAll();
}
