import type { Logger } from '@tf/core';
import { JobClaimLostError } from './errors';
import type { JobboardEvent } from './types';

interface Held {
  owner: string;
  controller: AbortController;
  renewedAt: number;
}

/**
 * The claims one board object holds, renewed every third of the claim TTL by one timer.
 * A claim's `lost` signal aborts when a renewal finds it gone or another's, when no renewal
 * succeeded for a whole TTL (the store may have let it expire), when an event says another
 * owner claimed it or it expired, and when the board object closes.
 */
export class ClaimRenewals {
  readonly #held = new Map<string, Held>();
  readonly #ttlMs: number;
  readonly #renew: (uuid: string, owner: string, ttlMs: number) => Promise<boolean>;
  readonly #logger: Logger;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running = false;

  constructor(ttlMs: number, renew: (uuid: string, owner: string, ttlMs: number) => Promise<boolean>, logger: Logger) {
    this.#ttlMs = ttlMs;
    this.#renew = renew;
    this.#logger = logger;
  }

  get size(): number {
    return this.#held.size;
  }

  hold(uuid: string, owner: string): AbortSignal {
    this.#lose(uuid, 'claimed again');
    const controller = new AbortController();
    this.#held.set(uuid, { owner, controller, renewedAt: Date.now() });
    if (!this.#timer) {
      this.#timer = setInterval(() => void this.#tick(), Math.max(10, Math.floor(this.#ttlMs / 3)));
      this.#timer.unref?.();
    }
    return controller.signal;
  }

  /** The claim ended by this board object (consumed, abandoned, trashed): stop renewing, no abort. */
  release(uuid: string, owner: string): void {
    if (this.#held.get(uuid)?.owner === owner) this.#held.delete(uuid);
    this.#stopWhenIdle();
  }

  /** What an event says about a held claim. */
  observe(event: JobboardEvent): void {
    const held = this.#held.get(event.uuid);
    if (!held) return;
    if (event.type === 'claimed' && event.owner !== held.owner) this.#lose(event.uuid, `claimed by ${event.owner}`);
    else if (event.type === 'expired' && event.owner === held.owner) this.#lose(event.uuid, 'it expired');
  }

  close(): void {
    for (const uuid of [...this.#held.keys()]) this.#lose(uuid, 'its board object was closed');
    this.#stopWhenIdle();
  }

  #lose(uuid: string, why: string): void {
    const held = this.#held.get(uuid);
    if (!held) return;
    this.#held.delete(uuid);
    this.#logger.warn({ job: uuid, owner: held.owner, why }, 'jobboard: claim lost');
    held.controller.abort(new JobClaimLostError(uuid, held.owner, why));
    this.#stopWhenIdle();
  }

  #stopWhenIdle(): void {
    if (this.#held.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = undefined;
    }
  }

  async #tick(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      await Promise.all(
        [...this.#held].map(async ([uuid, held]) => {
          if (Date.now() - held.renewedAt > this.#ttlMs) {
            this.#lose(uuid, `no renewal succeeded for ${this.#ttlMs} ms`);
            return;
          }
          try {
            const ok = await this.#renew(uuid, held.owner, this.#ttlMs);
            if (this.#held.get(uuid) !== held) return;
            if (ok) held.renewedAt = Date.now();
            else this.#lose(uuid, 'a renewal found it gone or held by another owner');
          } catch (error) {
            this.#logger.warn({ err: error, job: uuid, owner: held.owner }, 'jobboard: claim renewal failed; retrying');
          }
        }),
      );
    } finally {
      this.#running = false;
    }
  }
}
