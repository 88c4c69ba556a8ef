import { randomUUID } from 'node:crypto';
import {
  type Failure,
  TfError,
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
  logger: Logger;
}

/**
 * The executor of the worker-based engine: each task becomes a REQUEST published to a
 * worker's topic, and its RESPONSEs (RUNNING, progress EVENTs, SUCCESS or FAILURE) come
 * back on the engine's own topic. It composes the transport session (the connection),
 * the worker finder (discovery by NOTIFY) and the request book (requests in flight).
 */
export class WorkerBasedExecutor implements TaskExecutor {
  readonly uuid: string;
  readonly #logger: Logger;
  readonly #transitionTimeoutMs: number | null;
  readonly #session: TransportSession;
  readonly #finder: WorkerFinder;
  readonly #book: RequestBook;
  #tickTimer: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;

  constructor(options: WorkerBasedOptions) {
    const { exchange, topics, transitionTimeoutMs, workerExpiryMs, notifyIntervalMs, logger } = options;
    if (topics.length === 0) throw new TypeError('the worker-based engine needs at least one topic');
    this.uuid = options.uuid ?? randomUUID();
    this.#logger = logger;
    this.#transitionTimeoutMs = transitionTimeoutMs;
    this.#session = new TransportSession(
      normaliseTransportSelection(options, { owner: 'Engine' }),
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
    this.#book = new RequestBook(transitionTimeoutMs);
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
    await this.#finder.start();
    const tick = Math.max(10, Math.min(1000, Math.floor((this.#transitionTimeoutMs ?? 1000) / 4)));
    clearInterval(this.#tickTimer);
    this.#tickTimer = setInterval(() => {
      const now = Date.now();
      this.#book.expire(now);
      this.#finder.forgetExpired(now);
    }, tick);
    this.#tickTimer.unref();
  }

  /**
   * Stops discovery, fails what is still in flight, and closes the transport it created (a
   * transport object passed in stays open).
   */
  async stop(): Promise<void> {
    const starting = this.#starting;
    this.#starting = undefined;
    if (starting) await starting.catch(() => undefined);
    clearInterval(this.#tickTimer);
    this.#tickTimer = undefined;
    this.#finder.stop();
    this.#book.failAll((request) => new TfError('TF_ENGINE_STOPPED', `Engine stopped before '${request.atomName}' finished`));
    await this.#session.close();
    this.#finder.clear();
  }

  /**
   * Resolves with the number of known workers once at least `count` (distinct topics)
   * answered discovery, or with how many there are when `timeoutMs` runs out.
   */
  async waitForWorkers(count = 1, timeoutMs = 30_000): Promise<number> {
    await this.start();
    return this.#finder.waitFor(count, timeoutMs);
  }

  execute(task: Task, args: Record<string, unknown>, context: ExecutionContext): Promise<unknown> {
    return this.#submit(task, { action: 'execute', arguments: args }, context);
  }

  revert(task: Task, args: Record<string, unknown>, context: RevertExecutionContext): Promise<unknown> {
    const failures: Record<string, ReturnType<Failure['toDict']>> = {};
    for (const [name, failure] of Object.entries(context.flowFailures)) failures[name] = wireFailureDict(failure);
    return this.#submit(task, { action: 'revert', arguments: args, result: encodeRequestResult(context.result), failures }, context);
  }

  #submit(
    task: Task,
    part: Pick<RequestBody, 'action' | 'arguments' | 'result' | 'failures'>,
    context: ExecutionContext,
  ): Promise<unknown> {
    const taskName = (task.constructor as TaskClass).taskName;
    const body: RequestBody = { task_cls: taskName, task_name: task.name, task_version: [...task.version], ...part };
    const { request, outcome } = this.#book.open({ taskName, atomName: task.name, body, onProgress: context.onProgress });
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
    this.#book.sent(request);
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
