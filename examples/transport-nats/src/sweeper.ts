import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@tf/transport';
import { apiCode, isNoResponders } from './errors';
import { TEMPORARY_DESCRIPTION, aliveSubject, exchangeFilter } from './names';

/** What the sweeper needs from its transport. */
export interface SweepHost {
  readonly logger: Logger;
  readonly subjectPrefix: string;
  readonly temporaryTopicExpiryMs: number;
  /** The live connection, or undefined between connections. */
  connection(): { nc: NatsConnection; jsm: JetStreamManager } | undefined;
  /** Streams of temporary topics this transport owns (never swept by it). */
  owns(stream: string): boolean;
}

/** How long a liveness request waits for the owner's answer; no answer in time counts as alive. */
const ALIVE_TIMEOUT_MS = 1_000;

/**
 * Removes temporary topics whose owner vanished without cancelling (a killed process, a
 * connection lost and not regained). JetStream has no stream that expires on its own, so each
 * transport that consumes from an exchange lists the exchange's temporary streams every third
 * of `temporaryTopicExpiryMs` and asks each owner, on a core NATS subject the owner
 * subscribes to, whether it is there. "No responders" (the server knows nobody subscribes)
 * for `temporaryTopicExpiryMs` in a row: the stream is deleted.
 */
export class TemporaryTopicSweeper {
  readonly #host: SweepHost;
  readonly #exchanges = new Map<string, number>();
  /** When each stream's owner was first found gone. */
  readonly #goneSince = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #sweeping = false;

  constructor(host: SweepHost) {
    this.#host = host;
  }

  /** A consumer of `exchange` started: sweep the exchange while it lives. */
  add(exchange: string): void {
    this.#exchanges.set(exchange, (this.#exchanges.get(exchange) ?? 0) + 1);
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.sweep(), Math.max(100, Math.floor(this.#host.temporaryTopicExpiryMs / 3)));
    this.#timer.unref();
  }

  remove(exchange: string): void {
    const n = (this.#exchanges.get(exchange) ?? 0) - 1;
    if (n > 0) this.#exchanges.set(exchange, n);
    else this.#exchanges.delete(exchange);
    if (this.#exchanges.size === 0) this.stop();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#exchanges.clear();
    this.#goneSince.clear();
  }

  /** One pass over every exchange this transport consumes from. Never throws. */
  async sweep(): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      for (const exchange of [...this.#exchanges.keys()]) await this.#sweepExchange(exchange);
    } catch (err) {
      this.#host.logger.debug({ err }, 'nats transport: sweeping temporary topics failed; will retry');
    } finally {
      this.#sweeping = false;
    }
  }

  async #sweepExchange(exchange: string): Promise<void> {
    const live = this.#host.connection();
    if (!live) return;
    const now = Date.now();
    for await (const info of live.jsm.streams.list(exchangeFilter(this.#host.subjectPrefix, exchange))) {
      const stream = info.config.name;
      if (info.config.description !== TEMPORARY_DESCRIPTION || this.#host.owns(stream)) continue;
      if (!(await this.#ownerGone(live.nc, stream))) {
        this.#goneSince.delete(stream);
        continue;
      }
      const since = this.#goneSince.get(stream) ?? now;
      this.#goneSince.set(stream, since);
      if (now - since < this.#host.temporaryTopicExpiryMs) continue;
      this.#goneSince.delete(stream);
      try {
        await live.jsm.streams.delete(stream);
        this.#host.logger.info({ stream }, 'nats transport: removed a temporary topic whose consumer is gone');
      } catch (err) {
        if (apiCode(err) !== 10059) throw err;
      }
    }
  }

  async #ownerGone(nc: NatsConnection, stream: string): Promise<boolean> {
    try {
      await nc.request(aliveSubject(this.#host.subjectPrefix, stream), undefined, { timeout: ALIVE_TIMEOUT_MS });
      return false;
    } catch (err) {
      return isNoResponders(err);
    }
  }
}
