import type { Logger, WorkerHeaders } from '@tf/core';

/** How long `capacity()` is kept before it is counted again. */
const CAPACITY_TTL_MS = 100;

/** What the finder needs from its user. */
export interface WorkerFinderHost {
  /** Sends a NOTIFY to `topic`; the workers there answer on the engine's topic. */
  sendNotify(topic: string): Promise<void>;
  /** A worker appeared or told its tasks again: requests waiting for one may go now. */
  workersChanged(): void;
  /** How many requests sent to `topic` are not finished (for the least-loaded choice). */
  outstandingOn(topic: string): number;
}

export interface WorkerFinderOptions {
  /** The topics asked for workers. */
  readonly topics: readonly string[];
  /** How often every topic is asked. */
  readonly notifyIntervalMs: number;
  /** A worker not heard from for this long is forgotten. */
  readonly workerExpiryMs: number;
  readonly logger: Logger;
}

/** A worker as discovery knows it: its topic and the task names it runs. */
export interface KnownWorker {
  readonly topic: string;
  readonly tasks: ReadonlySet<string>;
}

/** One worker process on a topic, known by its `x-tf-worker` id. */
export interface TopicMember {
  lastSeen: number;
  /** Its `x-tf-concurrency`; undefined for a worker that does not say. */
  concurrency: number | undefined;
  /** Its control topic (CANCEL). */
  control: string | undefined;
}

interface Heard {
  readonly topic: string;
  tasks: Set<string>;
  lastSeen: number;
  /** The tf workers heard on this topic, by id. A Python worker says no id and is not listed. */
  readonly members: Map<string, TopicMember>;
  /** A worker without an id (Python TaskFlow's) answered: the topic's capacity is unknown. */
  anonymous: boolean;
}

/**
 * Finds workers: asks every topic by NOTIFY, now and every `notifyIntervalMs`, remembers
 * who answered with which tasks, forgets a worker silent for `workerExpiryMs`, and picks a
 * live worker for a task, in turn among those that run it.
 */
export class WorkerFinder {
  readonly #options: WorkerFinderOptions;
  readonly #host: WorkerFinderHost;
  /** By topic. */
  readonly #workers = new Map<string, Heard>();
  /** By task name: how many requests were given a worker (the round robin's position). */
  readonly #turns = new Map<string, number>();
  /** Pending `waitFor` calls: each checks its count on every answer; `stop()` ends them. */
  readonly #waiters = new Set<{ check: () => void; done: () => void }>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #capacity = 0;
  #capacityAt = Number.NEGATIVE_INFINITY;

  constructor(options: WorkerFinderOptions, host: WorkerFinderHost) {
    this.#options = options;
    this.#host = host;
  }

  /** Known workers by topic (live or not yet forgotten). */
  get workers(): ReadonlyMap<string, KnownWorker> {
    return this.#workers;
  }

