import { watch as fsWatch } from 'node:fs';
import { mkdir, readFile, readdir, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ConsumerSpec, Logger, RawDelivery, Subscription } from '@tf/transport';
import { watch } from 'chokidar';
import { ClaimRecovery } from './claim-recovery';
import { FilesystemErrorCode, FilesystemTransportError, describeError, errnoCode } from './errors';
import { HOST, MSG_EXT, claimName, consumerMarkerName, parseReadyName, readyName, topicPaths } from './layout';
import type { ClaimOwner, TopicPaths } from './layout';
import { decodeMessageFile } from './message-file';
import { TemporaryLease } from './temporary-lease';
import { removeIfIdle, removeTopic } from './topic-removal';

/** What a subscription needs from its transport. */
export interface SubscriptionHost {
  readonly logger: Logger;
  readonly folderIn: string;
  readonly pollingIntervalMs: number;
  readonly usePolling: boolean;
  readonly leaseMs: number;
  /** How long a temporary topic's lease lasts without renewal. */
  readonly temporaryTopicExpiryMs: number;
  /** The claim owner of the connection this consumer belongs to. */
  readonly owner: ClaimOwner;
  /** False once that connection is gone (closed, lost, crashed): settling becomes a no-op. */
  isCurrent(token: string): boolean;
  /** Renew this claim's lease until `unhold`. */
  hold(claimPath: string, readyPath: string, token: string): void;
  unhold(claimPath: string): void;
  /** The folder became unusable: treat it as a lost connection. */
  failed(error: Error): void;
}

/** Names a consumer remembers as gone for good (claimed by someone, moved aside). */
const GONE_LIMIT = 4096;
/** A ready file that fails to be claimed this many times (not ENOENT) is skipped by this consumer. */
const MAX_CLAIM_FAILURES = 3;

let markers = 0;

/**
 * One consumer of one topic folder: watches it (`fs.watch`, or chokidar's poller on shared
 * disks, plus a rescan every `pollingIntervalMs`), claims ready files by renaming them into `.claimed/` (one winner
 * across processes), reads and delivers them, and has its `ClaimRecovery` take back claims whose holder died.
 */
export class FolderSubscription implements Subscription {
  readonly #host: SubscriptionHost;
  readonly #spec: ConsumerSpec;
  readonly #deliver: (raw: RawDelivery) => void;
  readonly #paths: TopicPaths;
  readonly #owner: ClaimOwner;
  readonly #recovery: ClaimRecovery;
  /** This consumer's file in `.consumers/`: while it is there, the topic folder is not removed as idle. */
  readonly #marker: string;
  readonly #lease: TemporaryLease | undefined;
  readonly #candidates = new Set<string>();
  readonly #gone = new Set<string>();
  readonly #failures = new Map<string, number>();
  #inHand = 0;
  #active = true;
  #pumping = false;
  #pumpAgain = false;
  #scanning: Promise<void> | undefined;
  #scanAgain = false;
  #closeWatcher: (() => Promise<void>) | undefined;
  #pollTimer: NodeJS.Timeout | undefined;
  #claimTimer: NodeJS.Timeout | undefined;
  #stopping: Promise<void> | undefined;

  constructor(host: SubscriptionHost, spec: ConsumerSpec, deliver: (raw: RawDelivery) => void) {
    this.#host = host;
    this.#spec = spec;
    this.#deliver = deliver;
    this.#paths = topicPaths(host.folderIn, spec.exchange, spec.topic);
    this.#owner = host.owner;
    this.#recovery = new ClaimRecovery(this.#paths, host.owner, host.leaseMs, host.logger);
    this.#marker = join(this.#paths.consumers, consumerMarkerName(host.owner, ++markers));
    this.#lease = spec.temporary ? new TemporaryLease(this.#paths.lease, host.logger) : undefined;
  }

  get paths(): TopicPaths {
    return this.#paths;
  }

