import { randomUUID } from 'node:crypto';
import {
  CANCEL_MESSAGE,
  type Failure,
  LocalTaskExecutor,
  MAX_IDS_PER_MESSAGE,
  MAX_TIMER_MS,
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
  type PublishOptions,
  type SigningOptions,
  type SigningStats,
  type WorkerHeaders,
} from '@tf/core';
import { decodeMessage, encodeBody, encodeRequestResult, isPromiseLike, wireFailureDict, type DecodedMessage } from '@tf/core/internal';
import { EngineConnectionLostError, EngineStoppedError, neverReachedAWorker } from './errors';
import { DEFAULT_NO_WORKER_WARNING_MS, NoWorkerWatch, type NoCapableWorkerDetails } from './no-worker-watch';
import { RequestBook, type PendingRequest } from './request-book';
import { REQUEST_STATE_EVENT, type RequestEventDetails } from './request-events';
import { RequestTelemetry } from './request-telemetry';
import { requestSent, startRequestTrace } from './request-trace';
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
  /**
   * Flow control: the most requests published and not finished at once; the others wait in
   * the engine (WAITING) and go as those finish. null: no bound. Default {@link DEFAULT_MAX_IN_FLIGHT}.
   */
  maxInFlight?: number | null;
  /** The longest a task's run may take on a worker (ms); a Task class's own `executionTimeoutMs` wins. Default: none. */
  executionTimeoutMs?: number | null;
  /** Sign what is sent, drop what is not correctly signed (see `WorkerBasedLoadOptions.signingKey`). */
  signingKey?: SigningOptions | undefined;
  logger: Logger;
}

/** The default of `heartbeatTimeoutMs`: five of a worker's default 1 s heartbeats. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 5_000;
/** The default of `maxAttempts`. */
export const DEFAULT_MAX_ATTEMPTS = 3;
/**
 * The default of `maxInFlight`. A tf worker takes at most its concurrency + 1 requests at a
 * time anyway (the engine sends no more to a topic whose workers said their concurrency):
 * 1 000 keeps, say, a hundred 8-slot workers busy, and bounds what one engine puts on the
 * broker for workers that do not say (Python TaskFlow's) to 1 000 requests.
 */
export const DEFAULT_MAX_IN_FLIGHT = 1_000;

/** Atoms started per request the workers can take: one in their hands, one ready to go. */
export const STARTED_PER_IN_FLIGHT = 2;

/**
 * The fewest atoms the engine lets run at once, whatever its workers can take: what goes
 * before any worker is known (their requests wait, and leave as workers answer).
 */
export const MIN_STARTED = 64;

