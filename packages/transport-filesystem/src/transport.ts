import { constants } from 'node:fs';
import { access, mkdir, open, readdir, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BaseTransport, TransportError, TransportErrorCode } from '@tf/transport';
import type {
  ConsumerSpec,
  Logger,
  PublishSpec,
  RawDelivery,
  Subscription,
  TransportCapabilities,
  TransportFactory,
  WireProperties,
} from '@tf/transport';
import { FolderSubscription } from './consumer';
import type { SubscriptionHost } from './consumer';
import { FilesystemErrorCode, FilesystemTransportError, errnoCode } from './errors';
import { HOST, TMP_DIR, newMessageId, newToken, readyName } from './layout';
import type { ClaimOwner } from './layout';
import { markDead, markLive } from './liveness';
import { RenameTurns } from './rename-turns';
import { encodeMessageFile } from './message-file';
import { FILESYSTEM_OPTION_NAMES, resolveOptions } from './options';
import type { FilesystemTransportInit, FilesystemTransportOptions, ResolvedOptions } from './options';
import { sweepExchange } from './temporary-lease';
import { CHOKIDAR_VERSION, VERSION } from './version';

const CAPABILITIES: TransportCapabilities = Object.freeze({
  crossProcess: true,
  persistent: true,
  // A folder that becomes unusable (a watcher error, an unmounted share) is a lost
  // connection: consumers are stopped and resumed once the folders are usable again.
  reconnect: true,
  deliveryCount: true,
  publishWithoutCreate: true,
  temporaryTopics: true,
});

interface Held {
  readonly readyPath: string;
  readonly token: string;
}

function uriOf(o: ResolvedOptions): string {
  const inUri = pathToFileURL(o.folderIn).href;
  return o.folderIn === o.folderOut ? inUri : `${inUri} (out: ${pathToFileURL(o.folderOut).href})`;
}

/**
 * Folders as queues: `<folder>/<exchange>/<topic>/` holds a topic's messages, one JSON
 * file each. Publish writes a temp file and renames it into place; a consumer claims a
 * message by renaming it into `.claimed/` (atomic: of several processes exactly one wins),
 * ack deletes it, reject requeues (renames it back) or drops it. Claims are leases renewed
 * while held; a claim whose holder died goes back to its topic. Works across processes on
 * one machine, or on a shared disk (`usePolling: true` there).
 */
export class FilesystemTransport extends BaseTransport {
  readonly name = 'filesystem';
  readonly capabilities = CAPABILITIES;
  protected readonly driver = 'filesystem';
  protected readonly driverVersion = `${VERSION} (chokidar ${CHOKIDAR_VERSION})`;
  /** Where consumers read. */
  readonly folderIn: string;
  /** Where publishes go. */
  readonly folderOut: string;
  readonly pollingIntervalMs: number;
  readonly usePolling: boolean;
  readonly leaseMs: number;
  readonly temporaryTopicExpiryMs: number;
  readonly #fsync: boolean;
  /** Exchanges this transport consumes from, with how many consumers, and the timer sweeping their expired temporary topics. */
  readonly #sweepers = new Map<string, { consumers: number; timer: NodeJS.Timeout }>();
  #sweeping: Promise<void> | undefined;
  #owner: ClaimOwner | undefined;
  #crashed = false;
  readonly #held = new Map<string, Held>();
  readonly #subscriptions = new Set<FolderSubscription>();
  readonly #madeDirs = new Set<string>();
  readonly #renameTurns = new RenameTurns();
  #renewTimer: NodeJS.Timeout | undefined;
  #returning: Promise<void> | undefined;

