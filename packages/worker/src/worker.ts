import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import {
  CANCEL_MESSAGE,
  controlTopicOf,
  DEAD_LETTER_TOPIC,
  isDestinationName,
  ExecutionTimeoutError,
  MAX_TIMER_MS,
  PROGRESS_EVENT,
  readIds,
  readRequestHeaders,
  TaskCancelledError,
  TfHeader,
  TfError,
  TransportErrorCode,
  childLogger,
  Failure,
  InvalidStateError,
  MessageType,
  resolveTransport,
  signedTransport,
  SigningCounters,
  silentLogger,
  UnserializableValueError,
  type Delivery,
  type FailureDict,
  type Logger,
  type MessageHeaders,
  type NotifyResponseBody,
  type RequestBody,
  type ResponseBody,
  type ProgressSink,
  type PublishOptions,
  type SigningStats,
  type Task,
  type RunningTask,
  type Transport,
  type TransportConsumer,
  MAX_RUNNING_LISTED,
} from '@tf/core';
import { decodeMessage, encodeBody, RUNNING_TEXT, wireFailureDict, type DecodedMessage } from '@tf/core/internal';
import { admit, type Admission } from './admission';
import { deadLetterHeaders } from './dead-letters';
import { DeliveryLimitError, UnknownTaskError } from './errors';
import { Heartbeat } from './heartbeat';
import { HeldRequests, type Hold } from './held-requests';
import { normaliseWorkerOptions, type NormalisedWorkerOptions, type WorkerOptions } from './options';
import { startProcessSpan } from './process-span';
import { runRequest } from './run-request';
import { resolveTasks, type AllowedTask } from './tasks';
import { VERSION } from './version';

/**
 * How a worker publishes to an engine's topic: never creating it. A reply to an engine that is
 * gone is dropped by the broker instead of kept for ever in a topic nobody reads.
 */
const REPLY: PublishOptions = Object.freeze({ createTopic: false });

/** `idle` -> `starting` -> `running` -> `stopping` -> `stopped`. */
export type WorkerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/** What `stop()` takes. */
export interface WorkerStopOptions {
  /**
   * How long to wait for running tasks. When it runs out, the requests still running are
   * handed back to the broker (redelivered to another worker) and their results dropped.
   * Default: wait as long as they take.
   */
  timeoutMs?: number | undefined;
}

function serialisedFailure(error: unknown): ResponseBody {
  // Rooted in Python's Exception (wireFailureDict): a Python engine forwards it to Python workers.
  let dict: FailureDict = wireFailureDict(Failure.fromError(error));
  try {
    encodeBody(dict);
  } catch (encodingError) {
    dict = wireFailureDict(
      Failure.fromError(new UnserializableValueError(`the failure of the task could not be sent: ${(encodingError as Error).message}`)),
    );
  }
  return { state: 'FAILURE', data: { result: dict } };
}

/** A request being processed, as `#process` needs it. */
interface HeldRequest {
  readonly replyTo: string;
  readonly correlationId: string;
  /** On RUNNING: this worker's id and heartbeat interval, and the request's attempt. */
  readonly headers: MessageHeaders;
  /** Its id and the request's attempt: on the other responses. */
  readonly brief: MessageHeaders;
  readonly hold: Hold;
  /** From the request's headers; else the task class's own. */
  readonly executionTimeoutMs: number | undefined;
  /** It carries `x-tf-attempt`: a tf engine sent it, and watches it by heartbeats. */
  readonly fromTfEngine: boolean;
  /** Its engine takes a final response with no RUNNING before it (`x-tf-running-optional`). */
  readonly runningOptional: boolean;
}

