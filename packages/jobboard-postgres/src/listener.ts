import pg from 'pg';
import type { Logger } from '@tf/core';

/** How long to wait before connecting the listener again after it broke (doubling up to the max). */
const RETRY_MS = 250;
const RETRY_MAX_MS = 5_000;

/**
 * One connection that LISTENs on the board's channel and hands each payload on; when the
 * connection breaks it is made again (with a bounded backoff) until `close()`. Events sent
 * while it is down are lost: waiters look again on their own (see OUTCOME_RECHECK_MS).
 */
export class ChannelListener {
  readonly #config: pg.ClientConfig;
  readonly #channel: string;
  readonly #onPayload: (payload: string | undefined) => void;
  readonly #logger: Logger;
  #client: pg.Client | undefined;
  #closed = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #delay = RETRY_MS;

  constructor(config: pg.ClientConfig, channel: string, onPayload: (payload: string | undefined) => void, logger: Logger) {
    this.#config = config;
    this.#channel = channel;
    this.#onPayload = onPayload;
    this.#logger = logger;
  }

  /** Connects and LISTENs; rejects when the first connection fails. */
  async start(): Promise<void> {
    const client = new pg.Client(this.#config);
    client.on('notification', (msg) => {
      if (msg.channel === this.#channel) this.#onPayload(msg.payload);
    });
    client.on('error', (error) => {
      this.#logger.warn({ err: error }, 'postgres jobboard: listener connection failed');
      this.#lost(client);
    });
    client.on('end', () => this.#lost(client));
    this.#client = client;
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#channel}`);
    } catch (error) {
      this.#client = undefined;
      await client.end().catch(() => undefined);
      throw error;
    }
    this.#delay = RETRY_MS;
  }

  #lost(client: pg.Client): void {
    if (this.#client !== client || this.#closed) return;
    this.#client = undefined;
    client.end().catch(() => undefined);
    this.#schedule();
  }

  #schedule(): void {
    if (this.#retry || this.#closed) return;
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#closed) return;
      this.start().catch((error: unknown) => {
        this.#logger.warn({ err: error, retryInMs: this.#delay }, 'postgres jobboard: listener reconnect failed');
        this.#delay = Math.min(this.#delay * 2, RETRY_MAX_MS);
        this.#schedule();
      });
    }, this.#delay);
    this.#retry.unref?.();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => undefined);
  }
}