  constructor(options: FilesystemTransportInit = {}) {
    const { url, retryOptions, logger, maxMessageBytes, ...rest } = options;
    const resolved = resolveOptions(rest, url);
    super({ url: uriOf(resolved), retryOptions, logger, maxMessageBytes });
    this.folderIn = resolved.folderIn;
    this.folderOut = resolved.folderOut;
    this.pollingIntervalMs = resolved.pollingIntervalMs;
    this.usePolling = resolved.usePolling;
    this.leaseMs = resolved.leaseMs;
    this.temporaryTopicExpiryMs = resolved.temporaryTopicExpiryMs;
    this.#fsync = resolved.fsync;
  }

  protected async doConnect(): Promise<void> {
    await this.#returning;
    for (const folder of new Set([this.folderIn, this.folderOut])) {
      try {
        await mkdir(folder, { recursive: true });
        await access(folder, constants.R_OK | constants.W_OK | constants.X_OK);
      } catch (err) {
        throw new FilesystemTransportError(
          FilesystemErrorCode.FolderUnusable,
          `filesystem transport: the folder ${folder} cannot be created, read and written: ${(err as Error).message}`,
          { cause: err, path: folder },
        );
      }
    }
    this.#madeDirs.clear();
    this.#crashed = false;
    const owner: ClaimOwner = { host: HOST, pid: process.pid, token: newToken(), leaseMs: this.leaseMs };
    markLive(owner.token);
    this.#owner = owner;
    this.#renewTimer = setInterval(() => void this.#renew(), Math.max(10, Math.floor(this.leaseMs / 3)));
    this.#renewTimer.unref();
    this.#sweeping = this.#sweepAll();
  }

  /** On connecting: remove the expired temporary topics of every exchange in the folder (in the background). */
  async #sweepAll(): Promise<void> {
    const exchanges = await readdir(this.folderIn).catch(() => [] as string[]);
    for (const exchange of exchanges) {
      if (exchange.startsWith('.') || this.#owner === undefined) continue;
      await sweepExchange(join(this.folderIn, exchange), this.temporaryTopicExpiryMs, this.logger);
    }
  }

