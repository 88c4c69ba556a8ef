import type { Flow, Notifier, SigningStats, Task } from '@tf/core';
import { Engine, type EngineOptions } from '../engine';
import type { WorkerBasedExecutor } from './executor';
import type { NoCapableWorkerDetails } from './no-worker-watch';
import type { RequestEventDetails } from './request-events';

/** The worker-based engine: tasks run on workers, reached through a transport. */
export class WorkerBasedEngine extends Engine {
  readonly executor: WorkerBasedExecutor;

  constructor(flow: Flow | Task, options: EngineOptions & { executor: WorkerBasedExecutor }) {
    super(flow, options);
    this.executor = options.executor;
  }

  /**
   * Worker discovery events. `no_capable_worker` ({@link NoCapableWorkerDetails}): a task has
   * waited `noWorkerWarningMs` and no worker serves it. `on` returns an unsubscribe function.
   */
  get workerNotifier(): Notifier<NoCapableWorkerDetails> {
    return this.executor.workerNotifier;
  }

  /**
   * Request events, `request_state` ({@link RequestEventDetails}): a task's request was sent
   * to a topic (PENDING), a worker said it runs it (RUNNING, with the worker's id), or it
   * waits again after a re-dispatch (WAITING, with the reason). `on` returns an unsubscribe function.
   */
  get requestNotifier(): Notifier<RequestEventDetails> {
    return this.executor.requestNotifier;
  }

  /**
   * With `signingKey`: messages signed, verified and dropped (by reason) since the engine was
   * loaded; undefined without.
   */
  get signingStats(): SigningStats | undefined {
    return this.executor.signingStats;
  }

  /**
   * Connects (if not yet) and waits until `count` workers (topics) answered discovery, or
   * `timeoutMs` passed; resolves with the number known. `run()` closes the connection; so
   * does `close()`, for an engine that will not run.
   */
  async waitForWorkers(count = 1, timeoutMs = 30_000): Promise<number> {
    this.assertOpen('wait for workers');
    return this.executor.waitForWorkers(count, timeoutMs);
  }

  /** Aborts every request in flight (CANCEL to the workers holding them); they fail here at once. */
  protected override abortRunning(): void {
    this.executor.cancelAll();
  }

  /** Stops the executor: requests in flight fail, timers stop, the transport it opened closes. */
  protected override release(): Promise<void> {
    return this.executor.stop();
  }
}
