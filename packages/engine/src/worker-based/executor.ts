import { randomUUID } from 'node:crypto';
import {
  Failure,
  PROGRESS_EVENT,
  TfError,
  decodeMessage,
  encodeBody,
  encodeRequestResult,
  wireFailureDict,
  resolveTransport,
  type Delivery,
  type ExecutionContext,
  type Logger,
  type RequestBody,
  type ResponseBody,
  type RevertExecutionContext,
  type Task,
  type TaskClass,
  type TaskExecutor,
  type Transport,
  type TransportConsumer,
  type TransportRetryOptionsInput,
} from '@tf/core';

/** A request no worker started within `transitionTimeoutMs` (TaskFlow's RequestTimeout). */
export class RequestTimeoutError extends TfError {
  readonly taskName: string;
  readonly atomName: string;
  readonly timeoutMs: number;
  constructor(taskName: string, atomName: string, timeoutMs: number, state: RequestState) {
    super(
      'TF_REQUEST_TIMEOUT',
      `Request to ${state === 'WAITING' ? 'find a worker for' : 'start'} task '${atomName}' (${taskName}) ` +
        `timed out after ${timeoutMs} ms in state ${state}`,
    );
    this.taskName = taskName;
    this.atomName = atomName;
    this.timeoutMs = timeoutMs;
  }
}

/** A request's life on the engine side (PROTOCOL.md). */
export type RequestState = 'WAITING' | 'PENDING' | 'RUNNING' | 'SUCCESS' | 'FAILURE';

export interface WorkerBasedOptions {
  /** The engine's own topic: workers reply here. Defaults to a random uuid. */
  uuid?: string;
  exchange: string;
  topics: readonly string[];
  transport?: string | Transport;
  url?: string;
  transportOptions?: Record<string, unknown>;
  retryOptions?: TransportRetryOptionsInput;
  /** WAITING/PENDING longer than this fails with RequestTimeoutError; null waits forever. */
  transitionTimeoutMs: number | null;
  /** A worker not heard from for this long is forgotten. */
  workerExpiryMs: number;
  /** How often the engine asks every topic which workers are there. */
  notifyIntervalMs: number;
  logger: Logger;
}

interface PendingRequest {
  readonly id: string;
  readonly taskName: string;
  readonly atomName: string;
  readonly body: RequestBody;
  readonly onProgress: ExecutionContext['onProgress'];
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  readonly createdAt: number;
  state: RequestState;
  topic?: string;
}

interface KnownWorker {
  readonly topic: string;
  tasks: Set<string>;
  lastSeen: number;
}

/**
 * The executor of the worker-based engine: each task becomes a REQUEST published to a
 * worker's topic, and its RESPONSEs (RUNNING, progress EVENTs, SUCCESS or FAILURE) come
 * back on the engine's own topic. Workers are discovered by NOTIFY, periodically.
 */
export class WorkerBasedExecutor implements TaskExecutor {
  readonly uuid: string;
  readonly #options: WorkerBasedOptions;
  readonly #logger: Logger;
  readonly #requests = new Map<string, PendingRequest>();
  /** Requests waiting for a capable worker, in arrival order. */
  readonly #waiting = new Set<PendingRequest>();
  readonly #workers = new Map<string, KnownWorker>();
  readonly #roundRobin = new Map<string, number>();
  readonly #workerListeners = new Set<() => void>();
  #transport: Transport | undefined;
  #consumer: TransportConsumer | undefined;
  #notifyTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #starting: Promise<void> | undefined;

  constructor(options: WorkerBasedOptions) {
    if (options.topics.length === 0) throw new TypeError('the worker-based engine needs at least one topic');
    this.#options = options;
    this.uuid = options.uuid ?? randomUUID();
    this.#logger = options.logger;
  }

  /** The transport in use (after `start()`). */
  get transport(): Transport | undefined {
    return this.#transport;
  }