/**
 * Serves an allow-list of Task classes on one topic of one exchange: answers engines'
 * NOTIFY with its topic and task names, runs REQUESTs (execute or revert) with at most
 * `concurrency` at once, and reports RUNNING, progress EVENTs and SUCCESS/FAILURE to the
 * request's `reply_to`. A request is acked only once its final response is published, so
 * a request held by a worker that dies is delivered again to another.
 *
 * ```ts
 * const worker = new Worker({ exchange: 'test-exchange', topic: 'test-tasks', tasks: ['./tasks.js'], transport: 'amqp', url });
 * await worker.start();   // resolves once consuming
 * await worker.stop();    // stops taking work, finishes what it holds, closes
 * ```
 */
export class Worker {
  /** Unique per worker: named on everything it sends (`x-tf-worker`), so an engine knows who holds its requests. */
  readonly id: string;
  readonly exchange: string;
  readonly topic: string;
  /** Where engines send this worker control messages (CANCEL); `tf-control-<id>`. */
  readonly controlTopic: string;
  /** The most tasks run at once. */
  readonly concurrency: number;

  readonly #options: NormalisedWorkerOptions;
  readonly #logger: Logger;
  #state: WorkerState = 'idle';
  #tasks: Map<string, AllowedTask> | undefined;
  #transport: Transport | undefined;
  #ownsTransport = false;
  #consumer: TransportConsumer | undefined;
  #controlConsumer: TransportConsumer | undefined;
  readonly #held = new HeldRequests();
  readonly #heartbeat: Heartbeat;
  #starting: Promise<void> | undefined;
  #stopping: Promise<void> | undefined;
  #active = 0;
  readonly #waiters: ((granted: boolean) => void)[] = [];
  readonly #signingCounters = new SigningCounters();
  /** When `start()` connected (ms since the epoch); 0 before. */
  #startedAt = 0;
  /** The transport's name (spans' `messaging.system`). */
  #system = 'tf';
  /** The runs in progress, by correlation id (what `tf inspect` is told). */
  readonly #runs = new Map<string, RunningTask>();

