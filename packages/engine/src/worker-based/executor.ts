import { randomUUID } from 'node:crypto';
import {
  CANCEL_MESSAGE,
  type Failure,
  Notifier,
  readWorkerHeaders,
  TaskCancelledError,
  TfHeader,
  normaliseTransportSelection,
  type Delivery,
  type ExecutionContext,
  type Logger,
  type RequestBody,
  type RevertExecutionContext,
  type Task,
  type TaskClass,
  type TaskExecutor,
  type Transport,
  type TransportSelection,
  type MessageHeaders,
} from '@tf/core';
import { decodeMessage, encodeBody, encodeRequestResult, wireFailureDict, type DecodedMessage } from '@tf/core/internal';
import { EngineConnectionLostError, EngineStoppedError, neverReachedAWorker } from './errors';
import { DEFAULT_NO_WORKER_WARNING_MS, NoWorkerWatch, type NoCapableWorkerDetails } from './no-worker-watch';
import { RequestBook, type PendingRequest } from './request-book';
import { TransportSession } from './transport-session';
import { WorkerFinder, type KnownWorker } from './worker-finder';

export interface WorkerBasedOptions extends TransportSelection {
  /** The engine's own topic: workers reply here. Defaults to a random uuid. */
  uuid?: string;
  exchange: string;
  topics: readonly string[];
  /** WAITING/PENDING longer than this fails with RequestTimeoutError; null waits forever. */
  transitionTimeoutMs: number | null;
  /** A worker not heard from for this long is forgotten. */
  workerExpiryMs: number;
  /** How often the engine asks every topic which workers are there. */
  notifyIntervalMs: number;
  /**
   * A request WAITING this long with no worker able to take it is reported (a warn log
   * line and a `no_capable_worker` event); at the latest when it times out. null: never.
   * Default 5 000.
   */
  noWorkerWarningMs?: number | null;
  /**
   * A request held by a heartbeating worker not heard of for this long (and at least three
   * of that worker's intervals) is sent again to another worker. Default 5 000.
   */
  heartbeatTimeoutMs?: number;
  /** How many times a request is sent in all when its worker is lost, before it fails (`TF_WORKER_LOST`). Default 3. */
  maxAttempts?: number;
  /** The longest a task's run may take on a worker (ms); a Task class's own `executionTimeoutMs` wins. Default: none. */
  executionTimeoutMs?: number | null;
  logger: Logger;
}

/** The default of `heartbeatTimeoutMs`: five of a worker's default 1 s heartbeats. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 5_000;
/** The default of `maxAttempts`. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** The name a class is likely exported under: its own, when that is an identifier. */
function exportNameOf(cls: TaskClass): string | undefined {
  return /^[A-Za-z_$][\w$]*$/.test(cls.name) ? cls.name : undefined;
}

/**
 * The executor of the worker-based engine: each task becomes a REQUEST published to a
 * worker's topic, and its RESPONSEs (RUNNING, progress EVENTs, SUCCESS or FAILURE) come
 * back on the engine's own topic. It composes the transport session (the connection),
 * the worker finder (discovery by NOTIFY) and the request book (requests in flight).
 */
export class WorkerBasedExecutor implements TaskExecutor {
  readonly uuid: string;
  /** Worker discovery events: `no_capable_worker` ({@link NoCapableWorkerDetails}). */
  readonly workerNotifier = new Notifier<NoCapableWorkerDetails>();
  readonly #logger: Logger;
  /** How often expired requests and workers are looked for, and the no-worker warning checked. */
  readonly #tickMs: number;
  readonly #session: TransportSession;
  readonly #finder: WorkerFinder;
  readonly #book: RequestBook;
  readonly #watch: NoWorkerWatch;
  /** By task name: the name its class is likely exported under (for the no-worker hint). */
  readonly #exportNames = new Map<string, string | undefined>();
  #tickTimer: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;
  /** True from a successful `start()` until `stop()`: requests are taken only then. */
  #accepting = false;
  readonly #heartbeatTimeoutMs: number;
  /** Set when the transport gave up reconnecting: every request from then on fails with it, at once. */
  #connectionLost: Error | undefined;
  readonly #executionTimeoutMs: number | undefined;

