import { randomUUID } from 'node:crypto';
import {
  ExecutionTimeoutError,
  Failure,
  PROGRESS_EVENT,
  type ProgressSink,
  type RequestBody,
  type ResponseBody,
  type WorkerHeaders,
} from '@tf/core';
import { RequestTimeoutError, WorkerLostError } from './errors';
import type { RequestTrace } from './request-trace';

/** A request's life on the engine side (docs/protocol.md). */
export type RequestState = 'WAITING' | 'PENDING' | 'RUNNING' | 'SUCCESS' | 'FAILURE';

/** Who holds a request, as its worker's headers said. */
export interface Holder {
  /** The worker's id (`x-tf-worker`). */
  readonly worker: string;
  /** How often it heartbeats (ms). */
  readonly heartbeatMs: number | undefined;
  /** Its control topic, for CANCEL. */
  readonly control: string | undefined;
}

/** A request the book holds, as its users see it. */
export interface PendingRequest {
  /** The correlation id of its current attempt: responses of an earlier attempt find nothing. */
  readonly id: string;
  readonly taskName: string;
  readonly atomName: string;
  readonly body: RequestBody;
  readonly state: RequestState;
  /** 1 for the first send; one more per re-dispatch. */
  readonly attempt: number;
  /** When the current attempt began (`Date.now()`). */
  readonly createdAt: number;
  /** When the current attempt was sent (PENDING from then); the PENDING timeout counts from here. */
  readonly sentAt: number | undefined;
  /** The topic the current attempt was sent to, once PENDING. */
  readonly topic: string | undefined;
  /** The worker holding it, once one said so. */
  readonly holder: Holder | undefined;
  /** When the engine last heard of it from its worker (a response or a heartbeat). */
  readonly lastHeard: number;
  /** The longest its run may take (ms), from the task class or the engine. */
  readonly executionTimeoutMs: number | undefined;
  /** True once any attempt was published: a worker may have run it. */
  readonly everSent: boolean;
  /** When its worker said RUNNING (this attempt). */
  readonly runningSince: number | undefined;
  /** Its span and trace headers, when traced. */
  readonly trace: RequestTrace | undefined;
}

/** Told of a request's milestones (the engine's metrics and spans). */
export interface RequestObserver {
  /** The current attempt's worker said RUNNING (once per attempt). */
  running(request: PendingRequest, now: number): void;
  /** It finished; `request.runningSince` tells whether it ran. */
  finished(request: PendingRequest, state: 'SUCCESS' | 'FAILURE', outcome: unknown, now: number): void;
  /** It failed by a timeout the engine judged: WAITING/PENDING too long, or running past its execution timeout. */
  timedOut(request: PendingRequest, kind: 'transition' | 'execution'): void;
}

/** What the book needs to time requests out and to say where they looked. */
export interface RequestBookOptions {
  /** How long a request may stay WAITING or PENDING; null: forever. */
  readonly transitionTimeoutMs: number | null;
  readonly exchange: string;
  /** The topics the engine asks for workers (named by a timeout's message). */
  readonly topics: readonly string[];
  /** How many attempts a request gets before its worker's loss fails it. */
  readonly maxAttempts: number;
  readonly observer?: RequestObserver | undefined;
}

/** What `RequestBook.open` is told about a new request. */
export interface NewRequest {
  readonly taskName: string;
  readonly atomName: string;
  readonly body: RequestBody;
  /** Where its progress EVENTs go. */
  readonly onProgress: ProgressSink;
  readonly executionTimeoutMs: number | undefined;
  readonly trace?: RequestTrace | undefined;
}

interface Entry extends NewRequest {
  readonly trace: RequestTrace | undefined;
  id: string;
  createdAt: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  state: RequestState;
  attempt: number;
  topic: string | undefined;
  holder: Holder | undefined;
  lastHeard: number;
  /** When its worker said RUNNING. */
  runningSince: number | undefined;
  /** Its place in the engine's one order of waiting (each time it began waiting). */
  waitSeq: number;
  sentAt: number | undefined;
  everSent: boolean;
  /** Attempts made so far that count against `maxAttempts` (a re-send after the engine's own reconnect does not). */
  counted: number;
}

