export { Worker } from './worker';
export type { WorkerState, WorkerStopOptions } from './worker';
export { normaliseWorkerOptions, defaultConcurrency, WORKER_OPTION_NAMES } from './options';
export type { WorkerOptions, NormalisedWorkerOptions } from './options';
export { resolveTasks, resolveModuleSpecifier, splitTaskSpecifier } from './tasks';
export type { TaskEntry, AllowedTask, ModuleImporter, ResolveTasksOptions } from './tasks';
export {
  WorkerErrorCode,
  WorkerConfigError,
  TaskLoadError,
  DuplicateTaskError,
  UnknownTaskError,
  WorkerImportError,
  DeliveryLimitError,
} from './errors';
export { VERSION } from './version';
