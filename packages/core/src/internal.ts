/**
 * `@tf/core/internal`: what tf's own packages (@tf/engine, @tf/worker) share beyond the
 * public API. Not a public API: any release may change it without notice.
 */
export { Runtime, type MachineState, type RuntimeOptions, type RuntimeStatistics } from './runtime/runtime';
export { checkFlowTransition, checkRetryTransition, checkTaskTransition } from './runtime/states';
export { isPromiseLike } from './runtime/executor';
export { computeBinding, saveAsMapping } from './atoms/atom';
export * from './protocol/schemas';
export {
  decodeMessage,
  decodeRequestResult,
  encodeBody,
  encodeRequestResult,
  RUNNING_TEXT,
  validateNotifyRequest,
  validateNotifyResponse,
  validateRequest,
  validateResponse,
  wireFailureDict,
  type DecodedMessage,
} from './protocol/messages';
export { endSpan, TRACER_NAME } from './telemetry/run-tracer';
export { SchemePlugins, splitConnection, type SchemePluginKind } from './plugins/scheme-plugins';
export type { PluginImporter } from '@tf/transport';
