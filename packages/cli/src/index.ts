export { main, BACKEND_ENV, type CliContext } from './cli';
export { flowsList } from './flows-list';
export { flowsShow } from './flows-show';
export { collectWorkers, MAX_INSPECTED_WORKERS, type InspectedWorker, type InspectOptions } from './inspect-collect';
export { NoWorkersAnsweredError, InspectConnectTimeoutError } from './inspect-errors';
export { DEFAULT_INSPECT_TIMEOUT_MS } from './inspect-command';
export { jobsList } from './jobs-list';
export { jobsShow } from './jobs-show';
