import { MAX_IDS_PER_MESSAGE, MessageType, TfHeader, type Logger, type MessageHeaders } from '@tf/core';
import type { HeldRequests } from './held-requests';

/** What the heartbeat needs from its worker. */
export interface HeartbeatHost {
  readonly held: HeldRequests;
  /** The worker's own headers (id, heartbeat interval, control topic, concurrency). */
  headers(): MessageHeaders;
  /** The NOTIFY answer body, as text. */
  notifyBody(): string;
  publish(topic: string, body: string, properties: { type: string; headers: MessageHeaders }): Promise<void>;
  /** Whether the transport is connected now: no beats pile up while it reconnects. */
  connected(): boolean;
  /** Runs with every beat, beat sent or not (the worker's periodic chores). */
  tick(): void;
  readonly logger: Logger;
}

/**
 * Tells each engine with requests held here that this worker is alive and which of its
 * requests it holds, every `intervalMs`: a NOTIFY answer sent unasked (Python TaskFlow's
 * engine takes it as one more discovery answer), with the ids in the `x-tf-running` header.
 */
export class Heartbeat {
  readonly #intervalMs: number;
  readonly #host: HeartbeatHost;
  #timer: NodeJS.Timeout | undefined;
  /** Beats not yet taken by the transport: a new round waits for them. */
  #inFlight = 0;

  constructor(intervalMs: number, host: HeartbeatHost) {
    this.#intervalMs = intervalMs;
    this.#host = host;
  }

  start(): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => {
      this.#host.tick();
      this.beat();
    }, this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Sends one heartbeat to every engine with requests held here (several messages when it
   * holds more than `MAX_IDS_PER_MESSAGE`). Skipped while disconnected or while the last
   * round is still being published.
   */
  beat(): void {
    const host = this.#host;
    if (!host.connected() || this.#inFlight > 0) return;
    for (const [engine, held] of host.held.engines()) {
      const ids = [...held.keys()];
      for (let i = 0; i < ids.length; i += MAX_IDS_PER_MESSAGE) {
        const running = ids.slice(i, i + MAX_IDS_PER_MESSAGE);
        this.#inFlight += 1;
        host
          .publish(engine, host.notifyBody(), { type: MessageType.NOTIFY, headers: { ...host.headers(), [TfHeader.RUNNING]: running } })
          .catch((error: unknown) => host.logger.debug({ err: error, engine }, 'could not send a heartbeat'))
          .finally(() => {
            this.#inFlight -= 1;
          });
      }
    }
  }
}
