import { randomUUID } from 'node:crypto';
import {
  type Failure,
  Notifier,
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
} from '@tf/core';
import { decodeMessage, encodeBody, encodeRequestResult, wireFailureDict, type DecodedMessage } from '@tf/core/internal';
import { EngineStoppedError, neverReachedAWorker } from './errors';
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
  logger: Logger;
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
    this.#tickMs = Math.max(10, Math.min(1000, Math.floor((Number.isFinite(shortest) ? shortest : 1000) / 4)));
    const selection = normaliseTransportSelection(options, { owner: 'Engine' });
    this.#session = new TransportSession(
      selection,
      { exchange, topic: this.uuid, logger },
      { receive: (delivery) => this.#receive(delivery), reconnected: () => void this.#finder.askAll() },
    );
    this.#finder = new WorkerFinder(
      { topics, notifyIntervalMs, workerExpiryMs, logger },
      {
        sendNotify: (topic) => this.#session.publish(topic, '{}', { type: 'NOTIFY', replyTo: this.uuid }),
        workersChanged: () => {
          for (const request of this.#book.waiting()) this.#dispatch(request);
        },
      },
    );
    this.#book = new RequestBook({ transitionTimeoutMs, exchange, topics });
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
    this.#accepting = true;
  }

  #tick(now: number): void {
    const stuck = this.#book.waiting().filter((request) => !this.#finder.serves(request.taskName));
    // Warned first: a request that times out in this tick has been reported by then.
    this.#watch.check(now, stuck, this.#finder.workers);
    this.#book.expire(now);
    this.#finder.forgetExpired(now);
    if (this.#book.size === 0) this.#tickTimer?.unref();
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
    const cls = task.constructor as TaskClass;
    const taskName = cls.taskName;
    if (!this.#exportNames.has(taskName)) this.#exportNames.set(taskName, exportNameOf(cls));
    const body: RequestBody = { task_cls: taskName, task_name: task.name, task_version: [...task.version], ...part };
    const { request, outcome } = this.#book.open({ taskName, atomName: task.name, body, onProgress: context.onProgress });
    this.#tickTimer?.ref();
    this.#dispatch(request);
    return outcome;
  }

  /** Sends a WAITING request to a capable worker; it stays WAITING while none is known. */
  #dispatch(request: PendingRequest): void {
    const topic = this.#finder.pick(request.taskName);
    if (topic === undefined || !this.#session.isOpen) return;
    let text: string;
    try {
      text = encodeBody(request.body);
    } catch (error) {
      this.#book.fail(request, error);
      return;
    }
    this.#book.sent(request, topic);
    this.#watch.served(request.taskName);
    this.#session
      .publish(topic, text, { type: 'REQUEST', replyTo: this.uuid, correlationId: request.id })
      .catch((error: unknown) => this.#book.fail(request, error));
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
      if ('topic' in message.body) this.#finder.heard(message.body.topic, message.body.tasks);
      return;
    }
    if (message.type === 'RESPONSE') {
      const id = message.properties.correlationId;
      const request = this.#book.get(id);
      if (!request) {
        this.#logger.debug({ correlationId: id, state: message.body.state }, 'ignoring a response for no live request');
        return;
      }
      this.#book.respond(request, message.body);
      return;
    }
    this.#logger.warn({ type: message.type }, 'the engine topic received a request; dropped');
  }
}