  /** Asks every topic now, then every `notifyIntervalMs` until `stop()`. */
  async start(): Promise<void> {
    this.#running = true;
    await this.askAll();
    clearInterval(this.#timer);
    this.#timer = setInterval(() => void this.askAll(), this.#options.notifyIntervalMs);
    this.#timer.unref();
  }

  /** Stops asking, and ends every pending `waitFor` now; the workers known are kept until `clear()`. */
  stop(): void {
    this.#running = false;
    clearInterval(this.#timer);
    this.#timer = undefined;
    for (const waiter of [...this.#waiters]) waiter.done();
  }

  /** Forgets every worker. */
  clear(): void {
    this.#workers.clear();
    this.#capacityAt = Number.NEGATIVE_INFINITY;
  }

  /** Sends a NOTIFY to every topic; a failed send is logged (the next round asks again). */
  async askAll(): Promise<void> {
    await Promise.all(
      this.#options.topics.map((topic) =>
        this.#host.sendNotify(topic).catch((error: unknown) => this.#options.logger.warn({ err: error, topic }, 'could not send NOTIFY')),
      ),
    );
  }

  /** A worker answered a NOTIFY (or sent a heartbeat, which is one). */
  heard(topic: string, tasks: readonly string[], worker: WorkerHeaders = {}): void {
    const now = Date.now();
    let known = this.#workers.get(topic);
    const isNew = known === undefined;
    if (known) {
      known.tasks = new Set(tasks);
      known.lastSeen = now;
    } else {
      known = { topic, tasks: new Set(tasks), lastSeen: now, members: new Map(), anonymous: false };
      this.#workers.set(topic, known);
      this.#options.logger.debug({ topic, tasks, worker: worker.worker }, 'discovered a worker');
    }
    if (worker.worker === undefined) known.anonymous = true;
    else {
      const member = known.members.get(worker.worker);
      if (member) {
        member.lastSeen = now;
        member.concurrency = worker.concurrency;
        member.control = worker.control;
      } else {
        known.members.set(worker.worker, { lastSeen: now, concurrency: worker.concurrency, control: worker.control });
        if (!isNew) this.#options.logger.debug({ topic, worker: worker.worker }, 'another worker on a known topic');
      }
    }
    this.#capacityAt = Number.NEGATIVE_INFINITY;
    this.#host.workersChanged();
    for (const waiter of [...this.#waiters]) waiter.check();
  }

  /**
   * Worker `id` is gone (it went silent while holding requests). Returns its topic, and
   * whether the topic is gone with it: no other worker heard there within `workerExpiryMs`.
   * A gone topic is forgotten until a worker there answers again.
   */
  lost(id: string, now = Date.now()): { topic: string; topicGone: boolean } | undefined {
    for (const known of this.#workers.values()) {
      if (!known.members.delete(id)) continue;
      this.#capacityAt = Number.NEGATIVE_INFINITY;
      const others = [...known.members.values()].some((member) => this.#isLive(member, now));
      const topicGone = !others && !known.anonymous;
      if (topicGone) this.#workers.delete(known.topic);
      this.#options.logger.warn({ topic: known.topic, worker: id, topicGone }, 'a worker went silent while running requests');
      return { topic: known.topic, topicGone };
    }
    return undefined;
  }

  /** The control topics of the live tf workers heard on `topic`. */
  controlsOn(topic: string, now = Date.now()): string[] {
    const known = this.#workers.get(topic);
    if (!known) return [];
    return [...known.members.values()].flatMap((member) =>
      member.control !== undefined && this.#isLive(member, now) ? [member.control] : [],
    );
  }

  /** Counts every known topic and worker as just heard (after the engine itself could not hear). */
  heardAll(now = Date.now()): void {
    for (const known of this.#workers.values()) {
      known.lastSeen = now;
      for (const member of known.members.values()) member.lastSeen = now;
    }
  }

  /**
   * The topic to send a `taskName` request to: among live workers running it, the least
   * loaded (requests outstanding per task slot), in turn when equal. A topic whose tf
   * workers said their concurrency takes at most what they prefetch (`concurrency + 1`
   * each): whatever is sent there is in a worker's hands at once, claimed and watched by its
   * heartbeats. With all such topics full, undefined (the request waits in the engine, and
   * goes when one finishes). Undefined too when no worker runs it.
   */
  pick(taskName: string): string | undefined {
    // Called once per request sent: two passes over the workers, nothing allocated.
    const now = Date.now();
    let least = Number.POSITIVE_INFINITY;
    let tied = 0;
    for (const worker of this.#workers.values()) {
      const load = this.#load(worker, taskName, now);
      if (load === undefined) continue;
      if (load < least) {
        least = load;
        tied = 1;
      } else if (load === least) tied += 1;
    }
    if (tied === 0) return undefined;
    const turn = this.#turns.get(taskName) ?? 0;
    this.#turns.set(taskName, turn + 1);
    let nth = turn % tied;
    for (const worker of this.#workers.values()) {
      if (this.#load(worker, taskName, now) !== least) continue;
      if (nth === 0) return worker.topic;
      nth -= 1;
    }
    return undefined;
  }

  /**
   * How many requests the live workers can hold at once, over every topic: their stated
   * concurrency + 1 each (what `pick` sends a topic at most). Infinite when a topic's capacity
   * is unknown (a Python worker, or a tf worker that does not say). Recomputed at most every
   * 100 ms: the scheduler reads it before each atom it starts.
   */
  capacity(now = Date.now()): number {
    if (now - this.#capacityAt < CAPACITY_TTL_MS) return this.#capacity;
    let total = 0;
    for (const worker of this.#workers.values()) {
      if (!this.#isLive(worker, now)) continue;
      if (worker.anonymous) return this.#cache(Number.POSITIVE_INFINITY, now);
      let live = 0;
      for (const member of worker.members.values()) {
        if (!this.#isLive(member, now)) continue;
        if (member.concurrency === undefined) return this.#cache(Number.POSITIVE_INFINITY, now);
        total += member.concurrency + 1;
        live += 1;
      }
      if (live === 0) return this.#cache(Number.POSITIVE_INFINITY, now);
    }
    return this.#cache(total, now);
  }

  #cache(capacity: number, now: number): number {
    this.#capacity = capacity;
    this.#capacityAt = now;
    return capacity;
  }

  /** How loaded a topic able to take `taskName` now is (outstanding per slot); undefined when it cannot take it. */
  #load(worker: Heard, taskName: string, now: number): number | undefined {
    if (!worker.tasks.has(taskName) || !this.#isLive(worker, now)) return undefined;
    const outstanding = this.#host.outstandingOn(worker.topic);
    if (worker.anonymous) return outstanding;
    let slots = 0;
    let members = 0;
    for (const member of worker.members.values()) {
      if (!this.#isLive(member, now)) continue;
      if (member.concurrency === undefined) return outstanding;
      slots += member.concurrency;
      members += 1;
    }
    if (slots === 0) return outstanding;
    return outstanding < slots + members ? outstanding / slots : undefined;
  }

  /** Forgets the workers not heard from within `workerExpiryMs`; returns their topics. */
  forgetExpired(now = Date.now()): string[] {
    const expired: string[] = [];
    for (const [topic, worker] of this.#workers) {
      for (const [id, member] of worker.members) if (!this.#isLive(member, now)) worker.members.delete(id);
      if (!this.#isLive(worker, now)) {
        this.#workers.delete(topic);
        expired.push(topic);
        this.#options.logger.info({ topic }, 'a worker expired');
      }
    }
    return expired;
  }

  /** Live workers by topic: tf workers by id; a topic where a worker without an id (Python) answered counts that one too. */
  workersByTopic(now = Date.now()): Map<string, number> {
    const out = new Map<string, number>();
    for (const [topic, worker] of this.#workers) {
      if (!this.#isLive(worker, now)) continue;
      let count = worker.anonymous ? 1 : 0;
      for (const member of worker.members.values()) if (this.#isLive(member, now)) count++;
      out.set(topic, Math.max(1, count));
    }
    return out;
  }

  /** How many workers were heard from within `workerExpiryMs`. */
  liveCount(): number {
    const now = Date.now();
    let count = 0;
    for (const worker of this.#workers.values()) if (this.#isLive(worker, now)) count++;
    return count;
  }

  /**
   * Resolves with `liveCount()` once it reaches `count`, when `timeoutMs` runs out, or at
   * once when the finder is stopped (or stops meanwhile).
   */
  waitFor(count: number, timeoutMs: number): Promise<number> {
    if (this.liveCount() >= count || !this.#running) return Promise.resolve(this.liveCount());
    return new Promise<number>((resolve) => {
      const waiter = {
        done: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(this.liveCount());
        },
        check: () => {
          if (this.liveCount() >= count) waiter.done();
        },
      };
      const timer = setTimeout(waiter.done, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Whether a live worker runs `taskName`. */
  serves(taskName: string): boolean {
    const now = Date.now();
    for (const worker of this.#workers.values()) if (worker.tasks.has(taskName) && this.#isLive(worker, now)) return true;
    return false;
  }

  /** Heard from within `workerExpiryMs`: a topic, or one worker on it. */
  #isLive(heard: { readonly lastSeen: number }, now: number): boolean {
    return now - heard.lastSeen <= this.#options.workerExpiryMs;
  }
}