  /** While this transport consumes from `exchange`, sweep its expired temporary topics now and every third of the expiry. */
  #sweepFrom(exchange: string): void {
    const sweeper = this.#sweepers.get(exchange);
    if (sweeper) {
      sweeper.consumers += 1;
      return;
    }
    const sweep = (): void => void sweepExchange(join(this.folderIn, exchange), this.temporaryTopicExpiryMs, this.logger);
    const timer = setInterval(sweep, Math.max(50, Math.floor(this.temporaryTopicExpiryMs / 3)));
    timer.unref();
    this.#sweepers.set(exchange, { consumers: 1, timer });
    sweep();
  }

  #stopSweeping(exchange: string): void {
    const sweeper = this.#sweepers.get(exchange);
    if (!sweeper) return;
    sweeper.consumers -= 1;
    if (sweeper.consumers > 0) return;
    clearInterval(sweeper.timer);
    this.#sweepers.delete(exchange);
  }

  protected async doClose(): Promise<void> {
    await Promise.all([...this.#subscriptions].map((s) => s.stop()));
    this.#subscriptions.clear();
    this.#retire();
    await this.#sweeping;
    // The base returned every unsettled delivery before this; anything still held belonged
    // to a handler that outlived close's timeout: give it back now rather than after the lease.
    const held = [...this.#held];
    this.#held.clear();
    await this.#giveBack(held);
  }

  /** This connection holds no claims any more (closed, lost, crashed). */
  #retire(): void {
    clearInterval(this.#renewTimer);
    this.#renewTimer = undefined;
    for (const { timer } of this.#sweepers.values()) clearInterval(timer);
    this.#sweepers.clear();
    if (this.#owner) markDead(this.#owner.token);
    this.#owner = undefined;
  }

  async #giveBack(held: [string, Held][]): Promise<void> {
    await Promise.all(
      held.map(async ([claimPath, h]) => {
        try {
          await rename(claimPath, h.readyPath);
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') {
            this.logger.warn({ err, file: claimPath }, 'filesystem transport: could not return a claim; its lease will');
          }
        }
      }),
    );
  }

  async #renew(): Promise<void> {
    const token = this.#owner?.token;
    if (token === undefined || this.#held.size === 0) return;
    const now = new Date();
    await Promise.all(
      [...this.#held].map(async ([claimPath, h]) => {
        if (h.token !== token) return;
        try {
          await utimes(claimPath, now, now);
        } catch (err) {
          if (errnoCode(err) === 'ENOENT') {
            if (this.#held.delete(claimPath)) {
              this.logger.warn(
                { file: claimPath },
                'filesystem transport: lost a claim (taken back after its lease ran out: was the process stalled?); it will be redelivered',
              );
            }
          } else {
            this.logger.warn({ err, file: claimPath }, 'filesystem transport: could not renew a claim');
          }
        }
      }),
    );
  }

  async #ensureDir(dir: string): Promise<void> {
    if (this.#madeDirs.has(dir)) return;
    await mkdir(join(dir, TMP_DIR), { recursive: true });
    this.#madeDirs.add(dir);
  }

  protected async doPublish(exchange: string, topic: string, body: string, properties: WireProperties, spec: PublishSpec): Promise<void> {
    // Taken before any await: the turns follow the order of the publish calls.
    const turn = this.#renameTurns.take(join(this.folderOut, exchange, topic));
    try {
      await this.#publishFile(exchange, topic, body, properties, spec, turn.ready);
    } finally {
      turn.done();
    }
  }

  /** Writes the message file, and renames it into the topic folder once `turn` resolves. */
  async #publishFile(
    exchange: string,
    topic: string,
    body: string,
    properties: WireProperties,
    spec: PublishSpec,
    turn: Promise<void>,
  ): Promise<void> {
    if (this.#crashed) throw this.#crashedError();
    const dir = join(this.folderOut, exchange, topic);
    const name = readyName(newMessageId(), 0);
    const tmp = join(dir, TMP_DIR, `${name}.${process.pid}.tmp`);
    const data = encodeMessageFile(exchange, topic, body, properties);
    for (let attempt = 1; ; attempt++) {
      try {
        if (spec.createTopic) await this.#ensureDir(dir);
        await this.#write(tmp, data);
        await turn;
        await rename(tmp, join(dir, name));
        return;
      } catch (err) {
        await unlink(tmp).catch(() => undefined);
        if (errnoCode(err) === 'ENOENT' && attempt < 5) {
          if (!spec.createTopic) {
            // Never make the topic folder: only `.tmp/` inside one that exists (an idle-topic
            // removal may have taken it); no folder, no message.
            if (await this.#topicGone(dir)) {
              this.logger.debug(
                { exchange, topic },
                'filesystem transport: dropped a message to a topic that does not exist (createTopic: false)',
              );
              return;
            }
            continue;
          }
          this.#madeDirs.delete(dir); // an idle-topic removal took the folder: make it again
          continue;
        }
        throw new FilesystemTransportError(
          FilesystemErrorCode.PublishFailed,
          `filesystem transport: could not publish to ${exchange}/${topic} in ${this.folderOut}: ${(err as Error).message}`,
          { cause: err, path: join(dir, name) },
        );
      }
    }
  }

  /** True when the topic folder `dir` does not exist; otherwise makes sure its `.tmp/` does (without `-p`). */
  async #topicGone(dir: string): Promise<boolean> {
    this.#madeDirs.delete(dir);
    try {
      await mkdir(join(dir, TMP_DIR));
      return false;
    } catch (err) {
      return errnoCode(err) === 'ENOENT';
    }
  }

  async #write(path: string, data: string): Promise<void> {
    if (!this.#fsync) {
      await writeFile(path, data, { flag: 'wx' });
      return;
    }
    const handle = await open(path, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  protected async doConsume(spec: ConsumerSpec, deliver: (raw: RawDelivery) => void): Promise<Subscription> {
    if (this.#crashed) throw this.#crashedError();
    const owner = this.#owner;
    if (!owner) throw new TransportError(TransportErrorCode.NotConnected, 'filesystem transport: not connected.');
    const consumer = new FolderSubscription(this.#subscriptionHost(owner), spec, deliver);
    this.#subscriptions.add(consumer);
    try {
      await consumer.start();
    } catch (err) {
      this.#subscriptions.delete(consumer);
      await consumer.stop();
      throw new FilesystemTransportError(
        FilesystemErrorCode.FolderUnusable,
        `filesystem transport: cannot consume ${spec.exchange}/${spec.topic} in ${this.folderIn}: ${(err as Error).message}`,
        { cause: err, path: consumer.paths.dir },
      );
    }
    this.#sweepFrom(spec.exchange);
    return {
      stop: () => consumer.stop(),
      release: async () => {
        this.#subscriptions.delete(consumer);
        this.#stopSweeping(spec.exchange);
        await consumer.release();
      },
    };
  }

  #subscriptionHost(owner: ClaimOwner): SubscriptionHost {
    const logger: Logger = this.logger;
    return {
      logger,
      folderIn: this.folderIn,
      pollingIntervalMs: this.pollingIntervalMs,
      usePolling: this.usePolling,
      leaseMs: this.leaseMs,
      temporaryTopicExpiryMs: this.temporaryTopicExpiryMs,
      owner,
      isCurrent: (token) => !this.#crashed && this.#owner?.token === token,
      hold: (claimPath, readyPath, token) => {
        this.#held.set(claimPath, { readyPath, token });
      },
      unhold: (claimPath) => {
        this.#held.delete(claimPath);
      },
      failed: (error) => this.#lose(error),
    };
  }

  #crashedError(): FilesystemTransportError {
    return new FilesystemTransportError(
      FilesystemErrorCode.Crashed,
      'filesystem transport: crashed (simulateCrash); close it and connect again.',
    );
  }

  /** The folder became unusable: stop consuming, give claims back, let the base reconnect. */
  #lose(error: Error): void {
    if (this.state !== 'connected' || this.#crashed) return;
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    const held = [...this.#held];
    this.#held.clear();
    this.#retire();
    // Deliveries in hand become no-ops to settle; the base reconnects and resumes consumers.
    this.connectionLost(error);
    this.#returning = (async () => {
      await Promise.all(subscriptions.map((s) => s.stop()));
      await this.#giveBack(held);
    })().finally(() => {
      this.#returning = undefined;
    });
  }

  /**
   * For tests (fault injection): behave as if the folder became unreachable. Consumers stop,
   * what they held goes back to its topic, deliveries in hand become no-ops, and the
   * transport reconnects under `retryOptions` and resumes its consumers.
   */
  simulateDisconnect(error: Error = new Error('simulated loss of the data folder')): void {
    this.#lose(error);
  }

  /**
   * For tests (fault injection): die like a `kill -9`'d process. Watchers and lease renewal
   * stop, nothing is released; claims it held are taken back by other consumers (at once in
   * this process and, from other processes, once the lease runs out). Settling its deliveries
   * does nothing; publish and consume fail until it is closed and connected again.
   */
  async simulateCrash(): Promise<void> {
    if (this.#crashed) return;
    this.#crashed = true;
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    this.#held.clear();
    this.#retire();
    await Promise.all(subscriptions.map((s) => s.stop()));
  }
}

/** Selected as `transport: 'filesystem'` or by a `file:///path/to/folder` URL. */
export const transport: TransportFactory<FilesystemTransportOptions> = {
  name: 'filesystem',
  schemes: ['file'],
  options: FILESYSTEM_OPTION_NAMES,
  create: ({ url, options, retryOptions, logger }) => new FilesystemTransport({ url, retryOptions, logger, ...options }),
};