/**
 * Correlation ids shaped as uuids: one random uuid per book whose last 12 hex digits count
 * up from a random start. As unique as `randomUUID()` across engines (the 74 other random
 * bits), never repeated within a book, and a couple of short strings per request where
 * `randomUUID()` builds its text from 16 hex pieces (measured: about 480 B per request).
 */
export class CorrelationIds {
  readonly #prefix: string;
  #next: number;

  constructor() {
    const seed = randomUUID();
    // 'xxxxxxxx-xxxx-4xxx-yxxx-' and a 48-bit counter.
    this.#prefix = seed.slice(0, 24);
    this.#next = Number.parseInt(seed.slice(24), 16);
  }

  next(): string {
    const n = this.#next;
    this.#next = n >= 0xffff_ffff_ffff ? 0 : n + 1;
    return this.#prefix + n.toString(16).padStart(12, '0');
  }
}

/**
 * The requests in flight and their states: WAITING (no worker yet) -> PENDING (sent) ->
 * RUNNING -> SUCCESS or FAILURE. A request still WAITING or PENDING after the transition
 * timeout fails with `RequestTimeoutError`. A request whose worker is lost is re-dispatched:
 * it goes back to WAITING under a new correlation id (a new attempt), so whatever the old
 * attempt still sends finds nothing. Once finished, a request is forgotten.
 */
export class RequestBook {
  readonly #options: RequestBookOptions;
  readonly #ids = new CorrelationIds();
  /** By current correlation id, in arrival order. */
  readonly #entries = new Map<string, Entry>();
  /**
   * The WAITING ones by task name, each in the order they became WAITING: a queue read from
   * `head`, where an entry no longer WAITING is skipped (a Set drained from its front would
   * step over ever more deleted slots on each read).
   */
  readonly #waiting = new Map<string, { items: Entry[]; head: number }>();
  /** By topic: how many requests were sent there and not finished. */
  readonly #outstanding = new Map<string, number>();
  /** How many requests were sent (to any topic) and not finished: the sum of `#outstanding`. */
  #inFlight = 0;
  /** The last `waitSeq` given. */
  #waitSeq = 0;

  constructor(options: RequestBookOptions) {
    this.#options = options;
  }

  /** Adds a WAITING request; `outcome` settles with its result or its failure. */
  open(request: NewRequest): { request: PendingRequest; outcome: Promise<unknown> } {
    const id = this.#ids.next();
    let entry: Entry | undefined;
    const outcome = new Promise<unknown>((resolve, reject) => {
      const now = Date.now();
      // Every field written here, in one order: one hidden class for all entries (a spread
      // of `request` made the property accesses on the hot path several times slower).
      entry = {
        taskName: request.taskName,
        atomName: request.atomName,
        body: request.body,
        onProgress: request.onProgress,
        executionTimeoutMs: request.executionTimeoutMs,
        trace: request.trace,
        id,
        createdAt: now,
        resolve,
        reject,
        state: 'WAITING',
        attempt: 1,
        topic: undefined,
        holder: undefined,
        lastHeard: now,
        runningSince: undefined,
        sentAt: undefined,
        everSent: false,
        counted: 1,
        waitSeq: 0,
      };
    });
    // A promise's executor runs at once: the entry is there.
    this.#entries.set(id, entry!);
    this.#wait(entry!);
    return { request: entry!, outcome };
  }

  /** How many requests are live (not finished). */
  get size(): number {
    return this.#entries.size;
  }

  /** The live request with this correlation id (of its current attempt), if any. */
  get(id: string | undefined): PendingRequest | undefined {
    return id === undefined ? undefined : this.#entries.get(id);
  }

  /** Every live request. */
  all(): IterableIterator<PendingRequest> {
    return this.#entries.values();
  }

