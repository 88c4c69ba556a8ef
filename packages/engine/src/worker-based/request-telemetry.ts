import type { Attributes } from '@opentelemetry/api';
import { Failure } from '@tf/core';
import { attachEngineMetrics, detachEngineMetrics, type EngineInstruments, type EngineMetricsSource } from './engine-metrics';
import type { PendingRequest, RequestObserver } from './request-book';
import { endRequestTrace } from './request-trace';

/**
 * Turns a worker-based engine's request milestones into OpenTelemetry metrics and ends the
 * requests' spans. Records only between `attach()` (the engine started) and `detach()`.
 */
export class RequestTelemetry implements RequestObserver {
  readonly #source: EngineMetricsSource;
  #instruments: EngineInstruments | undefined;
  /** By task name: its attribute set (one object per name, not one per record). */
  readonly #byTask = new Map<string, Attributes>();
  readonly #succeeded = new Map<string, Attributes>();
  readonly #failed = new Map<string, Attributes>();

  constructor(source: EngineMetricsSource) {
    this.#source = source;
  }

  attach(): void {
    this.#instruments = attachEngineMetrics(this.#source);
  }

  detach(): void {
    detachEngineMetrics(this.#source);
  }

  #task(taskName: string): Attributes {
    let attributes = this.#byTask.get(taskName);
    if (!attributes) {
      attributes = { 'tf.task.name': taskName };
      if (this.#byTask.size < 10_000) this.#byTask.set(taskName, attributes);
    }
    return attributes;
  }

  /** The attribute set of a task's outcome (cached like `#task`). */
  #outcome(taskName: string, state: 'SUCCESS' | 'FAILURE'): Attributes {
    const cache = state === 'SUCCESS' ? this.#succeeded : this.#failed;
    let attributes = cache.get(taskName);
    if (!attributes) {
      attributes = { 'tf.task.name': taskName, 'tf.request.outcome': state === 'SUCCESS' ? 'success' : 'failure' };
      if (cache.size < 10_000) cache.set(taskName, attributes);
    }
    return attributes;
  }

  running(request: PendingRequest, now: number): void {
    this.#instruments?.queueLatency.record((now - request.createdAt) / 1000, this.#task(request.taskName));
  }

  finished(request: PendingRequest, state: 'SUCCESS' | 'FAILURE', outcome: unknown, now: number): void {
    if (request.trace) endRequestTrace(request.trace, state, outcome);
    const instruments = this.#instruments;
    if (!instruments) return;
    if (request.runningSince !== undefined) {
      instruments.taskDuration.record((now - request.runningSince) / 1000, this.#outcome(request.taskName, state));
    }
    // A worker's own execution timeout comes back as its FAILURE (the engine's own is counted in timedOut).
    if (state === 'FAILURE' && Failure.is(outcome) && outcome.check('ExecutionTimeoutError') !== undefined) {
      this.#timeout(request.taskName, 'execution');
    }
  }

  timedOut(request: PendingRequest, kind: 'transition' | 'execution'): void {
    this.#timeout(request.taskName, kind);
  }

  /** The request is sent again as a new attempt. */
  redispatched(taskName: string): void {
    this.#instruments?.redispatches.add(1, this.#task(taskName));
  }

  #timeout(taskName: string, kind: 'transition' | 'execution'): void {
    this.#instruments?.timeouts.add(1, { 'tf.task.name': taskName, 'tf.timeout.kind': kind });
  }
}
