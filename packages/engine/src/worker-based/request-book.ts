import { randomUUID } from 'node:crypto';
import { Failure, PROGRESS_EVENT, type ProgressSink, type RequestBody, type ResponseBody } from '@tf/core';
import { RequestTimeoutError } from './errors';

/** A request's life on the engine side (PROTOCOL.md). */
export type RequestState = 'WAITING' | 'PENDING' | 'RUNNING' | 'SUCCESS' | 'FAILURE';

/** A request the book holds, as its users see it. */
export interface PendingRequest {
  /** The correlation id its responses carry. */
  readonly id: string;
  readonly taskName: string;
  readonly atomName: string;
  readonly body: RequestBody;
  readonly state: RequestState;
  /** When it was opened (`Date.now()`); the transition timeout counts from here. */
  readonly createdAt: number;
}

/** What the book needs to time requests out and to say where they looked. */
export interface RequestBookOptions {
  /** How long a request may stay WAITING or PENDING; null: forever. */
  readonly transitionTimeoutMs: number | null;
  readonly exchange: string;
  /** The topics the engine asks for workers (named by a timeout's message). */
  readonly topics: readonly string[];
}

/** What `RequestBook.open` is told about a new request. */
export interface NewRequest {
  readonly taskName: string;
  readonly atomName: string;
  readonly body: RequestBody;
  /** Where its progress EVENTs go. */
  readonly onProgress: ProgressSink;
}

interface Entry extends NewRequest {
  readonly id: string;
  readonly createdAt: number;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
  state: RequestState;
  /** Where it was sent, once PENDING. */
  topic?: string;
}

/**
 * The requests in flight and their states: WAITING (no worker yet) -> PENDING (sent) ->
 * RUNNING -> SUCCESS or FAILURE. A request still WAITING or PENDING after the transition
 * timeout fails with `RequestTimeoutError`; once finished, a request is forgotten and its
 * late responses find nothing.
 */
export class RequestBook {
  readonly #options: RequestBookOptions;
  /** In arrival order. */
  readonly #entries = new Map<string, Entry>();

  constructor(options: RequestBookOptions) {
    this.#options = options;
  }

  /** Adds a WAITING request; `outcome` settles with its result or its failure. */
  open(request: NewRequest): { request: PendingRequest; outcome: Promise<unknown> } {
    const id = randomUUID();
    const outcome = new Promise<unknown>((resolve, reject) => {
      this.#entries.set(id, { ...request, id, createdAt: Date.now(), resolve, reject, state: 'WAITING' });
    });
    // A promise's executor runs at once: the entry is there.
    return { request: this.#entries.get(id)!, outcome };
  }

  /** How many requests are live (not finished). */
  get size(): number {
    return this.#entries.size;
  }

  /** The live request with this correlation id, if any. */
  get(id: string | undefined): PendingRequest | undefined {
    return id === undefined ? undefined : this.#entries.get(id);
  }

  /** The requests still waiting for a worker, in arrival order. */
  waiting(): PendingRequest[] {
    return [...this.#entries.values()].filter((entry) => entry.state === 'WAITING');
  }

  /** The request was handed to a worker on `topic`: WAITING -> PENDING. */
  sent(request: PendingRequest, topic: string): void {
    const entry = this.#entries.get(request.id);
    if (entry) {
      entry.state = 'PENDING';
      entry.topic = topic;
    }
  }

  /** Applies a worker's RESPONSE: RUNNING, a progress EVENT, SUCCESS or FAILURE. */
  respond(request: PendingRequest, body: ResponseBody): void {
    const entry = this.#entries.get(request.id);
    if (!entry) return;
    switch (body.state) {
      case 'RUNNING':
        entry.state = 'RUNNING';
        return;
      case 'EVENT': {
        if (body.data.event_type !== PROGRESS_EVENT) return;
        const { progress, ...details } = body.data.details;
        if (typeof progress === 'number') entry.onProgress(progress, Object.keys(details).length ? details : undefined);
        return;
      }
      case 'SUCCESS':
        this.#finish(entry, 'SUCCESS', body.data.result);
        return;
      case 'FAILURE':
        this.#finish(entry, 'FAILURE', Failure.fromDict(body.data.result));
        return;
      default:
        return;
    }
  }

  /** Fails a live request with `error` (nothing happens once it has finished). */
  fail(request: PendingRequest, error: unknown): void {
    const entry = this.#entries.get(request.id);
    if (entry) this.#finish(entry, 'FAILURE', error);
  }

  /** Fails every live request, each with the error `reason` gives it. */
  failAll(reason: (request: PendingRequest) => unknown): void {
    for (const entry of this.#entries.values()) this.#finish(entry, 'FAILURE', reason(entry));
  }

  /** Fails the requests WAITING or PENDING for longer than the transition timeout. */
  expire(now = Date.now()): void {
    const { transitionTimeoutMs: timeoutMs, exchange, topics } = this.#options;
    if (timeoutMs === null) return;
    for (const entry of this.#entries.values()) {
      const { state, taskName, atomName, topic } = entry;
      if ((state === 'WAITING' || state === 'PENDING') && now - entry.createdAt > timeoutMs) {
        const error = new RequestTimeoutError({ taskName, atomName, timeoutMs, state, exchange, topics, topic });
        this.#finish(entry, 'FAILURE', error);
      }
    }
  }

  #finish(entry: Entry, state: 'SUCCESS' | 'FAILURE', outcome: unknown): void {
    if (!this.#entries.delete(entry.id)) return;
    entry.state = state;
    if (state === 'SUCCESS') entry.resolve(outcome);
    else entry.reject(outcome);
  }
}
