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

  constructor(intervalMs: number, host: HeartbeatHost) {
    this.#intervalMs = intervalMs;
    this.#host = host;
  }

  start(): void {
    clearInterval(this.#timer);
    this.#timer = setInterval(() => this.beat(), this.#intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Sends one heartbeat to every engine with requests held here. */
  beat(): void {
    const host = this.#host;
    for (const [engine, held] of host.held.engines()) {
      const running = [...held.keys()].slice(0, MAX_IDS_PER_MESSAGE);
      host
        .publish(engine, host.notifyBody(), { type: MessageType.NOTIFY, headers: { ...host.headers(), [TfHeader.RUNNING]: running } })
        .catch((error: unknown) => host.logger.debug({ err: error, engine }, 'could not send a heartbeat'));
    }
  }
}
