export { load, run, WorkerBasedEngine, type Engine } from './load';
export {
  normaliseOptions,
  type LoadOptions,
  type NormalisedOptions,
  type EngineKind,
  type WorkerBasedSettings,
} from './options';
export { WorkerBasedExecutor, type WorkerBasedOptions } from './worker-based/executor';
export { RequestTimeoutError } from './worker-based/errors';
export type { RequestState } from './worker-based/request-book';