  /** Checks the options (a bad one is a `WorkerConfigError`, `TF_WORKER_CONFIG`); nothing is loaded or connected yet. */
  constructor(options: WorkerOptions) {
    this.#options = normaliseWorkerOptions(options);
    this.id = randomUUID();
    this.controlTopic = controlTopicOf(this.id);
    this.exchange = this.#options.exchange;
    this.topic = this.#options.topic;
    this.concurrency = this.#options.concurrency;
    this.#logger = childLogger(this.#options.logger ?? silentLogger, {
      component: 'tf-worker',
      exchange: this.exchange,
      topic: this.topic,
    });
    this.#heartbeat = new Heartbeat(this.#options.heartbeatIntervalMs, {
      held: this.#held,
      headers: () => this.#headers(),
      notifyBody: () => encodeBody(this.#notifyAnswer()),
      publish: (topic, body, properties) => this.#transport!.publish(this.exchange, topic, body, properties, REPLY),
      connected: () => this.#transport?.state === 'connected',
      tick: () => {
        const afterMs = this.#options.ackLongTasksAfterMs;
        if (afterMs !== null) this.#held.sweep(Date.now(), afterMs);
      },
      logger: this.#logger,
    });
  }

  /** What this worker says about itself on everything it sends. */
  #headers(): MessageHeaders {
    return {
      [TfHeader.WORKER]: this.id,
      [TfHeader.HEARTBEAT_MS]: this.#options.heartbeatIntervalMs,
      [TfHeader.CONTROL]: this.controlTopic,
      [TfHeader.CONCURRENCY]: this.concurrency,
    };
  }

  /** What an inspecting NOTIFY (`x-tf-inspect`) is told beyond the usual answer. */
  #inspectHeaders(): MessageHeaders {
    const running: MessageHeaders[] = [];
    for (const run of this.#runs.values()) {
      if (running.length >= MAX_RUNNING_LISTED) break;
      running.push({ ...run });
    }
    return {
      [TfHeader.STARTED_AT]: this.#startedAt,
      [TfHeader.PROCESS]: `${hostname()}:${process.pid}`,
      [TfHeader.VERSION]: VERSION,
      [TfHeader.ACTIVE]: this.#runs.size,
      [TfHeader.RUNNING_TASKS]: running,
    };
  }

  #notifyAnswer(): NotifyResponseBody {
    return { topic: this.topic, tasks: this.tasks };
  }

  get state(): WorkerState {
    return this.#state;
  }

  /** The task names this worker serves (`task_cls` values), once `start()` has resolved the allow-list; `[]` before. */
  get tasks(): string[] {
    return this.#tasks ? [...this.#tasks.keys()] : [];
  }

  /** The transport in use, once `start()` has created it. */
  get transport(): Transport | undefined {
    return this.#transport;
  }

  /** With `signingKey`: messages signed, verified and dropped so far; undefined without. */
  get signingStats(): SigningStats | undefined {
    return this.#options.signing ? this.#signingCounters.snapshot() : undefined;
  }

  /** How many tasks are running now. */
  get activeTasks(): number {
    return this.#active;
  }

  /**
   * A human-readable summary for logs and the console (as TaskFlow's worker banner):
   * transport, driver and URI (password redacted), exchange, topic, tasks, concurrency,
   * host and pid. Before `start()`, tasks are listed as given and the transport as configured.
   */
  get banner(): string {
    const details = this.#transport?.details();
    const { transport, url } = this.#options.transport.selection;
    const transportName = details?.name ?? (typeof transport === 'string' ? transport : url ? '(from url)' : 'memory');
    const tasks = this.#tasks
      ? [...this.#tasks.values()].map((t) => t.name)
      : this.#options.tasks.map((t) => (typeof t === 'string' ? t : t.taskName));
    const lines = [
      `tf worker v${VERSION}`,
      'Connection details:',
      `  Transport = ${transportName}`,
      ...(details ? [`  Driver = ${details.driver} v${details.version}`] : []),
      ...(details?.uri !== undefined ? [`  Uri = ${details.uri}`] : []),
      `  Exchange = ${this.exchange}`,
      `  Topic = ${this.topic}`,
      ...(this.#options.signing ? [`  Signing = HMAC-SHA256, key ${this.#options.signing.currentId}`] : []),
      'Powered by:',
      `  Concurrency = ${this.concurrency}`,
      'Supported endpoints:',
      ...tasks.map((t) => `  - ${t}`),
      'System details:',
      `  Hostname = ${hostname()}`,
      `  Pid = ${process.pid}`,
      `  Platform = ${process.platform}-${process.arch}`,
      `  Node = ${process.version}`,
    ];
    return lines.join('\n');
  }

  /**
   * Resolves the allow-list (a bad entry fails here, before connecting: `TaskLoadError`,
   * `DuplicateTaskError`), creates and connects the transport, and starts consuming.
   * Resolves once consuming. Calling it again while starting or running returns the same promise.
   */
  start(): Promise<void> {
    if (this.#state === 'starting' || this.#state === 'running') return this.#starting ?? Promise.resolve();
    if (this.#state !== 'idle') {
      return Promise.reject(new InvalidStateError(`This worker is ${this.#state}; a stopped worker cannot start again, make a new one.`));
    }
    this.#state = 'starting';
    this.#starting = this.#start().catch((error: unknown) => {
      this.#state = 'idle';
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    const o = this.#options;
    this.#tasks ??= await resolveTasks(o.tasks, { cwd: o.cwd, importer: o.importer });
    const resolved = await resolveTransport({ ...o.transport.selection, logger: o.logger });
    const transport = o.signing
      ? signedTransport(resolved, o.signing, { logger: this.#logger, counters: this.#signingCounters })
      : resolved;
    const owns = o.transport.owned;
    // Set before consuming: a broker may deliver before consume() resolves.
    this.#transport = transport;
    this.#ownsTransport = owns;
    await transport.connect();
    let consumer: TransportConsumer;
    try {
      // One delivery beyond the task slots, so an engine's NOTIFY still reaches a worker
      // whose slots are all busy (a REQUEST taking it waits for a slot).
      consumer = await transport.consume(this.exchange, this.topic, (d) => this.#onDelivery(d), {
        prefetch: this.concurrency + 1,
      });
      try {
        this.#controlConsumer = await transport.consume(this.exchange, this.controlTopic, (d) => this.#onControl(d), {
          autoAck: true,
          temporary: true,
        });
      } catch (error) {
        // Not serving half: no requests without a way to cancel them.
        await consumer.cancel().catch(() => undefined);
        throw error;
      }
    } catch (error) {
      if (owns) await transport.close().catch(() => undefined);
      throw error;
    }
    this.#consumer = consumer;
    this.#startedAt = Date.now();
    this.#system = transport.details().name;
    this.#heartbeat.start();
    if (this.#state !== 'starting') return; // stop() was called meanwhile; it takes it from here
    this.#state = 'running';
    this.#logger.info({ tasks: this.tasks, concurrency: this.concurrency, transport: transport.details() }, 'worker started');
  }

  /**
   * Stops taking work (requests waiting for a slot go back to the broker), lets running
   * tasks finish and publish their results, then closes the transport (one the worker
   * created; a transport object passed in is left open). Idempotent.
   */
  stop(options: WorkerStopOptions = {}): Promise<void> {
    if (this.#state === 'idle') {
      this.#state = 'stopped';
      return Promise.resolve();
    }
    this.#stopping ??= this.#stop(options.timeoutMs);
    return this.#stopping;
  }

  async #stop(timeoutMs: number | undefined): Promise<void> {
    if (this.#state === 'starting') {
      this.#state = 'stopping';
      // Still connecting (a broker that does not answer yet): stop trying now.
      if (this.#transport && this.#ownsTransport && this.#transport.state !== 'connected') {
        await this.#transport.close().catch(() => undefined);
      }
      await this.#starting?.catch(() => undefined);
    }
    this.#state = 'stopping';
    for (const grant of this.#waiters.splice(0)) grant(false);
    const consumer = this.#consumer;
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined) {
      timer = setTimeout(
        () => {
          if (this.#active > 0) this.#logger.warn({ running: this.#active }, 'stop timed out; handing running requests back');
          this.#held.abortAll(new TaskCancelledError('(any)', 'The worker is shutting down'));
        },
        Math.max(0, timeoutMs),
      );
    }
    try {
      if (consumer) await consumer.cancel();
      await this.#controlConsumer?.cancel().catch(() => undefined);
      if (this.#transport && this.#ownsTransport) await this.#transport.close();
    } finally {
      this.#heartbeat.stop();
      clearTimeout(timer);
      this.#consumer = undefined;
      this.#state = 'stopped';
      this.#logger.info({}, 'worker stopped');
    }
  }

  // ---- message handling ----

  async #onDelivery(delivery: Delivery): Promise<void> {
    try {
      let message: DecodedMessage;
      try {
        message = decodeMessage(delivery);
      } catch (error) {
        this.#logger.warn(
          { err: error, type: delivery.properties.type, correlationId: delivery.properties.correlationId },
          'dropping an invalid message',
        );
        await delivery.reject({ requeue: false });
        return;
      }
      if (message.type === MessageType.NOTIFY) return await this.#onNotify(delivery, message.body);
      if (message.type === MessageType.REQUEST) return await this.#onRequest(delivery, message.body);
      this.#logger.warn(
        { type: message.type, correlationId: delivery.properties.correlationId },
        'dropping a RESPONSE sent to a worker topic',
      );
      await delivery.reject({ requeue: false });
    } catch (error) {
      // A bug, not a bad message; never crash the process, never loop on it.
      this.#logger.error({ err: error, correlationId: delivery.properties.correlationId }, 'handling a message failed; dropping it');
      await delivery.reject({ requeue: false }).catch(() => undefined);
    }
  }

  async #onNotify(delivery: Delivery, body: object): Promise<void> {
    if (Object.keys(body).length > 0) {
      // Another worker's answer, not an engine's question.
      this.#logger.debug({ body }, 'dropping a NOTIFY answer sent to a worker topic');
      await delivery.reject({ requeue: false });
      return;
    }
    const replyTo = delivery.properties.replyTo;
    if (!replyTo) {
      this.#logger.warn({}, 'dropping a NOTIFY without reply_to');
      await delivery.reject({ requeue: false });
      return;
    }
    try {
      await this.#transport!.publish(
        this.exchange,
        replyTo,
        encodeBody(this.#notifyAnswer()),
        {
          type: MessageType.NOTIFY,
          headers:
            delivery.properties.headers[TfHeader.INSPECT] === true ? { ...this.#headers(), ...this.#inspectHeaders() } : this.#headers(),
          ...(delivery.properties.correlationId !== undefined ? { correlationId: delivery.properties.correlationId } : {}),
        },
        REPLY,
      );
    } catch (error) {
      // The engine asks again every few seconds.
      this.#logger.warn({ err: error, replyTo }, 'could not answer a NOTIFY');
      await delivery.reject({ requeue: false });
      return;
    }
    this.#logger.debug({ replyTo }, 'answered a NOTIFY');
    await delivery.ack();
  }

  /** A control message on this worker's own topic: a CANCEL names requests to abort. */
  #onControl(delivery: Delivery): void {
    if (delivery.properties.type !== CANCEL_MESSAGE) {
      this.#logger.warn({ type: delivery.properties.type }, 'dropping an unknown control message');
      return;
    }
    const ids = readIds(delivery.properties.headers[TfHeader.CANCEL]);
    if (!ids) {
      this.#logger.warn({}, 'dropping a CANCEL without a list of ids');
      return;
    }
    const aborted = this.#held.cancel(ids);
    this.#logger.info({ asked: ids.length, aborted }, 'an engine cancelled requests');
  }

  #acquire(): Promise<boolean> {
    if (this.#state === 'stopping' || this.#state === 'stopped') return Promise.resolve(false);
    if (this.#active < this.concurrency) {
      this.#active += 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  #release(): void {
    const next = this.#waiters.shift();
    if (next) next(true);
    else this.#active -= 1;
  }

  async #onRequest(delivery: Delivery, body: RequestBody): Promise<void> {
    const { replyTo, correlationId } = delivery.properties;
    if (!replyTo || !correlationId) {
      this.#logger.warn({ task: body.task_cls, replyTo, correlationId }, 'dropping a REQUEST without reply_to or correlation_id');
      await delivery.reject({ requeue: false });
      return;
    }
    if (!isDestinationName(replyTo)) {
      // Not a topic any engine consumes: there is nobody to answer, so nothing is run.
      this.#logger.warn({ task: body.task_cls, correlationId }, 'dropping a REQUEST whose reply_to is not a valid topic name');
      await delivery.reject({ requeue: false });
      return;
    }
    const requestHeaders = readRequestHeaders(delivery.properties.headers);
    const { attempt, executionTimeoutMs } = requestHeaders;
    // RUNNING says who holds the request and how often it beats (its control topic follows
    // from its id); the other responses only who sent them. All name the worker's topic and
    // echo the attempt.
    const headers: MessageHeaders = {
      [TfHeader.WORKER]: this.id,
      [TfHeader.TOPIC]: this.topic,
      [TfHeader.HEARTBEAT_MS]: this.#options.heartbeatIntervalMs,
    };
    const brief: MessageHeaders = { [TfHeader.WORKER]: this.id, [TfHeader.TOPIC]: this.topic };
    if (attempt !== undefined) {
      headers[TfHeader.ATTEMPT] = attempt;
      brief[TfHeader.ATTEMPT] = attempt;
    }
    const admission = admit(delivery, requestHeaders, this.#options.maxDeliveries, Date.now());
    if (admission.verdict !== 'run' && (await this.#refuse(delivery, body, admission, brief))) return;
    if (this.#held.takeEarlyCancel(correlationId)) {
      // Cancelled by its engine before it got here: answered, not run.
      const text = encodeBody(serialisedFailure(new TaskCancelledError(body.task_name)));
      await this.#reply(replyTo, correlationId, text, brief).catch(() => undefined);
      await delivery.ack();
      return;
    }
    // Held (listed in heartbeats) from now, also while it waits for a slot.
    const hold = this.#held.open(replyTo, correlationId);
    try {
      if (!(await this.#acquire())) {
        await delivery.reject({ requeue: true });
        return;
      }
      try {
        if (hold.aborted) {
          // Cancelled (or the worker began shutting down) while it waited for the slot: not run.
          await this.#answerStopped(delivery, body, hold, replyTo, correlationId, brief);
          return;
        }
        const fromTfEngine = attempt !== undefined;
        const runningOptional = requestHeaders.runningOptional === true;
        await this.#process(delivery, body, {
          replyTo,
          correlationId,
          headers,
          brief,
          hold,
          executionTimeoutMs,
          fromTfEngine,
          runningOptional,
        });
      } finally {
        this.#release();
      }
    } finally {
      hold.close();
    }
  }

  /**
   * A request not to run as it is (see `admit`); true when it was settled here. A request
   * that could not be put back with its count is run instead (false).
   */
  async #refuse(
    delivery: Delivery,
    body: RequestBody,
    admission: Exclude<Admission, { verdict: 'run' }>,
    brief: MessageHeaders,
  ): Promise<boolean> {
    const { replyTo, correlationId, type, headers } = delivery.properties;
    const log = { task: body.task_cls, name: body.task_name, correlationId };
    const transport = this.#transport!;
    if (admission.verdict === 'expired') {
      this.#logger.warn(
        { ...log, lateMs: admission.lateMs },
        'dropping an expired request unrun; its engine has timed it out (or the clock of this host is ahead of the engine clock)',
      );
      await delivery.ack();
      return true;
    }
    const properties = { ...(type !== undefined ? { type } : {}), ...(replyTo !== undefined ? { replyTo } : {}), correlationId };
    if (admission.verdict === 'recount') {
      try {
        await transport.publish(this.exchange, this.topic, delivery.body, {
          ...properties,
          headers: { ...headers, [TfHeader.DELIVERIES]: admission.deliveries },
        });
        await delivery.ack();
        return true;
      } catch (error) {
        // Run uncounted, it could loop for ever (a request too large for its count header).
        this.#logger.warn({ ...log, err: error }, 'could not put a redelivered request back with its count; dead-lettering it');
      }
    }
    const limit = this.#options.maxDeliveries;
    this.#logger.error({ ...log, deliveries: admission.deliveries, limit }, 'a request reached its delivery limit; dead-lettering it');
    try {
      await transport.publish(this.exchange, DEAD_LETTER_TOPIC, delivery.body, {
        ...properties,
        headers: deadLetterHeaders(headers, `delivered ${admission.deliveries} times (limit ${limit})`, this.topic),
      });
    } catch (error) {
      this.#logger.error({ ...log, err: error }, 'could not dead-letter a request; it is dropped');
    }
    const failure = new DeliveryLimitError(body.task_name, admission.deliveries, limit, DEAD_LETTER_TOPIC);
    await this.#reply(replyTo!, correlationId!, encodeBody(serialisedFailure(failure)), brief).catch((error: unknown) =>
      this.#logger.warn({ ...log, err: error }, 'could not tell the engine its request was dead-lettered'),
    );
    await delivery.ack();
    return true;
  }

  /** A request stopped before it ran: handed back (shutdown) or answered with the reason (cancel). */
  async #answerStopped(
    delivery: Delivery,
    body: RequestBody,
    hold: Hold,
    replyTo: string,
    correlationId: string,
    headers: MessageHeaders,
  ): Promise<void> {
    const stopped = await hold.stopped;
    if (stopped.handBack) {
      await delivery.reject({ requeue: true });
      return;
    }
    this.#logger.info({ task: body.task_cls, name: body.task_name, correlationId }, 'a request cancelled before it ran');
    await this.#reply(replyTo, correlationId, encodeBody(serialisedFailure(stopped.reason)), headers).catch(() => undefined);
    await delivery.ack();
  }

  #reply(replyTo: string, correlationId: string, text: string, headers: MessageHeaders): Promise<void> {
    return this.#transport!.publish(this.exchange, replyTo, text, { type: MessageType.RESPONSE, correlationId, headers }, REPLY);
  }

  async #process(delivery: Delivery, body: RequestBody, request: HeldRequest): Promise<void> {
    const { replyTo, correlationId, headers, hold } = request;
    const log = { task: body.task_cls, name: body.task_name, action: body.action, correlationId };
    if (delivery.redelivered) this.#logger.info({ ...log, deliveryCount: delivery.deliveryCount }, 'request redelivered');

    let final: ResponseBody | undefined;
    let task: Task | undefined;
    const entry = this.#tasks!.get(body.task_cls);
    if (!entry) {
      final = serialisedFailure(new UnknownTaskError(body.task_cls, this.tasks));
      this.#logger.warn(log, 'refusing a task that is not on the allow-list');
    } else {
      try {
        task = new entry.cls({ name: body.task_name });
      } catch (error) {
        final = serialisedFailure(error);
        this.#logger.warn({ ...log, err: error }, 'the task could not be constructed');
      }
    }

    // Responses are published as they happen, without waiting for the broker's confirm of
    // the one before (a round trip per response); they leave in order on one channel. All of
    // them are confirmed before the request is acked.
    const sent: Promise<unknown>[] = [];
    const send = (text: string, full = false) => {
      const publishing = this.#reply(replyTo, correlationId, text, full ? headers : answerHeaders);
      sent.push(publishing.catch(() => undefined));
      return publishing;
    };
    let running: Promise<unknown> = Promise.resolve(undefined);
    // Progress and the final answer name the worker and the attempt; an answer sent with no
    // RUNNING before it also says how long the task ran.
    let answerHeaders = request.brief;
    if (task) {
      const sayRunning = (): void => {
        running = send(RUNNING_TEXT, true).then(
          () => undefined,
          (error: unknown) => error ?? new Error('RUNNING could not be published'),
        );
      };
      // An engine that takes a result with no RUNNING before it hears RUNNING only if the
      // task is still running after this turn of the event loop (or reports progress first).
      let runningLater: NodeJS.Immediate | undefined;
      const sayRunningNow = (): void => {
        if (runningLater === undefined) return;
        clearImmediate(runningLater);
        runningLater = undefined;
        sayRunning();
      };
      if (request.runningOptional) runningLater = setImmediate(sayRunningNow);
      else sayRunning();
      // Off once the request is answered or handed back: an abandoned task may run on.
      let reporting = true;
      const onProgress: ProgressSink = (progress, details) => {
        if (!reporting) return;
        sayRunningNow();
        const event: ResponseBody = {
          state: 'EVENT',
          data: { event_type: PROGRESS_EVENT, details: { ...details, progress } },
        };
        let text: string;
        try {
          text = encodeBody(event);
        } catch (error) {
          this.#logger.warn({ ...log, err: error }, 'dropping a progress event that cannot be sent as JSON');
          return;
        }
        send(text).catch((error: unknown) => this.#logger.warn({ ...log, err: error }, 'could not publish a progress event'));
      };
      this.#logger.debug(log, 'running');
      const classTimeout = entry?.cls.executionTimeoutMs;
      const timeoutMs =
        request.executionTimeoutMs ??
        (typeof classTimeout === 'number' && classTimeout > 0 && classTimeout <= MAX_TIMER_MS ? classTimeout : undefined);
      const timer =
        timeoutMs === undefined ? undefined : setTimeout(() => hold.abort(new ExecutionTimeoutError(body.task_name, timeoutMs)), timeoutMs);
      // Only a tf engine watches its requests by heartbeats; for a Python engine's, the
      // broker's redelivery is the only safety net, so those are acked once answered. The
      // heartbeat's timer looks for long runs (`HeldRequests.sweep`): no timer per request.
      if (request.fromTfEngine) {
        hold.onLong = () => {
          this.#logger.info({ ...log }, 'acking a long task early; the engine watches it by heartbeats');
          delivery.ack().catch(() => undefined);
        };
      }
      const span = startProcessSpan(delivery.properties.headers, body, {
        system: this.#system,
        topic: this.topic,
        correlationId,
        workerId: this.id,
        attempt: request.fromTfEngine ? (request.brief[TfHeader.ATTEMPT] as number) : undefined,
      });
      this.#runs.set(correlationId, {
        id: correlationId,
        task: body.task_cls,
        name: body.task_name,
        action: body.action,
        since: Date.now(),
      });
      let outcome: Awaited<ReturnType<typeof runRequest>> | Awaited<typeof hold.stopped>;
      try {
        const started = performance.now();
        outcome = await Promise.race([span.run(() => runRequest(task, body, onProgress, hold)), hold.stopped]);
        if (runningLater !== undefined) {
          answerHeaders = { ...request.brief, [TfHeader.RUN_MS]: Math.round(performance.now() - started) };
        }
      } finally {
        clearImmediate(runningLater);
        runningLater = undefined;
        this.#runs.delete(correlationId);
      }
      const failed =
        'handBack' in outcome ? outcome.reason : !outcome.ok ? outcome.error : Failure.is(outcome.value) ? outcome.value : undefined;
      span.end(failed);
      clearTimeout(timer);
      hold.onLong = undefined;
      reporting = false;
      if ('handBack' in outcome) {
        if (outcome.handBack) {
          await delivery.reject({ requeue: true });
          return;
        }
        // Timed out or cancelled: answered now; a run that ignores its signal goes on unheard.
        final = serialisedFailure(outcome.reason);
        this.#logger.warn({ ...log, err: outcome.reason }, 'the task was stopped');
      } else if (outcome.ok && !Failure.is(outcome.value)) {
        final = { state: 'SUCCESS', data: { result: outcome.value === undefined ? null : outcome.value } };
      } else {
        const error = outcome.ok ? outcome.value : outcome.error;
        final = serialisedFailure(error);
        this.#logger.info({ ...log, err: error }, 'the task failed');
      }
    }

    if (final === undefined) final = serialisedFailure(new Error('internal error: no response was produced'));
    let text: string;
    try {
      text = encodeBody(final);
    } catch (error) {
      this.#logger.warn({ ...log, err: error }, 'the result cannot be sent as JSON; reporting a failure');
      text = encodeBody(serialisedFailure(error));
    }
    try {
      await send(text).catch((error: unknown) => {
        // Over the transport's maxMessageBytes: a small FAILURE instead, so the engine hears back.
        if (!TfError.is(error, TransportErrorCode.MessageTooLarge)) throw error;
        this.#logger.warn({ ...log, err: error }, 'the response is too large to send; reporting a failure');
        return send(encodeBody(serialisedFailure(error)));
      });
    } catch (error) {
      // Not a reason to run it again: the broker refused the reply (a bad reply topic, a
      // reconnect that gave up), and a requeue would loop on it. Settled, not requeued.
      this.#logger.error({ ...log, err: error, replyTo }, 'could not publish the final response; the request is settled unanswered');
      await delivery.reject({ requeue: false }).catch(() => undefined);
      return;
    }
    const runningError = await running;
    if (runningError !== undefined) this.#logger.warn({ ...log, err: runningError }, 'could not report RUNNING');
    await Promise.all(sent);
    await delivery.ack();
    this.#logger.debug({ ...log, state: final.state }, 'done');
  }
}
