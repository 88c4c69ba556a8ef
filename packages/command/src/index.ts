export { type CommandIoContext, commandIo } from './command-io';
export { errorMessage, oneLine } from './error-message';
export { collect, jsonObjectFlag, positiveIntegerFlag } from './flag-parsers';
export { LOG_LEVELS, type LogLevel, logLevel } from './log-levels';
export { parseFlags } from './parse-flags';
export { isEntryPoint, runIfEntryPoint } from './entry-point';
export { type ServeOptions, type Service, serveUntilStopped } from './serve';
