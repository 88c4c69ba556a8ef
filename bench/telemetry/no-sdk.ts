/**
 * pnpm exec tsx bench/telemetry/no-sdk.ts
 *
 * The CPU cost per request of tf's OpenTelemetry calls when no SDK is installed, measured
 * directly (the broker benchmark's noise on a shared machine is larger than the effect): the
 * engine's request span and trace context, the worker's extract and span, the metric records,
 * against the same loop without them. Reported in ns per request.
 */
import { context, isSpanContextValid, metrics, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';

const N = 2_000_000;
const tracer = trace.getTracer('@tf/engine');
const histogram = metrics.getMeterProvider().getMeter('@tf/engine').createHistogram('x', { unit: 's' });
const attributes = { 'tf.task.name': 'bench.Noop' };
const headers: Record<string, unknown> = { 'x-tf-attempt': 1, 'x-tf-expires-at': Date.now() };

function withTelemetry(i: number): number {
  // engine: the request span (no SDK: the no-op span, nothing injected)
  const span = tracer.startSpan('send bench.Noop', { kind: SpanKind.PRODUCER }, context.active());
  let n = isSpanContextValid(span.spanContext()) ? 1 : 0;
  // worker: extract and its span
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  const processSpan = tracer.startSpan('process bench.Noop', { kind: SpanKind.CONSUMER }, parent);
  n += isSpanContextValid(processSpan.spanContext()) ? 1 : 0;
  // engine: queue latency and duration records
  histogram.record(i * 1e-6, attributes);
  histogram.record(i * 2e-6, attributes);
  return n;
}

function without(i: number): number {
  return i & 1;
}

function time(fn: (i: number) => number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) sink += fn(i);
  const ns = Number(process.hrtime.bigint() - start);
  if (sink < 0) console.log(sink);
  return ns / N;
}

// Warm-up.
for (let round = 0; round < 2; round++) {
  time(withTelemetry);
  time(without);
}
const samples: number[] = [];
for (let round = 0; round < 7; round++) samples.push(time(withTelemetry) - time(without));
samples.sort((a, b) => a - b);
console.log(`no SDK: ${samples[3]!.toFixed(0)} ns per request (median of 7; min ${samples[0]!.toFixed(0)}, max ${samples[6]!.toFixed(0)})`);