/** Appends `id` to the list `byControl` keeps for `control` (the ids one CANCEL message names). */
function addTo(byControl: Map<string, string[]>, control: string, id: string): void {
  const ids = byControl.get(control);
  if (ids) ids.push(id);
  else byControl.set(control, [id]);
}

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
  /** Request events: `request_state` ({@link RequestEventDetails}): sent to a topic, running on a worker, waiting again. */
  readonly requestNotifier = new Notifier<RequestEventDetails>();
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
  /** By tf worker id: when the engine last heard anything from it. */
  readonly #heardWorkers = new Map<string, number>();
  /** CANCELs being published (awaited, bounded, before the connection closes). */
  readonly #cancelling = new Set<Promise<unknown>>();
  readonly #workerExpiryMs: number;
  #lastTick = Date.now();
  #dispatchScheduled = false;
  readonly #executionTimeoutMs: number | undefined;
  readonly #transitionTimeoutMs: number | null;
  /** A request waits in its queue at most its transition timeout (a per-message TTL where the broker has one). */
  readonly #requestOptions: PublishOptions;
  /** The topics this engine was given: the only ones whose workers it takes. */
  readonly #topics: ReadonlySet<string>;
  readonly #telemetry: RequestTelemetry;
  /** Runs the tasks marked `local` in this process, as the serial and parallel engines do. */
  readonly #local = new LocalTaskExecutor();
  /** Local tasks whose outcome is pending. */
  #localRunning = 0;
  /** The most requests published and unfinished at once (Infinity: no bound). */
  readonly #maxInFlight: number;
  /** The last time the in-flight bound held a WAITING request back (0: never): WAITING clocks start no earlier. */
  #heldAt = 0;
  /** The transport's name, for spans' `messaging.system`. */
  #system = 'tf';

  constructor(options: WorkerBasedOptions) {
    const { exchange, topics, transitionTimeoutMs, workerExpiryMs, notifyIntervalMs, logger } = options;
    if (topics.length === 0) throw new TypeError('the worker-based engine needs at least one topic');
    this.uuid = options.uuid ?? randomUUID();
    this.#logger = logger;
    this.workerNotifier.onListenerError = (error, event) => logger.warn({ err: error, event }, 'worker listener threw');
    this.requestNotifier.onListenerError = (error, event) => logger.warn({ err: error, event }, 'request listener threw');
    // The warning comes at the latest when a WAITING request would time out.
    const warnAfter = options.noWorkerWarningMs === undefined ? DEFAULT_NO_WORKER_WARNING_MS : options.noWorkerWarningMs;
    const noWorkerWarningMs = warnAfter === null ? null : Math.min(warnAfter, transitionTimeoutMs ?? Infinity);
    const shortest = Math.min(transitionTimeoutMs ?? Infinity, noWorkerWarningMs ?? Infinity);
    this.#heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.#workerExpiryMs = workerExpiryMs;
    this.#executionTimeoutMs = options.executionTimeoutMs ?? undefined;
    this.#transitionTimeoutMs = transitionTimeoutMs;
    this.#requestOptions = Object.freeze(transitionTimeoutMs === null ? {} : { ttlMs: transitionTimeoutMs });
    this.#topics = new Set(topics);
    const maxInFlight = options.maxInFlight === undefined ? DEFAULT_MAX_IN_FLIGHT : options.maxInFlight;
    if (maxInFlight !== null && !(Number.isInteger(maxInFlight) && maxInFlight > 0)) {
      throw new TypeError(`maxInFlight must be a positive integer or null, got ${String(maxInFlight)}`);
    }
    this.#maxInFlight = maxInFlight ?? Number.POSITIVE_INFINITY;
    const tickBase = Math.min(Number.isFinite(shortest) ? shortest : 1000, this.#heartbeatTimeoutMs);
    this.#tickMs = Math.max(10, Math.min(1000, Math.floor(tickBase / 4)));
    const selection = normaliseTransportSelection(options, { owner: 'Engine' });
    this.#session = new TransportSession(
      selection,
      { exchange, topic: this.uuid, logger, signingKey: options.signingKey },
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
    this.#telemetry = new RequestTelemetry({
      requests: () => this.#book.all(),
      waitingWithoutWorker: () => this.#book.waiting().flatMap((r) => (this.#finder.serves(r.taskName) ? [] : [r.taskName])),
      workersByTopic: () => this.#finder.workersByTopic(),
    });
    this.#book = new RequestBook({
      transitionTimeoutMs,
      exchange,
      topics,
      maxAttempts: options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      observer: this.#telemetry,
    });
    this.#watch = new NoWorkerWatch({
      afterMs: noWorkerWarningMs,
      exchange,
      topics,
      selection: selection.selection,
      flowUuid: this.uuid,
      logger,
      notifier: this.workerNotifier,
      exportNameOf: (taskName) => this.#exportNames.get(taskName),
      signingStats: () => this.#session.signingStats,
    });
  }

  /** The transport in use (after `start()`). */
  get transport(): Transport | undefined {
    return this.#session.transport;
  }

  /** With `signingKey`: messages signed, verified and dropped so far; undefined without. */
  get signingStats(): SigningStats | undefined {
    return this.#session.signingStats;
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
    this.#lastTick = Date.now();
    this.#tickTimer = setInterval(() => this.#tick(Date.now()), this.#tickMs);
    // It keeps the process alive only while requests are in flight (see #submit and #tick):
    // a request waiting to time out must get its answer even when nothing else (the memory
    // transport) holds the event loop.
    this.#tickTimer.unref();
    this.#connectionLost = undefined;
    this.#system = this.#session.transport?.details().name ?? 'tf';
    this.#telemetry.attach();
    this.#accepting = true;
  }

  #tick(now: number): void {
    const late = now - this.#lastTick > Math.max(3 * this.#tickMs, this.#heartbeatTimeoutMs / 2);
    this.#lastTick = now;
    const stuck = this.#book.waiting().filter((request) => !this.#finder.serves(request.taskName));
    // Warned first: a request that times out in this tick has been reported by then.
    this.#watch.check(now, stuck, this.#finder.workers);
    // Liveness and timeouts are judged only while the engine itself is connected (while it
    // is not, it hears from nobody), and not on a tick that came late: this process stalled
    // (GC, a long synchronous step) and the messages that arrived meanwhile are still unread.
    // Either way everyone counts as just heard of, once.
    if (!this.#session.connected || late) {
      this.#heardEveryone(now);
    } else {
      if (this.#book.inFlight >= this.#maxInFlight) this.#heldAt = now;
      this.#book.expire(now, (taskName) => this.#finder.serves(taskName), this.#heldAt);
      this.#judgeLiveness(now);
      for (const topic of this.#finder.forgetExpired(now)) {
        this.#redispatch(this.#book.unclaimedOn(topic), `the worker(s) on topic '${topic}' expired`);
      }
      this.#book.overdue(now, this.#heartbeatTimeoutMs);
      this.#forgetSilentWorkers(now);
    }
    // Timeouts free topics' shares.
    this.#dispatchWaiting();
    if (this.#book.size === 0) this.#tickTimer?.unref();
  }

  /**
   * Requests whose worker has not listed them for the heartbeat timeout: when the worker
   * itself was heard meanwhile (it dropped them: handed back, or never got them), only those
   * go again; when it has gone silent, everything it held goes, and what is queued on its
   * topic if it was alone there.
   */
  #judgeLiveness(now: number): void {
    const dropped: PendingRequest[] = [];
    const silentWorkers = new Set<string>();
    for (const request of this.#book.silent(now, this.#heartbeatTimeoutMs)) {
      const holder = request.holder!;
      const heard = this.#heardWorkers.get(holder.worker) ?? 0;
      if (now - heard > Math.max(this.#heartbeatTimeoutMs, 3 * (holder.heartbeatMs ?? 0))) silentWorkers.add(holder.worker);
      else dropped.push(request);
    }
    this.#redispatch(dropped, 'its worker no longer lists it among the requests it holds');
    for (const worker of silentWorkers) this.#workerLost(worker, now);
  }

  /** A message from a worker that says who it is: it is alive now. */
  #heardWorker(worker: string | undefined, now = Date.now()): void {
    if (worker !== undefined) this.#heardWorkers.set(worker, now);
  }

  /** After the engine could not hear (disconnected, stalled): every worker and request counts as just heard of. */
  #heardEveryone(now: number): void {
    this.#book.heardAll(now);
    for (const worker of this.#heardWorkers.keys()) this.#heardWorkers.set(worker, now);
    this.#finder.heardAll(now);
  }

  /** Forgets workers not heard of for `workerExpiryMs` (the map stays bounded). */
  #forgetSilentWorkers(now: number): void {
    for (const [worker, heard] of this.#heardWorkers) if (now - heard > this.#workerExpiryMs) this.#heardWorkers.delete(worker);
  }

  /** A worker went silent while holding requests: they, and those queued on its topic if it was alone there, go again. */
  #workerLost(worker: string, now: number): void {
    const lastHeard = this.#heardWorkers.get(worker) ?? now;
    this.#heardWorkers.delete(worker);
    const held = this.#book.heldBy(worker);
    // Its topic: where discovery heard it, else where its requests went (a worker sharing a
    // topic may never have been the one to answer a NOTIFY).
    const lost = this.#finder.lost(worker, now) ?? (held[0]?.topic === undefined ? undefined : { topic: held[0].topic, topicGone: false });
    const requests = new Set<PendingRequest>(held);
    if (lost) {
      // Alone on its topic: whatever is queued there goes too. Sharing it: what was sent there
      // before it died and nobody claimed may be in its hands, unlisted yet (it took it after
      // its last heartbeat); a broker that redelivers only after a lease (Redis) would keep it
      // from the others that long.
      const beat = held.find((request) => request.holder?.heartbeatMs !== undefined)?.holder?.heartbeatMs ?? 1_000;
      const sentBy = lost.topicGone ? Number.POSITIVE_INFINITY : lastHeard + beat;
      for (const request of this.#book.unclaimedOn(lost.topic, sentBy)) requests.add(request);
    }
    this.#redispatch([...requests], `worker ${worker} went silent for ${this.#heartbeatTimeoutMs} ms`);
  }

  /**
   * Sends `requests` again as new attempts (or fails those out of attempts), and tells the tf
   * workers that held the superseded attempts to drop them. `counted: false` for a re-send
   * that does not use up an attempt (after the engine's own reconnect).
   */
  #redispatch(requests: readonly PendingRequest[], reason: string, counted = true): void {
    if (requests.length === 0) return;
    this.#logger.warn({ count: requests.length, reason }, 're-dispatching requests');
    const superseded = new Map<string, string[]>();
    for (const request of requests) {
      const { id, attempt, atomName } = request;
      const { again, superseded: old } = this.#book.redispatch(request, reason, counted);
      if (again) this.#telemetry.redispatched(request.taskName);
      const control = old?.holder?.control;
      if (old && control !== undefined) addTo(superseded, control, old.id);
      this.#logger.debug({ atom: atomName, correlationId: id, attempt, next: again?.id }, again ? 're-dispatched' : 'out of attempts');
      if (again && this.requestNotifier.hasListeners) {
        this.requestNotifier.notify(REQUEST_STATE_EVENT, {
          atomName,
          taskName: again.taskName,
          state: 'WAITING',
          attempt: again.attempt,
          reason,
        });
      }
    }
    for (const [control, ids] of superseded) this.#sendCancel(control, ids);
    this.#dispatchWaiting();
  }

  /** Asks the tf worker behind `control` to abort `ids` (in messages of at most MAX_IDS_PER_MESSAGE); best effort. */
  #sendCancel(control: string, ids: readonly string[]): void {
    for (let i = 0; i < ids.length; i += MAX_IDS_PER_MESSAGE) {
      const sending = this.#session
        .publish(
          control,
          '{}',
          { type: CANCEL_MESSAGE, headers: { [TfHeader.CANCEL]: ids.slice(i, i + MAX_IDS_PER_MESSAGE) } },
          // A worker's control topic is its own: one that is gone is not made again.
          { createTopic: false },
        )
        .catch((error: unknown) => this.#logger.warn({ err: error, control }, 'could not send CANCEL'));
      this.#cancelling.add(sending);
      void sending.finally(() => this.#cancelling.delete(sending));
    }
  }

  /**
   * The engine's connection is back: the broker may have lost what it held (a restart
   * empties non-durable queues), so requests sent and not yet claimed by a worker go again
   * (without using up an attempt), and everyone else gets a fresh heartbeat timeout.
   */
  #reconnected(): void {
    void this.#finder.askAll();
    this.#heardEveryone(Date.now());
    this.#redispatch(this.#book.unclaimed(), 'the engine reconnected to its broker; the request may have been lost', false);
  }

  /** The transport gave up reconnecting: nothing in flight can be answered any more, nor anything sent later. */
  #gaveUp(error: Error): void {
    if (!this.#accepting) return;
    this.#connectionLost = error;
    this.#logger.error({ err: error }, 'the engine lost its broker for good; failing every request in flight');
    this.#book.failAll((request) => new EngineConnectionLostError(request.atomName, request.state, error, request.everSent));
  }

  /**
   * A heartbeat: the requests it lists are alive. Ids this engine does not hold (finished,
   * given up, superseded by a re-dispatch) are runs nobody waits for: the worker is told to
   * drop them.
   */
  #heartbeat(ids: readonly string[], worker: WorkerHeaders): void {
    const unknown = this.#book.heartbeat(ids, worker);
    if (unknown.length > 0 && worker.control !== undefined) this.#sendCancel(worker.control, unknown);
  }

  /**
   * Cancels every request in flight: each fails here at once with `TaskCancelledError`, and
   * the tf workers holding them (or that may receive them) are told to abort them (their
   * task's `context.signal` fires). Python workers are not told: their runs finish unheard.
   */
  cancelAll(): void {
    const byControl = new Map<string, string[]>();
    const requests = [...this.#book.all()];
    for (const request of requests) {
      if (request.holder?.control !== undefined) addTo(byControl, request.holder.control, request.id);
      else if (request.topic !== undefined)
        for (const control of this.#finder.controlsOn(request.topic)) addTo(byControl, control, request.id);
    }
    for (const [control, ids] of byControl) this.#sendCancel(control, ids);
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
    this.#book.failAll((request) => new EngineStoppedError(request.atomName, request.state, undefined, request.everSent));
    // CANCELs on their way leave before the connection closes (bounded).
    if (this.#cancelling.size > 0) {
      await Promise.race([Promise.all(this.#cancelling), new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    }
    this.#watch.reset();
    this.#telemetry.detach();
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

  /**
   * How many atoms are worth running at once (the scheduler starts no more, nor more than
   * `maxWorkers`): twice the requests the known workers can hold (their concurrency + 1
   * each), bounded by `maxInFlight`, at least MIN_STARTED, plus the local tasks running.
   * An atom started beyond that would only wait in the engine, holding its request. A local
   * task that becomes ready while the bound is full waits its turn like any other atom (as it
   * did behind `maxWorkers`); once running, it makes room for itself.
   */
  concurrency(): number {
    const remote = Math.min(this.#maxInFlight, this.#finder.capacity());
    return Math.max(MIN_STARTED, STARTED_PER_IN_FLIGHT * remote) + this.#localRunning;
  }

  /** Counts a local task while its outcome is pending (it runs here: `concurrency()` makes room for it). */
  #runLocal(outcome: unknown): unknown {
    if (!isPromiseLike(outcome)) return outcome;
    this.#localRunning++;
    return Promise.resolve(outcome).finally(() => {
      this.#localRunning--;
    });
  }

  /** A task marked `local` runs here, in this process; any other is sent to a worker. */
  execute(task: Task, args: Record<string, unknown>, context: ExecutionContext): unknown {
    if (task.local === true) return this.#runLocal(this.#local.execute(task, args, context));
    return this.#submit(task, 'execute', args, undefined, context);
  }

  /**
   * Reverts a `local` task here; for any other sends a revert request. But a task whose
   * execute request never reached a worker (it timed out, or the engine stopped, while
   * WAITING) did not run: there is nothing to undo remotely, and it reverts here, at once.
   */
  revert(task: Task, args: Record<string, unknown>, context: RevertExecutionContext): unknown {
    if (task.local === true) return this.#runLocal(this.#local.revert(task, args, context));
    if (neverReachedAWorker(context.result)) {
      this.#logger.debug({ atom: task.name }, 'reverted locally: its execute request never reached a worker');
      return Promise.resolve(undefined);
    }
    const failures: Record<string, ReturnType<Failure['toDict']>> = {};
    for (const [name, failure] of Object.entries(context.flowFailures)) failures[name] = wireFailureDict(failure);
    return this.#submit(task, 'revert', args, { result: encodeRequestResult(context.result), failures }, context);
  }

  #submit(
    task: Task,
    action: RequestBody['action'],
    args: Record<string, unknown>,
    reverting: Pick<RequestBody, 'result' | 'failures'> | undefined,
    context: ExecutionContext,
  ): Promise<unknown> {
    // Outside start()..stop() nothing would send, time out or answer the request: refuse it now.
    if (!this.#accepting)
      return Promise.reject(new EngineStoppedError(task.name, 'WAITING', `Engine not running: '${task.name}' cannot be sent`));
    if (this.#connectionLost) return Promise.reject(new EngineConnectionLostError(task.name, 'WAITING', this.#connectionLost));
    const cls = task.constructor as TaskClass;
    const taskName = cls.taskName;
    if (!this.#exportNames.has(taskName)) this.#exportNames.set(taskName, exportNameOf(cls));
    // Written in the wire's key order; the task's version is shared, not copied (only read, as JSON).
    const body: RequestBody = { task_cls: taskName, task_name: task.name, task_version: task.version, action, arguments: args };
    if (reverting) {
      body.result = reverting.result;
      body.failures = reverting.failures;
    }
    const own = cls.executionTimeoutMs;
    const executionTimeoutMs = typeof own === 'number' && own > 0 && own <= MAX_TIMER_MS ? own : this.#executionTimeoutMs;
    const { outcome } = this.#book.open({
      taskName,
      atomName: task.name,
      body,
      onProgress: context.onProgress,
      executionTimeoutMs,
      trace: startRequestTrace(taskName, task.name, action, this.#system),
    });
    this.#tickTimer?.ref();
    this.#dispatchWaiting();
    return outcome;
  }

  /**
   * One dispatch pass once the responses at hand are read: many answers arriving together
   * free many shares, and the requests they let go leave together (fewer, larger writes).
   */
  #dispatchSoon(): void {
    if (this.#dispatchScheduled) return;
    this.#dispatchScheduled = true;
    setImmediate(() => {
      this.#dispatchScheduled = false;
      this.#dispatchWaiting();
    });
  }

  /**
   * Dispatches what waits, oldest first over every task name, as far as workers and the bound
   * allow; a task name no worker can take now is passed over, not waited on. A new request
   * goes this way too, after those that began waiting before it: sent at once, it would take
   * the share an answer just freed (the pass for those comes a turn later), and the oldest
   * would wait until the flow's end.
   */
  #dispatchWaiting(): void {
    if (!this.#session.isOpen) return;
    let passedOver: Set<string> | undefined;
    while (!this.#full()) {
      const request = this.#book.oldestWaiting(passedOver);
      if (request === undefined) return;
      if (this.#dispatch(request)) continue;
      if (this.#full() || !this.#session.isOpen || this.#book.waitingTaskCount === 1) return;
      (passedOver ??= new Set()).add(request.taskName);
    }
  }

  /**
   * Sends a WAITING request to a capable worker; false when none can take it now, or the
   * in-flight bound is reached (it stays WAITING).
   */
  #dispatch(request: PendingRequest): boolean {
    if (this.#full()) return false;
    const topic = this.#finder.pick(request.taskName);
    if (topic === undefined || !this.#session.isOpen) return false;
    let text: string;
    try {
      text = encodeBody(request.body);
    } catch (error) {
      this.#book.fail(request, error);
      return true;
    }
    this.#book.sent(request, topic);
    this.#watch.served(request.taskName);
    if (this.requestNotifier.hasListeners) {
      const { atomName, taskName, attempt } = request;
      this.requestNotifier.notify(REQUEST_STATE_EVENT, { atomName, taskName, state: 'PENDING', attempt, topic });
    }
    const headers: MessageHeaders = { [TfHeader.ATTEMPT]: request.attempt, [TfHeader.RUNNING_OPTIONAL]: true };
    if (request.executionTimeoutMs !== undefined) headers[TfHeader.EXECUTION_TIMEOUT_MS] = request.executionTimeoutMs;
    // Unclaimed past the transition timeout it fails here: a worker that gets it later drops it.
    if (this.#transitionTimeoutMs !== null) headers[TfHeader.EXPIRES_AT] = Date.now() + this.#transitionTimeoutMs;
    const attemptId = request.id;
    if (request.trace) {
      Object.assign(headers, request.trace.headers);
      requestSent(request.trace, topic, attemptId, request.attempt);
    }
    this.#logger.trace({ atom: request.atomName, correlationId: attemptId, attempt: request.attempt, topic }, 'sending a request');
    this.#session
      .publish(topic, text, { type: 'REQUEST', replyTo: this.uuid, correlationId: attemptId, headers }, this.#requestOptions)
      .catch((error: unknown) => {
        this.#book.fail(request, error, attemptId);
        // Its share of the topic is free again.
        this.#dispatchWaiting();
      });
    return true;
  }

  /** Whether the in-flight bound is reached; then what waits is held back, as of now. */
  #full(): boolean {
    if (this.#book.inFlight < this.#maxInFlight) return false;
    this.#heldAt = Date.now();
    return true;
  }

  #receive(delivery: Delivery): void {
    // Settled on arrival (autoAck); a transport that ignores the option is acked here.
    if (!delivery.settled) void delivery.ack();
    let message: DecodedMessage;
    try {
      message = decodeMessage(delivery);
    } catch (error) {
      // Signed, it comes from a worker holding the key, which will not say better; held by a
      // worker that does not heartbeat (Python), nothing else would ever end the wait. Either
      // way the request it names fails with the reason.
      const request = this.#book.get(delivery.properties.correlationId);
      const signed = this.#session.signingStats !== undefined;
      const unwatched = request?.state === 'RUNNING' && request.holder?.heartbeatMs === undefined;
      if (request && delivery.properties.type === 'RESPONSE' && (signed || unwatched)) {
        this.#logger.warn({ err: error, atom: request.atomName }, 'an invalid signed response failed its request');
        this.#book.fail(request, error);
        return;
      }
      // Unsigned, anyone on the broker can send one: it must not fail a flow. The request it
      // names stays watched (heartbeats, timeouts) and gets its real answer.
      this.#logger.warn(
        { err: error, type: delivery.properties.type, correlationId: delivery.properties.correlationId },
        'ignoring an invalid message',
      );
      return;
    }
    if (message.type === 'NOTIFY') {
      if (!('topic' in message.body)) return;
      if (!this.#topics.has(message.body.topic)) {
        // Requests go only to the topics this engine was given, never to whoever claims another.
        this.#logger.debug({ topic: message.body.topic }, 'ignoring a worker on a topic this engine was not given');
        return;
      }
      const worker = readWorkerHeaders(message.properties.headers ?? {});
      this.#heardWorker(worker.worker);
      if (worker.running) this.#heartbeat(worker.running, worker);
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
      const worker = readWorkerHeaders(message.properties.headers ?? {});
      if (worker.topic !== undefined && worker.topic !== request.topic) {
        this.#logger.warn(
          { correlationId: id, from: worker.topic, sentTo: request.topic },
          'ignoring a response from a topic the request was not sent to',
        );
        return;
      }
      this.#heardWorker(worker.worker);
      const started = this.#book.respond(request, message.body, worker);
      if (started && this.requestNotifier.hasListeners) {
        const { atomName, taskName, attempt, topic } = request;
        const details: RequestEventDetails = { atomName, taskName, state: 'RUNNING', attempt };
        this.requestNotifier.notify(REQUEST_STATE_EVENT, {
          ...details,
          ...(topic === undefined ? {} : { topic }),
          ...(worker.worker === undefined ? {} : { worker: worker.worker }),
        });
      }
      if (message.body.state === 'SUCCESS' || message.body.state === 'FAILURE') this.#dispatchSoon();
      return;
    }
    this.#logger.warn({ type: message.type }, 'the engine topic received a request; dropped');
  }
}
