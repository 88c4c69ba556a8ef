export { load, run, WorkerBasedEngine, type Engine } from './load';
export {
  normaliseOptions,
  type LoadOptions,
  type NormalisedOptions,
  type EngineKind,
  type WorkerBasedSettings,
} from './options';
export { WorkerBasedExecutor, RequestTimeoutError, type RequestState, type WorkerBasedOptions } from './worker-based/executor';
