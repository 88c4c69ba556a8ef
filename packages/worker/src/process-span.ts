import {
  context,
  isSpanContextValid,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  trace,
  type Context,
  type TextMapGetter,
} from '@opentelemetry/api';
import type { MessageHeaders, RequestBody } from '@tf/core';
import { endSpan } from '@tf/core/internal';

/** The instrumentation scope of the worker's spans. */
export const WORKER_SCOPE = '@tf/worker';

const tracer = trace.getTracer(WORKER_SCOPE);

/** Reads trace context from untrusted headers: short strings only. */
const headerGetter: TextMapGetter<MessageHeaders> = {
  keys: (carrier) => Object.keys(carrier),
  get: (carrier, key) => {
    const value = Object.hasOwn(carrier, key) ? carrier[key] : undefined;
    return typeof value === 'string' && value.length <= 512 ? value : undefined;
  },
};

/** The span of one remote request on the worker: `run` the task in it, then `end`. */
export interface ProcessSpan {
  run<T>(fn: () => T): T;
  end(error?: unknown): void;
}

const NO_SPAN: ProcessSpan = { run: (fn) => fn(), end: () => undefined };

export interface ProcessSpanInfo {
  readonly system: string;
  readonly topic: string;
  readonly correlationId: string;
  readonly workerId: string;
  readonly attempt: number | undefined;
}

/**
 * Starts the worker's span of a request (kind CONSUMER): a child of the engine's request span
 * when the message carries its trace context (`traceparent`/`tracestate`, read by the
 * propagator registered with OpenTelemetry). No SDK: a no-op.
 */
export function startProcessSpan(headers: MessageHeaders, body: RequestBody, info: ProcessSpanInfo): ProcessSpan {
  const parent: Context = propagation.extract(ROOT_CONTEXT, headers, headerGetter);
  const span = tracer.startSpan(`process ${body.task_cls}`, { kind: SpanKind.CONSUMER }, parent);
  // No SDK: the no-op span; nothing more is made per request.
  if (!isSpanContextValid(span.spanContext())) return NO_SPAN;
  const attributes: Record<string, string | number> = {
    'messaging.system': info.system,
    'messaging.destination.name': info.topic,
    'messaging.operation.type': 'process',
    'messaging.operation.name': 'process',
    'messaging.message.id': info.correlationId,
    'messaging.message.conversation_id': info.correlationId,
    'tf.task.name': body.task_cls,
    'tf.atom.name': body.task_name,
    'tf.atom.action': body.action,
    'tf.worker.id': info.workerId,
  };
  if (info.attempt !== undefined) attributes['tf.request.attempt'] = info.attempt;
  span.setAttributes(attributes);
  const active = trace.setSpan(parent, span);
  return { run: (fn) => context.with(active, fn), end: (error) => endSpan(span, error) };
}