  /** Workers currently known, by topic, with the task names they run. */
  get workers(): ReadonlyMap<string, { readonly topic: string; readonly tasks: ReadonlySet<string> }> {
    return this.#workers;
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
    const o = this.#options;
    const transport = await resolveTransport({
      ...(o.transport !== undefined ? { transport: o.transport } : {}),
      ...(o.url !== undefined ? { url: o.url } : {}),
      ...(o.transportOptions !== undefined ? { transportOptions: o.transportOptions } : {}),
      ...(o.retryOptions !== undefined ? { retryOptions: o.retryOptions } : {}),
      logger: this.#logger,
    });
    await transport.connect();
    this.#transport = transport;
    // Responses are only useful while this engine lives: consume them without acks (a
    // transport that does not do it natively acks each on arrival).
    this.#consumer = await transport.consume(o.exchange, this.uuid, (delivery) => this.#onDelivery(delivery), { autoAck: true });
    transport.on('connected', ({ reconnected }) => {
      if (reconnected) void this.#notifyAll();
    });
    await this.#notifyAll();
    this.#notifyTimer = setInterval(() => void this.#notifyAll(), o.notifyIntervalMs);
    this.#notifyTimer.unref();
    const tick = Math.max(10, Math.min(1000, Math.floor((o.transitionTimeoutMs ?? 1000) / 4)));
    this.#expiryTimer = setInterval(() => this.#expire(), tick);
    this.#expiryTimer.unref();
  }

