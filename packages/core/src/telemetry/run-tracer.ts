import { context, isSpanContextValid, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';

/** The instrumentation scope of the spans tf's engines make. */
export const TRACER_NAME = '@tf/core';

/** A span of an atom's execute or revert: `end` once its outcome is known. */
export interface AtomSpan {
  /** False for the no-op span (no SDK, or the run not sampled): nothing to end. */
  readonly live: boolean;
  /** Calls `fn` with the span as the active context (an executor reads it to link remote work). */
  run<T>(fn: () => T): T;
  end(error?: unknown): void;
}

/** One tracer for the module: the API's proxy finds the SDK's tracer once one is registered. */
const tracer = trace.getTracer(TRACER_NAME);

/** The span of an atom when nothing is traced. */
export const NO_ATOM_SPAN: AtomSpan = { live: false, run: (fn) => fn(), end: () => undefined };

/** Ends `span`, with an error status and the exception when `error` is given. */
export function endSpan(span: Span, error?: unknown): void {
  if (error !== undefined) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  }
  span.end();
}

/**
 * The spans of one flow run: one for the run, one per atom execute and revert (its children).
 * Through `@opentelemetry/api` only: without an SDK every span is a no-op, and a span that
 * is not sampled costs no context switch.
 */
export class RunTracer {
  #flow: Span | undefined;
  #flowContext: Context | undefined;

  /** Starts the run's span (a child of whatever span is active where the run started). */
  startFlow(flowName: string, flowUuid: string): void {
    this.#flow = tracer.startSpan(`flow ${flowName}`, {
      kind: SpanKind.INTERNAL,
      attributes: { 'tf.flow.name': flowName, 'tf.flow.uuid': flowUuid },
    });
    this.#flowContext = isSpanContextValid(this.#flow.spanContext()) ? trace.setSpan(context.active(), this.#flow) : undefined;
  }

  /** Ends the run's span with its final state. */
  endFlow(state: string, error?: unknown): void {
    const span = this.#flow;
    if (!span) return;
    this.#flow = undefined;
    this.#flowContext = undefined;
    span.setAttribute('tf.flow.state', state);
    endSpan(span, error);
  }

  /** True while the run's span is a real one: atoms get spans. */
  get tracing(): boolean {
    return this.#flowContext !== undefined;
  }

  /** Starts the span of an atom's `job` (`execute` or `revert`); the no-op span unless `tracing`. */
  startAtom(atomName: string, taskName: string | undefined, job: 'execute' | 'revert'): AtomSpan {
    const parent = this.#flowContext;
    if (parent === undefined) return NO_ATOM_SPAN;
    const attributes: Record<string, string> = { 'tf.atom.name': atomName, 'tf.atom.action': job };
    if (taskName !== undefined) attributes['tf.task.name'] = taskName;
    const span = tracer.startSpan(`${job} ${atomName}`, { kind: SpanKind.INTERNAL, attributes }, parent);
    const active = trace.setSpan(parent, span);
    return {
      live: true,
      run: (fn) => context.with(active, fn),
      end: (error) => endSpan(span, error),
    };
  }
}
