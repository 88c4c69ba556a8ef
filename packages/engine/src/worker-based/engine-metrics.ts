import {
  metrics,
  type Attributes,
  type BatchObservableResult,
  type Counter,
  type Histogram,
  type MeterProvider,
  type ObservableGauge,
} from '@opentelemetry/api';
import { ENGINE_SCOPE } from './request-trace';

/** What one worker-based engine tells the gauges when they are read. */
export interface EngineMetricsSource {
  /** Requests in flight: their state and task name. */
  requests(): Iterable<{ readonly state: string; readonly taskName: string }>;
  /** Task names of the requests waiting with no live worker that runs them. */
  waitingWithoutWorker(): Iterable<string>;
  /** Known live workers by topic. */
  workersByTopic(): ReadonlyMap<string, number>;
}

/** The instruments the engines record into (made from the meter provider registered when they start). */
export interface EngineInstruments {
  readonly taskDuration: Histogram;
  readonly queueLatency: Histogram;
  readonly redispatches: Counter;
  readonly timeouts: Counter;
}

interface Bound {
  readonly provider: MeterProvider;
  readonly instruments: EngineInstruments;
  readonly gauges: readonly ObservableGauge[];
  readonly callback: (result: BatchObservableResult) => void;
}

/** Histogram buckets in seconds (OpenTelemetry's default ones suit milliseconds). */
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 30, 60, 120, 300, 600, 1800, 3600];

/** Every started engine of this process: the gauges sum over them (one series per attribute set). */
const live = new Set<EngineMetricsSource>();
let bound: Bound | undefined;

function bump(counts: Map<string, { attributes: Attributes; value: number }>, key: string, attributes: Attributes): void {
  const entry = counts.get(key);
  if (entry) entry.value += 1;
  else counts.set(key, { attributes, value: 1 });
}

function bind(provider: MeterProvider): Bound {
  const meter = provider.getMeter(ENGINE_SCOPE);
  const requests = meter.createObservableGauge('tf.engine.requests', {
    unit: '{request}',
    description: 'Requests in flight by state (waiting, pending, running) and task name',
  });
  const noWorker = meter.createObservableGauge('tf.engine.requests.no_worker', {
    unit: '{request}',
    description: 'Requests waiting while no live worker runs their task',
  });
  const workers = meter.createObservableGauge('tf.engine.workers', {
    unit: '{worker}',
    description: 'Live workers known by discovery, by topic',
  });
  const callback = (result: BatchObservableResult): void => {
    const byState = new Map<string, { attributes: Attributes; value: number }>();
    const stuck = new Map<string, { attributes: Attributes; value: number }>();
    const topics = new Map<string, number>();
    for (const source of live) {
      for (const { state, taskName } of source.requests()) {
        const s = state.toLowerCase();
        bump(byState, `${s}\0${taskName}`, { 'tf.request.state': s, 'tf.task.name': taskName });
      }
      for (const taskName of source.waitingWithoutWorker()) bump(stuck, taskName, { 'tf.task.name': taskName });
      for (const [topic, count] of source.workersByTopic()) topics.set(topic, (topics.get(topic) ?? 0) + count);
    }
    for (const { attributes, value } of byState.values()) result.observe(requests, value, attributes);
    for (const { attributes, value } of stuck.values()) result.observe(noWorker, value, attributes);
    for (const [topic, count] of topics) result.observe(workers, count, { 'messaging.destination.name': topic });
  };
  meter.addBatchObservableCallback(callback, [requests, noWorker, workers]);
  const instruments: EngineInstruments = {
    taskDuration: meter.createHistogram('tf.engine.task.duration', {
      unit: 's',
      description: "A task's run on a worker, from its RUNNING to its SUCCESS or FAILURE",
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    }),
    queueLatency: meter.createHistogram('tf.engine.request.queue_latency', {
      unit: 's',
      description: 'From a request (attempt) waiting for a worker until its worker said RUNNING',
      advice: { explicitBucketBoundaries: SECONDS_BUCKETS },
    }),
    redispatches: meter.createCounter('tf.engine.request.redispatches', {
      unit: '{request}',
      description: 'Requests sent again because their worker was lost or dropped them',
    }),
    timeouts: meter.createCounter('tf.engine.request.timeouts', {
      unit: '{request}',
      description: 'Requests failed by a transition timeout or an execution timeout',
    }),
  };
  return { provider, instruments, gauges: [requests, noWorker, workers], callback };
}

/**
 * Adds a started engine to the gauges and returns the instruments to record into. The
 * instruments come from the meter provider registered now (`metrics.setGlobalMeterProvider`):
 * without one they are OpenTelemetry's no-ops.
 */
export function attachEngineMetrics(source: EngineMetricsSource): EngineInstruments {
  const provider = metrics.getMeterProvider();
  if (bound?.provider !== provider) {
    if (bound) bound.provider.getMeter(ENGINE_SCOPE).removeBatchObservableCallback(bound.callback, [...bound.gauges]);
    bound = bind(provider);
  }
  live.add(source);
  return bound.instruments;
}

/** Takes a stopped engine out of the gauges. */
export function detachEngineMetrics(source: EngineMetricsSource): void {
  live.delete(source);
}