  /** Stops discovery, fails what is still in flight, and closes the transport. */
  async stop(): Promise<void> {
    clearInterval(this.#notifyTimer);
    clearInterval(this.#expiryTimer);
    this.#notifyTimer = this.#expiryTimer = undefined;
    const starting = this.#starting;
    this.#starting = undefined;
    if (starting) await starting.catch(() => undefined);
    for (const request of this.#requests.values()) {
      this.#finish(request, 'FAILURE', new TfError('TF_ENGINE_STOPPED', `Engine stopped before '${request.atomName}' finished`));
    }
    await this.#consumer?.cancel();
    await this.#transport?.close();
    this.#consumer = undefined;
    this.#transport = undefined;
    this.#workers.clear();
  }

  /**
   * Resolves with the number of known workers once at least `count` (distinct topics)
   * answered discovery, or with how many there are when `timeoutMs` runs out.
   */
  async waitForWorkers(count = 1, timeoutMs = 30_000): Promise<number> {
    await this.start();
    if (this.#liveWorkers() >= count) return this.#liveWorkers();
    return new Promise<number>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#workerListeners.delete(check);
        resolve(this.#liveWorkers());
      };
      const check = () => {
        if (this.#liveWorkers() >= count) done();
      };
      const timer = setTimeout(done, timeoutMs);
      this.#workerListeners.add(check);
    });
  }

  execute(task: Task, args: Record<string, unknown>, context: ExecutionContext): Promise<unknown> {
    return this.#submit(task, { action: 'execute', arguments: args }, context);
  }

  revert(task: Task, args: Record<string, unknown>, context: RevertExecutionContext): Promise<unknown> {
    const failures: Record<string, ReturnType<Failure['toDict']>> = {};
    for (const [name, failure] of Object.entries(context.flowFailures)) failures[name] = wireFailureDict(failure);
    return this.#submit(
      task,
      { action: 'revert', arguments: args, result: encodeRequestResult(context.result), failures },
      context,
    );
  }

  #submit(task: Task, part: Pick<RequestBody, 'action' | 'arguments' | 'result' | 'failures'>, context: ExecutionContext): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const taskName = (task.constructor as TaskClass).taskName;
      const body: RequestBody = {
        task_cls: taskName,
        task_name: task.name,
        task_version: [...task.version],
        ...part,
      };
      const request: PendingRequest = {
        id: randomUUID(),
        taskName,
        atomName: task.name,
        body,
        onProgress: context.onProgress,
        resolve,
        reject,
        createdAt: Date.now(),
        state: 'WAITING',
      };
      this.#requests.set(request.id, request);
      if (!this.#dispatch(request)) this.#waiting.add(request);
    });
  }

  /** Sends a request to a capable worker; false when none is known yet. */
  #dispatch(request: PendingRequest): boolean {
    const topic = this.#pickTopic(request.taskName);
    if (topic === undefined || !this.#transport) return false;
    let text: string;
    try {
      text = encodeBody(request.body);
    } catch (error) {
      this.#finish(request, 'FAILURE', error);
      return true;
    }
    request.state = 'PENDING';
    request.topic = topic;
    this.#transport
      .publish(this.#options.exchange, topic, text, { type: 'REQUEST', replyTo: this.uuid, correlationId: request.id })
      .catch((error: unknown) => this.#finish(request, 'FAILURE', error));
    return true;
  }

  #pickTopic(taskName: string): string | undefined {
    const now = Date.now();
    const capable: string[] = [];
    for (const worker of this.#workers.values()) {
      if (worker.tasks.has(taskName) && this.#isLive(worker, now)) capable.push(worker.topic);
    }
    if (capable.length === 0) return undefined;
    const turn = this.#roundRobin.get(taskName) ?? 0;
    this.#roundRobin.set(taskName, turn + 1);
    return capable[turn % capable.length];
  }

  async #notifyAll(): Promise<void> {
    const transport = this.#transport;
    if (!transport) return;
    await Promise.all(
      this.#options.topics.map((topic) =>
        transport
          .publish(this.#options.exchange, topic, '{}', { type: 'NOTIFY', replyTo: this.uuid })
          .catch((error: unknown) => this.#logger.warn({ err: error, topic }, 'could not send NOTIFY')),
      ),
    );
  }

  #onDelivery(delivery: Delivery): void {
    // Settled on arrival (autoAck); a transport that ignores the option is acked here.
    if (!delivery.settled) void delivery.ack();
    let message;
    try {
      message = decodeMessage(delivery);
    } catch (error) {
      // A response that names a live request but cannot be read would leave that request
      // waiting forever: fail it with the reason instead.
      const request = delivery.properties.correlationId === undefined ? undefined : this.#requests.get(delivery.properties.correlationId);
      if (request && delivery.properties.type === 'RESPONSE') {
        this.#logger.warn({ err: error, atom: request.atomName }, 'an invalid response failed its request');
        this.#finish(request, 'FAILURE', error);
        return;
      }
      this.#logger.warn({ err: error, type: delivery.properties.type }, 'dropping an invalid message');
      return;
    }
    if (message.type === 'NOTIFY') {
      if ('topic' in message.body) this.#onWorker(message.body.topic, message.body.tasks);
      return;
    }
    if (message.type === 'RESPONSE') {
      const id = message.properties.correlationId;
      const request = id === undefined ? undefined : this.#requests.get(id);
      if (!request) {
        this.#logger.debug({ correlationId: id, state: message.body.state }, 'ignoring a response for no live request');
        return;
      }
      this.#onResponse(request, message.body);
      return;
    }
    this.#logger.warn({ type: message.type }, 'the engine topic received a request; dropped');
  }

  #onWorker(topic: string, tasks: readonly string[]): void {
    const known = this.#workers.get(topic);
    if (known) {
      known.tasks = new Set(tasks);
      known.lastSeen = Date.now();
    } else {
      this.#workers.set(topic, { topic, tasks: new Set(tasks), lastSeen: Date.now() });
      this.#logger.debug({ topic, tasks }, 'discovered a worker');
    }
    for (const request of [...this.#waiting]) {
      if (this.#dispatch(request)) this.#waiting.delete(request);
    }
    for (const listener of [...this.#workerListeners]) listener();
  }

  #onResponse(request: PendingRequest, body: ResponseBody): void {
    switch (body.state) {
      case 'RUNNING':
        request.state = 'RUNNING';
        return;
      case 'EVENT': {
        if (body.data.event_type !== PROGRESS_EVENT) return;
        const { progress, ...details } = body.data.details;
        if (typeof progress === 'number') request.onProgress(progress, Object.keys(details).length ? details : undefined);
        return;
      }
      case 'SUCCESS':
        this.#finish(request, 'SUCCESS', body.data.result);
        return;
      case 'FAILURE':
        this.#finish(request, 'FAILURE', Failure.fromDict(body.data.result));
        return;
      default:
        return;
    }
  }

  #finish(request: PendingRequest, state: 'SUCCESS' | 'FAILURE', outcome: unknown): void {
    if (!this.#requests.delete(request.id)) return;
    this.#waiting.delete(request);
    request.state = state;
    if (state === 'SUCCESS') request.resolve(outcome);
    else request.reject(outcome);
  }

  #expire(): void {
    const now = Date.now();
    const timeout = this.#options.transitionTimeoutMs;
    if (timeout !== null) {
      for (const request of this.#requests.values()) {
        if ((request.state === 'WAITING' || request.state === 'PENDING') && now - request.createdAt > timeout) {
          this.#finish(request, 'FAILURE', new RequestTimeoutError(request.taskName, request.atomName, timeout, request.state));
        }
      }
    }
    for (const [topic, worker] of this.#workers) {
      if (!this.#isLive(worker, now)) {
        this.#workers.delete(topic);
        this.#logger.info({ topic }, 'a worker expired');
      }
    }
  }

  #liveWorkers(): number {
    const now = Date.now();
    let count = 0;
    for (const worker of this.#workers.values()) if (this.#isLive(worker, now)) count++;
    return count;
  }

  /** Heard from within `workerExpiryMs`. */
  #isLive(worker: KnownWorker, now: number): boolean {
    return now - worker.lastSeen <= this.#options.workerExpiryMs;
  }
}