  /** The requests still waiting for a worker (by task name, each in the order they began waiting). */
  waiting(): PendingRequest[] {
    // A request re-dispatched is queued again: listed once.
    const out = new Set<PendingRequest>();
    for (const queue of this.#waiting.values()) {
      for (let i = queue.head; i < queue.items.length; i++) if (this.#isWaiting(queue.items[i]!)) out.add(queue.items[i]!);
    }
    return [...out];
  }

  /** How many task names have requests waiting. */
  get waitingTaskCount(): number {
    return this.#waiting.size;
  }

  /** The task names with requests waiting. */
  waitingTaskNames(): string[] {
    return [...this.#waiting.keys()];
  }

  /** The oldest request waiting for `taskName`. */
  nextWaiting(taskName: string): PendingRequest | undefined {
    const queue = this.#waiting.get(taskName);
    if (!queue) return undefined;
    while (queue.head < queue.items.length && !this.#isWaiting(queue.items[queue.head]!)) queue.head++;
    if (queue.head === queue.items.length) {
      this.#waiting.delete(taskName);
      return undefined;
    }
    if (queue.head > 1024 && queue.head * 2 > queue.items.length) {
      queue.items = queue.items.slice(queue.head);
      queue.head = 0;
    }
    return queue.items[queue.head];
  }

  /**
   * The request waiting longest, over every task name but those in `passedOver` (whose
   * requests no worker can take now): each name's queue is in order, so this compares heads.
   */
  oldestWaiting(passedOver?: ReadonlySet<string>): PendingRequest | undefined {
    let oldest: Entry | undefined;
    for (const taskName of this.#waiting.keys()) {
      if (passedOver?.has(taskName)) continue;
      const head = this.nextWaiting(taskName) as Entry | undefined;
      if (head !== undefined && (oldest === undefined || head.waitSeq < oldest.waitSeq)) oldest = head;
    }
    return oldest;
  }

  /** Still WAITING: a finished entry has its final state (an entry is queued once per time it starts waiting). */
  #isWaiting(entry: Entry): boolean {
    return entry.state === 'WAITING';
  }

  #wait(entry: Entry): void {
    entry.waitSeq = ++this.#waitSeq;
    let queue = this.#waiting.get(entry.taskName);
    if (!queue) {
      queue = { items: [], head: 0 };
      this.#waiting.set(entry.taskName, queue);
    }
    queue.items.push(entry);
  }

  /** How many requests were sent and not finished (PENDING or RUNNING), on every topic. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** How many requests were sent to `topic` and not finished (PENDING or RUNNING). */
  outstandingOn(topic: string): number {
    return this.#outstanding.get(topic) ?? 0;
  }

  /** The request was handed to a worker on `topic`: WAITING -> PENDING. */
  sent(request: PendingRequest, topic: string): void {
    const entry = this.#live(request);
    if (!entry) return;
    entry.state = 'PENDING';
    entry.topic = topic;
    entry.sentAt = Date.now();
    entry.everSent = true;
    this.#outstanding.set(topic, (this.#outstanding.get(topic) ?? 0) + 1);
    this.#inFlight += 1;
  }

  /**
   * Applies a worker's RESPONSE: RUNNING, a progress EVENT, SUCCESS or FAILURE. Returns
   * whether the request started running with it: a RUNNING, or a SUCCESS or FAILURE with no
   * RUNNING before it that says how long the task ran (`x-tf-run-ms`: a tf worker skips
   * RUNNING for a task that finished at once, as the request's `x-tf-running-optional`
   * allows), which started that long ago. An answer with neither (a refusal: the task never
   * ran) finishes the request without starting it.
   */
  respond(request: PendingRequest, body: ResponseBody, worker: WorkerHeaders): boolean {
    const entry = this.#live(request);
    if (!entry) return false;
    const now = Date.now();
    this.#heardFrom(entry, worker, now);
    switch (body.state) {
      case 'RUNNING':
        return this.#start(entry, now);
      case 'EVENT': {
        if (body.data.event_type !== PROGRESS_EVENT) return false;
        const { progress, ...details } = body.data.details;
        if (typeof progress === 'number') entry.onProgress(progress, Object.keys(details).length ? details : undefined);
        return false;
      }
      case 'SUCCESS': {
        const started = this.#startedAnswer(entry, worker, now);
        this.#finish(entry, 'SUCCESS', body.data.result);
        return started;
      }
      case 'FAILURE': {
        const started = this.#startedAnswer(entry, worker, now);
        this.#finish(entry, 'FAILURE', Failure.fromDict(body.data.result));
        return started;
      }
      default:
        return false;
    }
  }

  /** PENDING -> RUNNING (once per attempt) as of `since`; false when it was running already. */
  #start(entry: Entry, since: number): boolean {
    if (entry.state === 'RUNNING') return false;
    entry.runningSince = since;
    entry.state = 'RUNNING';
    this.#options.observer?.running(entry, since);
    return true;
  }

