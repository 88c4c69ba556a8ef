import { context, isSpanContextValid, propagation, SpanKind, trace, type Span } from '@opentelemetry/api';
import type { MessageHeaders } from '@tf/core';
import { endSpan } from '@tf/core/internal';

/** The instrumentation scope of the worker-based engine's spans and metrics. */
export const ENGINE_SCOPE = '@tf/engine';

/**
 * The span of one remote request (kind PRODUCER, a child of the atom's span), and the trace
 * context headers (`traceparent`, `tracestate` with the W3C propagator) that make the
 * worker's span its child. Undefined when nothing is traced (no SDK, or not sampled).
 */
export interface RequestTrace {
  readonly span: Span;
  readonly headers: MessageHeaders;
}

const tracer = trace.getTracer(ENGINE_SCOPE);

/** Starts the span of a request for `taskName` in the active context (the atom's). */
export function startRequestTrace(taskName: string, atomName: string, action: string, system: string): RequestTrace | undefined {
  const active = context.active();
  const span = tracer.startSpan(`send ${taskName}`, { kind: SpanKind.PRODUCER }, active);
  // No SDK: the no-op span; nothing more is made per request.
  if (!isSpanContextValid(span.spanContext())) return undefined;
  span.setAttributes({
    'messaging.system': system,
    'messaging.operation.type': 'send',
    'messaging.operation.name': 'send',
    'tf.task.name': taskName,
    'tf.atom.name': atomName,
    'tf.atom.action': action,
  });
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(active, span), headers);
  return { span, headers };
}

/** Adds what a send of the request says: where it went, its correlation id, its attempt. */
export function requestSent(requestTrace: RequestTrace, topic: string, correlationId: string, attempt: number): void {
  requestTrace.span.setAttributes({
    'messaging.destination.name': topic,
    'messaging.message.id': correlationId,
    'messaging.message.conversation_id': correlationId,
    'tf.request.attempt': attempt,
  });
  if (attempt > 1) requestTrace.span.addEvent('redispatched', { 'tf.request.attempt': attempt });
}

/** Ends the request's span: with an error status when it failed. */
export function endRequestTrace(requestTrace: RequestTrace, state: 'SUCCESS' | 'FAILURE', outcome: unknown): void {
  requestTrace.span.setAttribute('tf.request.state', state);
  endSpan(requestTrace.span, state === 'FAILURE' ? outcome : undefined);
}
