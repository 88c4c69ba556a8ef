import type { Logger } from '@tf/core';

/** What the finder needs from its user. */
export interface WorkerFinderHost {
  /** Sends a NOTIFY to `topic`; the workers there answer on the engine's topic. */
  sendNotify(topic: string): Promise<void>;
  /** A worker appeared or told its tasks again: requests waiting for one may go now. */
  workersChanged(): void;
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

interface Heard {
  readonly topic: string;
  tasks: Set<string>;
  lastSeen: number;
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
  }

  /** Sends a NOTIFY to every topic; a failed send is logged (the next round asks again). */
  async askAll(): Promise<void> {
    await Promise.all(
      this.#options.topics.map((topic) =>
        this.#host.sendNotify(topic).catch((error: unknown) => this.#options.logger.warn({ err: error, topic }, 'could not send NOTIFY')),
      ),
    );
  }

  /** A worker answered a NOTIFY. */
  heard(topic: string, tasks: readonly string[]): void {
    const known = this.#workers.get(topic);
    if (known) {
      known.tasks = new Set(tasks);
      known.lastSeen = Date.now();
    } else {
      this.#workers.set(topic, { topic, tasks: new Set(tasks), lastSeen: Date.now() });
      this.#options.logger.debug({ topic, tasks }, 'discovered a worker');
    }
    this.#host.workersChanged();
    for (const waiter of [...this.#waiters]) waiter.check();
  }

  /** The topic of a live worker running `taskName`, each in turn; undefined when none is known. */
  pick(taskName: string): string | undefined {
    const now = Date.now();
    const capable: string[] = [];
    for (const worker of this.#workers.values()) {
      if (worker.tasks.has(taskName) && this.#isLive(worker, now)) capable.push(worker.topic);
    }
    if (capable.length === 0) return undefined;
    const turn = this.#turns.get(taskName) ?? 0;
    this.#turns.set(taskName, turn + 1);
    return capable[turn % capable.length];
  }

  /** Forgets the workers not heard from within `workerExpiryMs`. */
  forgetExpired(now = Date.now()): void {
    for (const [topic, worker] of this.#workers) {
      if (!this.#isLive(worker, now)) {
        this.#workers.delete(topic);
        this.#options.logger.info({ topic }, 'a worker expired');
      }
    }
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

  #isLive(worker: Heard, now: number): boolean {
    return now - worker.lastSeen <= this.#options.workerExpiryMs;
  }
}