  /** A final answer with no RUNNING before it that says how long the task ran: started then (not before it was sent). */
  #startedAnswer(entry: Entry, worker: WorkerHeaders, now: number): boolean {
    if (entry.state === 'RUNNING' || worker.runMs === undefined) return false;
    return this.#start(entry, Math.max(entry.sentAt ?? now, now - worker.runMs));
  }

  /**
   * A worker's heartbeat: it holds the requests `ids`. Returns the ids this book does not
   * hold (finished, given up, or superseded by a re-dispatch).
   */
  heartbeat(ids: readonly string[], worker: WorkerHeaders, now = Date.now()): string[] {
    const unknown: string[] = [];
    for (const id of ids) {
      const entry = this.#entries.get(id);
      if (!entry) unknown.push(id);
      else if (entry.state !== 'WAITING') this.#heardFrom(entry, worker, now);
    }
    return unknown;
  }

  #heardFrom(entry: Entry, worker: WorkerHeaders, now: number): void {
    entry.lastHeard = now;
    if (worker.worker !== undefined && entry.holder?.worker !== worker.worker) {
      entry.holder = { worker: worker.worker, heartbeatMs: worker.heartbeatMs, control: worker.control };
    }
  }

  /** Counts every live request as just heard of (after the engine's own connection was back). */
  heardAll(now = Date.now()): void {
    for (const entry of this.#entries.values()) entry.lastHeard = now;
  }

  /**
   * The requests held by a heartbeating worker that has not been heard of for the
   * heartbeat timeout (at least three of its own intervals).
   */
  silent(now: number, heartbeatTimeoutMs: number): PendingRequest[] {
    const out: PendingRequest[] = [];
    for (const entry of this.#entries.values()) {
      const beat = entry.holder?.heartbeatMs;
      if (entry.state === 'WAITING' || beat === undefined) continue;
      if (now - entry.lastHeard > Math.max(heartbeatTimeoutMs, 3 * beat)) out.push(entry);
    }
    return out;
  }

  /** The live requests held by worker `id`. */
  heldBy(id: string): PendingRequest[] {
    return [...this.#entries.values()].filter((entry) => entry.holder?.worker === id && entry.state !== 'WAITING');
  }

  /** The requests sent to `topic` (at or before `sentBy`, when given) that no worker has said it holds. */
  unclaimedOn(topic: string, sentBy = Number.POSITIVE_INFINITY): PendingRequest[] {
    return [...this.#entries.values()].filter(
      (entry) => entry.topic === topic && entry.state !== 'WAITING' && entry.holder === undefined && (entry.sentAt ?? 0) <= sentBy,
    );
  }

  /** The requests sent (PENDING) that no worker has said it holds. */
  unclaimed(): PendingRequest[] {
    return [...this.#entries.values()].filter((entry) => entry.state === 'PENDING' && entry.holder === undefined);
  }

  /**
   * Sends a request again as a new attempt: back to WAITING under a new correlation id, its
   * clock restarted. After `maxAttempts` counted attempts it fails instead, with
   * `WorkerLostError`; `counted: false` (the engine's own reconnect) does not use one up.
   * Returns the request to dispatch (undefined when it failed or had finished), and who held
   * the attempt it supersedes.
   */
  redispatch(
    request: PendingRequest,
    reason: string,
    counted = true,
  ): { again: PendingRequest | undefined; superseded: { id: string; holder: Holder | undefined } | undefined } {
    const entry = this.#live(request);
    if (!entry) return { again: undefined, superseded: undefined };
    const superseded = { id: entry.id, holder: entry.holder };
    if (counted && entry.counted >= this.#options.maxAttempts) {
      const { atomName, taskName, attempt, topic, holder } = entry;
      this.#finish(entry, 'FAILURE', new WorkerLostError({ atomName, taskName, attempts: attempt, topic, worker: holder?.worker, reason }));
      return { again: undefined, superseded };
    }
    if (counted) entry.counted += 1;
    this.#entries.delete(entry.id);
    this.#leaveTopic(entry);
    const now = Date.now();
    entry.id = this.#ids.next();
    entry.attempt += 1;
    entry.state = 'WAITING';
    entry.createdAt = now;
    entry.lastHeard = now;
    entry.topic = undefined;
    entry.holder = undefined;
    entry.runningSince = undefined;
    entry.sentAt = undefined;
    this.#entries.set(entry.id, entry);
    this.#wait(entry);
    return { again: entry, superseded };
  }

  /**
   * Fails a live request with `error` (nothing happens once it has finished). With
   * `attemptId`, only while that attempt is still the current one: the failure of a send
   * that a re-dispatch superseded leaves the new attempt alone.
   */
  fail(request: PendingRequest, error: unknown, attemptId?: string): void {
    const entry = this.#live(request);
    if (entry && (attemptId === undefined || entry.id === attemptId)) this.#finish(entry, 'FAILURE', error);
  }

  /** Fails every live request, each with the error `reason` gives it. */
  failAll(reason: (request: PendingRequest) => unknown): void {
    for (const entry of [...this.#entries.values()]) this.#finish(entry, 'FAILURE', reason(entry));
  }

  /**
   * Fails the requests past the transition timeout: WAITING that long for a worker that runs
   * their task (`served` says there is one: they only wait their turn, and do not time out),
   * or PENDING that long since they were sent with no worker saying it holds them (one that
   * holds it is watched by its heartbeats instead). `heldAt`: the last time flow control held
   * WAITING requests back (the in-flight bound was full); a WAITING request's clock starts
   * no earlier (time held back does not count; a request's clock really starts when sent).
   */
  expire(now: number, served: (taskName: string) => boolean, heldAt = 0): void {
    const { transitionTimeoutMs: timeoutMs, exchange, topics } = this.#options;
    if (timeoutMs === null) return;
    for (const entry of [...this.#entries.values()]) {
      const { state, taskName, atomName, topic } = entry;
      const since = state === 'WAITING' ? Math.max(entry.createdAt, heldAt) : state === 'PENDING' ? entry.sentAt : undefined;
      if (since === undefined || now - since <= timeoutMs) continue;
      if (state === 'WAITING' && served(taskName)) continue;
      if (state === 'PENDING' && entry.holder !== undefined) continue;
      if (state === 'WAITING' || state === 'PENDING') {
        const error = new RequestTimeoutError({
          taskName,
          atomName,
          timeoutMs,
          state,
          exchange,
          topics,
          topic,
          sentBefore: entry.everSent,
        });
        this.#options.observer?.timedOut(entry, 'transition');
        this.#finish(entry, 'FAILURE', error);
      }
    }
  }

  /**
   * Fails the RUNNING requests whose run has taken longer than their execution timeout plus
   * `graceMs` (their worker should have reported the timeout by then, and did not).
   */
  overdue(now: number, graceMs: number): void {
    for (const entry of [...this.#entries.values()]) {
      const { executionTimeoutMs: limit, runningSince } = entry;
      if (entry.state !== 'RUNNING' || limit === undefined || runningSince === undefined) continue;
      if (now - runningSince > limit + graceMs) {
        const error = new ExecutionTimeoutError(
          entry.atomName,
          limit,
          `Task '${entry.atomName}' ran longer than its execution timeout of ${limit} ms (its worker did not report back)`,
        );
        this.#options.observer?.timedOut(entry, 'execution');
        this.#finish(entry, 'FAILURE', error);
      }
    }
  }

  /** The entry behind `request` while it is live under the same attempt. */
  #live(request: PendingRequest): Entry | undefined {
    const entry = this.#entries.get(request.id);
    return entry === request ? entry : undefined;
  }

  #leaveTopic(entry: Entry): void {
    if (entry.state === 'WAITING' || entry.topic === undefined) return;
    this.#inFlight -= 1;
    const left = (this.#outstanding.get(entry.topic) ?? 1) - 1;
    if (left > 0) this.#outstanding.set(entry.topic, left);
    else this.#outstanding.delete(entry.topic);
  }

  #finish(entry: Entry, state: 'SUCCESS' | 'FAILURE', outcome: unknown): void {
    if (this.#entries.get(entry.id) !== entry) return;
    this.#entries.delete(entry.id);
    this.#leaveTopic(entry);
    entry.state = state;
    this.#options.observer?.finished(entry, state, outcome, Date.now());
    if (state === 'SUCCESS') entry.resolve(outcome);
    else entry.reject(outcome);
  }
}