  /** Create the folders (this consumer's marker first), start watching, take back dead claims, deliver what is there. */
  async start(): Promise<void> {
    const { dir, claimed, corrupt, tmp, consumers } = this.#paths;
    for (let attempt = 1; ; attempt++) {
      try {
        // An idle-topic removal racing with this start: the marker, once written, stops it.
        await mkdir(consumers, { recursive: true });
        await writeFile(this.#marker, '');
        await Promise.all([claimed, corrupt, tmp].map((d) => mkdir(d, { recursive: true })));
        break;
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT' || attempt >= 5) throw err;
      }
    }
    if (this.#lease) await this.#lease.start(this.#owner, this.#host.temporaryTopicExpiryMs);
    await this.#startWatcher(resolve(dir));
    if (!this.#active) return;
    await this.#recovery.run();
    await this.#scan();
    const claimCheckMs = Math.min(Math.max(this.#host.leaseMs / 4, 50), 1000);
    this.#pollTimer = setInterval(() => this.#requestScan(), this.#host.pollingIntervalMs);
    this.#pollTimer.unref();
    this.#claimTimer = setInterval(() => void this.#recovery.run(), claimCheckMs);
    this.#claimTimer.unref();
  }

  /**
   * Native mode: `fs.watch` on the topic folder, whose events name the file, so a message is
   * claimed without rereading the folder. (chokidar's native mode rereads and stats every
   * entry of the folder on each event: a 2000-message backlog drained 7x slower with it.)
   * Polling mode (`usePolling`, or where `fs.watch` is unavailable): chokidar's polling
   * watcher on the folder; each change it sees triggers one rescan.
   */
  async #startWatcher(dir: string): Promise<void> {
    if (!this.#host.usePolling) {
      try {
        const native = fsWatch(dir, { persistent: true }, (_event, name) => this.#onRaw(name));
        native.on('error', (err) => this.#watchFailed(dir, err));
        this.#closeWatcher = async () => native.close();
        return;
      } catch (err) {
        this.#host.logger.info({ err, dir }, 'filesystem transport: fs.watch unavailable here; polling with chokidar');
      }
    }
    const watcher = watch(dir, {
      depth: 0,
      ignoreInitial: true,
      persistent: true,
      atomic: false,
      usePolling: true,
      interval: this.#host.pollingIntervalMs,
      binaryInterval: this.#host.pollingIntervalMs,
      // The folder itself only: no per-file pollers for messages that live milliseconds.
      ignored: (p: string) => resolve(p) !== dir,
    });
    this.#closeWatcher = () => watcher.close();
    watcher.on('raw', (_event: string, evPath: unknown) => this.#onRaw(evPath));
    watcher.on('error', (err: unknown) => this.#watchFailed(dir, err));
    await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  }

  #watchFailed(dir: string, err: unknown): void {
    if (!this.#active) return;
    const error = err instanceof Error ? err : new Error(String(err));
    this.#host.logger.warn({ err: error, dir }, 'filesystem transport: watching the folder failed');
    this.#host.failed(error);
  }

  #onRaw(evPath: unknown): void {
    if (!this.#active) return;
    if (typeof evPath === 'string' && evPath !== '' && !evPath.includes('/') && !evPath.includes('\\')) {
      if (evPath.endsWith(MSG_EXT)) {
        // fs.watch names the file: claim it without rescanning the folder.
        if (!this.#gone.has(evPath) && parseReadyName(evPath)) {
          this.#candidates.add(evPath);
          this.#pump();
        }
        return;
      }
      if (evPath.startsWith('.')) return; // our own sub-folders changing
    }
    // Polling (the folder's stats changed) or an event without a usable name.
    this.#requestScan();
  }

  #hasRoom(): boolean {
    return this.#spec.prefetch === 0 || this.#inHand < this.#spec.prefetch;
  }

  #forget(name: string): void {
    this.#candidates.delete(name);
    this.#gone.add(name);
    if (this.#gone.size > GONE_LIMIT) {
      const oldest = this.#gone.values().next();
      if (!oldest.done) this.#gone.delete(oldest.value);
    }
  }

  #requestScan(): void {
    if (!this.#active) return;
    if (this.#scanning) {
      this.#scanAgain = true;
      return;
    }
    this.#scanning = this.#scan().finally(() => {
      this.#scanning = undefined;
      if (this.#scanAgain) {
        this.#scanAgain = false;
        this.#requestScan();
      }
    });
  }

  /** Read the folder: every ready message becomes a candidate (unless this consumer is full). */
  async #scan(): Promise<void> {
    if (!this.#active || !this.#hasRoom()) return;
    let names: string[];
    try {
      names = await readdir(this.#paths.dir);
    } catch (err) {
      if (this.#active) this.#host.failed(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    for (const name of names) {
      if (!this.#gone.has(name) && parseReadyName(name)) this.#candidates.add(name);
    }
    this.#pump();
  }

  #next(): string | undefined {
    let min: string | undefined;
    for (const name of this.#candidates) if (min === undefined || name < min) min = name;
    if (min !== undefined) this.#candidates.delete(min);
    return min;
  }

  /** Claim and deliver candidates, oldest first, while there is room. One claim at a time. */
  #pump(): void {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    void (async () => {
      try {
        do {
          this.#pumpAgain = false;
          while (this.#active && this.#hasRoom()) {
            const name = this.#next();
            if (name === undefined) break;
            await this.#claim(name);
          }
        } while (this.#pumpAgain && this.#active && this.#hasRoom());
      } catch (err) {
        this.#host.logger.error({ err }, 'filesystem transport: consumer loop failed');
      } finally {
        this.#pumping = false;
      }
    })();
  }

  async #claim(name: string): Promise<void> {
    const parsed = parseReadyName(name);
    if (!parsed) return;
    const { dir, claimed } = this.#paths;
    const count = parsed.deliveries + 1;
    const owner = this.#owner;
    const claimPath = join(claimed, claimName(parsed.id, count, owner));
    const readyPath = join(dir, readyName(parsed.id, count));
    try {
      await rename(join(dir, name), claimPath);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') {
        if (await this.#claimedGone()) return; // made again by an idle-topic removal's race: retry later
        this.#forget(name); // another consumer got it
        return;
      }
      const failures = (this.#failures.get(name) ?? 0) + 1;
      this.#failures.set(name, failures);
      this.#host.logger.warn({ err, file: join(dir, name), failures }, 'filesystem transport: could not claim a message');
      if (failures >= MAX_CLAIM_FAILURES) {
        this.#failures.delete(name);
        this.#forget(name);
        this.#host.logger.error({ file: join(dir, name) }, 'filesystem transport: giving up on a message this consumer cannot claim');
      }
      return;
    }
    this.#forget(name);
    this.#failures.delete(name);
    if (!this.#host.isCurrent(owner.token)) return; // crashed meanwhile: the lease brings it back
    this.#inHand += 1;
    this.#host.hold(claimPath, readyPath, owner.token);
    const now = new Date();
    // rename keeps the old mtime: touch at once so the lease counts from the claim.
    const [, content] = await Promise.allSettled([utimes(claimPath, now, now), readFile(claimPath, 'utf8')]);
    if (content.status === 'rejected') {
      if (errnoCode(content.reason) === 'ENOENT') {
        this.#release(claimPath); // taken back already
        return;
      }
      await this.#moveAside(claimPath, name, `unreadable: ${describeError(content.reason)}`);
      return;
    }
    const decoded = decodeMessageFile(content.value);
    if ('reason' in decoded) {
      await this.#moveAside(claimPath, name, decoded.reason);
      return;
    }
    const message = decoded.message;
    const token = owner.token;
    this.#deliver({
      body: message.body,
      properties: message.properties ?? {},
      redelivered: count > 1,
      deliveryCount: count,
      ack: async () => {
        if (!this.#settle(claimPath, token)) return;
        try {
          await unlink(claimPath);
        } catch (err) {
          this.#lostOnSettle(err, claimPath, 'ack');
        }
      },
      reject: async (requeue) => {
        if (!this.#settle(claimPath, token)) return;
        try {
          if (requeue) await rename(claimPath, readyPath);
          else await unlink(claimPath);
        } catch (err) {
          this.#lostOnSettle(err, claimPath, requeue ? 'requeue' : 'drop');
        }
      },
    });
  }

  /** `.claimed/` was removed under this consumer (an idle-topic removal racing with its start): make it again. */
  async #claimedGone(): Promise<boolean> {
    try {
      await mkdir(this.#paths.claimed);
      return true;
    } catch {
      return false;
    }
  }

  /** Free the delivery's prefetch slot; false when its connection is gone (settling does nothing). */
  #settle(claimPath: string, token: string): boolean {
    if (!this.#host.isCurrent(token)) return false;
    this.#release(claimPath);
    return true;
  }

  #release(claimPath: string): void {
    this.#host.unhold(claimPath);
    this.#inHand -= 1;
    if (this.#active) queueMicrotask(() => this.#pump());
  }

  #lostOnSettle(err: unknown, claimPath: string, what: string): void {
    if (errnoCode(err) === 'ENOENT') {
      this.#host.logger.warn(
        { file: claimPath },
        `filesystem transport: ${what} of a message whose claim was taken back (lease expired); it was redelivered`,
      );
      return;
    }
    throw new FilesystemTransportError(
      FilesystemErrorCode.SettleFailed,
      `filesystem transport: could not ${what} ${claimPath}: ${describeError(err)}`,
      { cause: err, path: claimPath },
    );
  }

  /** A file that cannot be delivered: move it to `.corrupt/` with a `.reason.json` beside it. */
  async #moveAside(claimPath: string, name: string, reason: string): Promise<void> {
    const target = join(this.#paths.corrupt, name);
    this.#host.logger.warn(
      { file: join(this.#paths.dir, name), movedTo: target, reason },
      'filesystem transport: moved an unusable message file aside',
    );
    try {
      await rename(claimPath, target);
      const note = {
        reason,
        file: name,
        exchange: this.#spec.exchange,
        topic: this.#spec.topic,
        at: new Date().toISOString(),
        by: `${HOST}:${process.pid}`,
      };
      await writeFile(`${target}.reason.json`, `${JSON.stringify(note, null, 2)}\n`);
    } catch (err) {
      // Never leave it to be retried forever: park it under a name no one claims or takes back.
      this.#host.logger.error({ err, file: claimPath }, 'filesystem transport: could not move an unusable file aside; parking it');
      await rename(claimPath, `${claimPath}.corrupt`).catch(() => undefined);
    }
    this.#release(claimPath);
  }

  /** No new deliveries; deliveries in hand stay settleable. Idempotent. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    this.#active = false;
    this.#lease?.stop();
    this.#recovery.stop();
    this.#candidates.clear();
    clearInterval(this.#pollTimer);
    clearInterval(this.#claimTimer);
    const close = this.#closeWatcher;
    this.#closeWatcher = undefined;
    await close?.().catch(() => undefined);
  }

  /**
   * Cancelled (unsettled deliveries were returned by the base): take this consumer's marker
   * away, then remove the topic: a temporary one with what it holds, a regular one only if
   * it is empty and no other consumer has a marker in it. Never throws.
   */
  async release(): Promise<void> {
    await unlink(this.#marker).catch(() => undefined);
    try {
      if (this.#spec.temporary) await removeTopic(this.#paths);
      else await removeIfIdle(this.#paths);
    } catch (err) {
      this.#host.logger.debug({ err, dir: this.#paths.dir }, 'filesystem transport: could not remove a topic folder');
    }
  }
}