  constructor(options: WorkerBasedOptions) {
    const { exchange, topics, transitionTimeoutMs, workerExpiryMs, notifyIntervalMs, logger } = options;
    if (topics.length === 0) throw new TypeError('the worker-based engine needs at least one topic');
    this.uuid = options.uuid ?? randomUUID();
    this.#logger = logger;
    this.workerNotifier.onListenerError = (error, event) => logger.warn({ err: error, event }, 'worker listener threw');
    // The warning comes at the latest when a WAITING request would time out.
    const warnAfter = options.noWorkerWarningMs === undefined ? DEFAULT_NO_WORKER_WARNING_MS : options.noWorkerWarningMs;
    const noWorkerWarningMs = warnAfter === null ? null : Math.min(warnAfter, transitionTimeoutMs ?? Infinity);
    const shortest = Math.min(transitionTimeoutMs ?? Infinity, noWorkerWarningMs ?? Infinity);
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.#executionTimeoutMs = options.executionTimeoutMs ?? undefined;
    const tickBase = Math.min(Number.isFinite(shortest) ? shortest : 1000, this.#heartbeatTimeoutMs);
    this.#tickMs = Math.max(10, Math.min(1000, Math.floor(tickBase / 4)));
    const selection = normaliseTransportSelection(options, { owner: 'Engine' });
    this.#session = new TransportSession(
      selection,
      { exchange, topic: this.uuid, logger },
      {
        receive: (delivery) => this.#receive(delivery),
        reconnected: () => this.#reconnected(),
        gaveUp: (error) => this.#gaveUp(error),
      },
    );
    this.#finder = new WorkerFinder(
      { topics, notifyIntervalMs, workerExpiryMs, logger },
      {
        sendNotify: (topic) => this.#session.publish(topic, '{}', { type: 'NOTIFY', replyTo: this.uuid }),
        workersChanged: () => this.#dispatchWaiting(),
        outstandingOn: (topic) => this.#book.outstandingOn(topic),
      },
    );
    this.#book = new RequestBook({ transitionTimeoutMs, exchange, topics, maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS });
    this.#watch = new NoWorkerWatch({
      afterMs: noWorkerWarningMs,
      exchange,
      topics,
      selection: selection.selection,
      flowUuid: this.uuid,
      logger,
      notifier: this.workerNotifier,
      exportNameOf: (taskName) => this.#exportNames.get(taskName),
    });
  }

  /** The transport in use (after `start()`). */
  get transport(): Transport | undefined {
    return this.#session.transport;
  }

  /** Workers currently known, by topic, with the task names they run. */
  get workers(): ReadonlyMap<string, KnownWorker> {
    return this.#finder.workers;
  }

  /** Connects, consumes the engine's topic and starts discovering workers. Idempotent. */
  start(): Promise<void> {
    this.#starting ??= this.#start().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    await this.#session.open();
    try {
      await this.#finder.start();
    } catch (error) {
      this.#finder.stop();
      await this.#session.close().catch(() => undefined);
      throw error;
    }
    clearInterval(this.#tickTimer);
    this.#tickTimer = setInterval(() => this.#tick(Date.now()), this.#tickMs);
    // It keeps the process alive only while requests are in flight (see #submit and #tick):
    // a request waiting to time out must get its answer even when nothing else (the memory
    // transport) holds the event loop.
    this.#tickTimer.unref();
    this.#connectionLost = undefined;
    this.#accepting = true;
  }

  #tick(now: number): void {
    const stuck = this.#book.waiting().filter((request) => !this.#finder.serves(request.taskName));
    // Warned first: a request that times out in this tick has been reported by then.
    this.#watch.check(now, stuck, this.#finder.workers);
    this.#book.expire(now, (taskName) => this.#finder.serves(taskName));
    // Liveness is judged only while the engine itself is connected: while it is not, it
    // hears from nobody (and counts everyone as heard once it is back).
    if (this.#session.connected) {
      const silentWorkers = new Set<string>();
      for (const request of this.#book.silent(now, this.#heartbeatTimeoutMs)) silentWorkers.add(request.holder!.worker);
      for (const worker of silentWorkers) this.#workerLost(worker, now);
      for (const topic of this.#finder.forgetExpired(now)) {
        this.#redispatch(this.#book.unclaimedOn(topic), `the worker(s) on topic '${topic}' expired`);
      }
      this.#book.overdue(now, this.#heartbeatTimeoutMs);
    }
    if (this.#book.size === 0) this.#tickTimer?.unref();
  }

  /** A worker went silent while holding requests: they, and those queued on its topic if it was alone there, go again. */
  #workerLost(worker: string, now: number): void {
    const lost = this.#finder.lost(worker, now);
    const requests = new Set<PendingRequest>(this.#book.heldBy(worker));
    if (lost?.topicGone) for (const request of this.#book.unclaimedOn(lost.topic)) requests.add(request);
    this.#redispatch([...requests], `worker ${worker} went silent for ${this.#heartbeatTimeoutMs} ms`);
  }

  /** Sends `requests` again as new attempts (or fails those out of attempts). */
  #redispatch(requests: readonly PendingRequest[], reason: string): void {
    if (requests.length === 0) return;
    this.#logger.warn({ count: requests.length, reason }, 're-dispatching requests');
    for (const request of requests) {
      const { id, attempt, atomName } = request;
      const again = this.#book.redispatch(request, reason);
      this.#logger.debug({ atom: atomName, correlationId: id, attempt, next: again?.id }, again ? 're-dispatched' : 'out of attempts');
    }
    this.#dispatchWaiting();
  }

  /**
   * The engine's connection is back: the broker may have lost what it held (a restart
   * empties non-durable queues), so requests sent and not yet claimed by a worker go again,
   * and everyone else gets a fresh heartbeat timeout.
   */
  #reconnected(): void {
    void this.#finder.askAll();
    this.#book.heardAll();
    this.#redispatch(this.#book.unclaimed(), 'the engine reconnected to its broker; the request may have been lost');
  }

  /** The transport gave up reconnecting: nothing in flight can be answered any more, nor anything sent later. */
  #gaveUp(error: Error): void {
    if (!this.#accepting) return;
    this.#connectionLost = error;
    this.#logger.error({ err: error }, 'the engine lost its broker for good; failing every request in flight');
    this.#book.failAll((request) => new EngineConnectionLostError(request.atomName, request.state, error));
  }

  /**
   * Cancels every request in flight: each fails here at once with `TaskCancelledError`, and
   * the tf workers holding them (or that may receive them) are told to abort them (their
   * task's `context.signal` fires). Python workers are not told: their runs finish unheard.
   */
  cancelAll(): void {
    const byControl = new Map<string, string[]>();
    const add = (control: string, id: string) => {
      const ids = byControl.get(control) ?? [];
      ids.push(id);
      byControl.set(control, ids);
    };
    const requests = [...this.#book.all()];
    for (const request of requests) {
      if (request.holder?.control !== undefined) add(request.holder.control, request.id);
      else if (request.topic !== undefined) for (const control of this.#finder.controlsOn(request.topic)) add(control, request.id);
    }
    for (const [control, ids] of byControl) {
      for (let i = 0; i < ids.length; i += 1000) {
        this.#session
          .publish(control, '{}', { type: CANCEL_MESSAGE, headers: { [TfHeader.CANCEL]: ids.slice(i, i + 1000) } })
          .catch((error: unknown) => this.#logger.warn({ err: error, control }, 'could not send CANCEL'));
      }
    }
    for (const request of requests) this.#book.fail(request, new TaskCancelledError(request.atomName));
    if (requests.length > 0) this.#logger.info({ count: requests.length }, 'cancelled the requests in flight');
  }

  /**
   * Stops discovery, fails what is still in flight (`EngineStoppedError`), and closes the
   * transport it created (a transport object passed in stays open). Clears every timer it
   * set. Idempotent; a later `start()` connects again.
   */
  async stop(): Promise<void> {
    this.#accepting = false;
    const starting = this.#starting;
    this.#starting = undefined;
    if (starting) await starting.catch(() => undefined);
    this.#accepting = false;
    clearInterval(this.#tickTimer);
    this.#tickTimer = undefined;
    this.#finder.stop();
    this.#book.failAll((request) => new EngineStoppedError(request.atomName, request.state));
    this.#watch.reset();
    await this.#session.close();
    this.#finder.clear();
  }

  /**
   * Resolves with the number of known workers once at least `count` (distinct topics)
   * answered discovery, or with how many there are when `timeoutMs` runs out (or when
   * `stop()` is called meanwhile).
   */
  async waitForWorkers(count = 1, timeoutMs = 30_000): Promise<number> {
    await this.start();
    return this.#finder.waitFor(count, timeoutMs);
  }

  execute(task: Task, args: Record<string, unknown>, context: ExecutionContext): Promise<unknown> {
    return this.#submit(task, { action: 'execute', arguments: args }, context);
  }

  /**
   * Sends a revert request; but a task whose execute request never reached a worker (it
   * timed out, or the engine stopped, while WAITING) did not run: there is nothing to undo
   * remotely, and it reverts here, at once.
   */
  revert(task: Task, args: Record<string, unknown>, context: RevertExecutionContext): Promise<unknown> {
    if (neverReachedAWorker(context.result)) {
      this.#logger.debug({ atom: task.name }, 'reverted locally: its execute request never reached a worker');
      return Promise.resolve(undefined);
    }
    const failures: Record<string, ReturnType<Failure['toDict']>> = {};
    for (const [name, failure] of Object.entries(context.flowFailures)) failures[name] = wireFailureDict(failure);
    return this.#submit(task, { action: 'revert', arguments: args, result: encodeRequestResult(context.result), failures }, context);
  }

  #submit(
    task: Task,
    part: Pick<RequestBody, 'action' | 'arguments' | 'result' | 'failures'>,
    context: ExecutionContext,
  ): Promise<unknown> {
    // Outside start()..stop() nothing would send, time out or answer the request: refuse it now.
    if (!this.#accepting)
      return Promise.reject(new EngineStoppedError(task.name, 'WAITING', `Engine not running: '${task.name}' cannot be sent`));
    if (this.#connectionLost) return Promise.reject(new EngineConnectionLostError(task.name, 'WAITING', this.#connectionLost));
    const cls = task.constructor as TaskClass;
    const taskName = cls.taskName;
    if (!this.#exportNames.has(taskName)) this.#exportNames.set(taskName, exportNameOf(cls));
    const body: RequestBody = { task_cls: taskName, task_name: task.name, task_version: [...task.version], ...part };
    const executionTimeoutMs = cls.executionTimeoutMs ?? this.#executionTimeoutMs;
    const { request, outcome } = this.#book.open({
      taskName,
      atomName: task.name,
      body,
      onProgress: context.onProgress,
      executionTimeoutMs,
    });
    this.#tickTimer?.ref();
    this.#dispatch(request);
    return outcome;
  }

  /** Dispatches what waits, in order; a task name no worker can take now is skipped for the rest of the pass. */
  #dispatchWaiting(): void {
    if (!this.#session.isOpen) return;
    const full = new Set<string>();
    for (const request of this.#book.waiting()) {
      if (full.has(request.taskName)) continue;
      if (!this.#dispatch(request)) full.add(request.taskName);
    }
  }

  /** Sends a WAITING request to a capable worker; false when none can take it now (it stays WAITING). */
  #dispatch(request: PendingRequest): boolean {
    const topic = this.#finder.pick(request.taskName);
    if (topic === undefined || !this.#session.isOpen) return false;
    let text: string;
    try {
      text = encodeBody(request.body);
    } catch (error) {
      this.#book.fail(request, error);
      queueMicrotask(() => this.#dispatchWaiting());
      return true;
    }
    this.#book.sent(request, topic);
    this.#watch.served(request.taskName);
    const headers: MessageHeaders = { [TfHeader.ATTEMPT]: request.attempt };
    if (request.executionTimeoutMs !== undefined) headers[TfHeader.EXECUTION_TIMEOUT_MS] = request.executionTimeoutMs;
    this.#session
      .publish(topic, text, { type: 'REQUEST', replyTo: this.uuid, correlationId: request.id, headers })
      .catch((error: unknown) => {
        this.#book.fail(request, error);
        // Its share of the topic is free again.
        this.#dispatchWaiting();
      });
    return true;
  }

  #receive(delivery: Delivery): void {
    // Settled on arrival (autoAck); a transport that ignores the option is acked here.
    if (!delivery.settled) void delivery.ack();
    let message: DecodedMessage;
    try {
      message = decodeMessage(delivery);
    } catch (error) {
      // A response that names a live request but cannot be read would leave that request
      // waiting forever: fail it with the reason instead.
      const request = this.#book.get(delivery.properties.correlationId);
      if (request && delivery.properties.type === 'RESPONSE') {
        this.#logger.warn({ err: error, atom: request.atomName }, 'an invalid response failed its request');
        this.#book.fail(request, error);
        return;
      }
      this.#logger.warn({ err: error, type: delivery.properties.type }, 'dropping an invalid message');
      return;
    }
    if (message.type === 'NOTIFY') {
      if (!('topic' in message.body)) return;
      const worker = readWorkerHeaders(message.properties.headers ?? {});
      if (worker.running) this.#book.heartbeat(worker.running, worker);
      this.#finder.heard(message.body.topic, message.body.tasks, worker);
      return;
    }
    if (message.type === 'RESPONSE') {
      const id = message.properties.correlationId;
      const request = this.#book.get(id);
      if (!request) {
        // A finished request's duplicate, or an attempt superseded by a re-dispatch.
        this.#logger.debug({ correlationId: id, state: message.body.state }, 'ignoring a response for no live request');
        return;
      }
      this.#book.respond(request, message.body, readWorkerHeaders(message.properties.headers ?? {}));
      if (message.body.state === 'SUCCESS' || message.body.state === 'FAILURE') this.#dispatchWaiting();
      return;
    }
    this.#logger.warn({ type: message.type }, 'the engine topic received a request; dropped');
  }
}
