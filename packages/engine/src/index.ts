export { load, run } from './load';
export { Engine } from './engine';
export { WorkerBasedEngine } from './worker-based/engine';
export type {
  CommonLoadOptions,
  EngineKind,
  EngineName,
  LoadOptions,
  LocalLoadOptions,
  WorkerBasedLoadOptions,
  WorkerBasedOnlyOptions,
} from './load-options';
export { normaliseOptions, type NormalisedOptions, type WorkerBasedSettings } from './options';
export { WorkerBasedExecutor, type WorkerBasedOptions } from './worker-based/executor';
export {
  EngineConnectionLostError,
  EngineStoppedError,
  RequestTimeoutError,
  WorkerLostError,
  type RequestTimeoutDetails,
  type WorkerLostDetails,
} from './worker-based/errors';
export {
  DEFAULT_NO_WORKER_WARNING_MS,
  NO_CAPABLE_WORKER_EVENT,
  type AnsweredWorker,
  type NoCapableWorkerDetails,
} from './worker-based/no-worker-watch';
export type { RequestState } from './worker-based/request-book';
export type { EngineOptions } from './engine';
export type { BookSelection } from './persistence-session';
export { REQUEST_STATE_EVENT, type RequestEventDetails } from './worker-based/request-events';
