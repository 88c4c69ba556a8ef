import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '@tf/transport';
import { errnoCode } from './errors';
import { CLAIM_EXT, HOST, MSG_EXT, parseClaimName, readyName } from './layout';
import type { ClaimOwner, TopicPaths } from './layout';
import { ownerLiveness, pidIsDead } from './liveness';

/** Temp files of publishers that died mid-write are removed after this long. */
const STALE_TMP_MS = 10 * 60_000;

/**
 * The recovery side of one topic consumer: takes back (renames to ready) claims in
 * `.claimed/` whose holder is gone or whose lease ran out, so another consumer gets them,
 * and now and then removes temp files that publishers left behind.
 */
export class ClaimRecovery {
  readonly #paths: TopicPaths;
  /** The consumer's own claims are never taken back here. */
  readonly #owner: ClaimOwner;
  /** The lease of a claim whose name does not say it. */
  readonly #leaseMs: number;
  readonly #logger: Logger;
  #active = true;
  #checking = false;
  #lastTmpSweep = 0;

  constructor(paths: TopicPaths, owner: ClaimOwner, leaseMs: number, logger: Logger) {
    this.#paths = paths;
    this.#owner = owner;
    this.#leaseMs = leaseMs;
    this.#logger = logger;
  }

  /** Take back claims whose holder is dead or whose lease ran out; sweep stale temp files. Skipped while a run is under way. */
  async run(): Promise<void> {
    if (!this.#active || this.#checking) return;
    this.#checking = true;
    try {
      const { claimed, dir } = this.#paths;
      let names: string[];
      try {
        names = await readdir(claimed);
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') {
          await mkdir(claimed, { recursive: true });
          return;
        }
        throw err;
      }
      const now = Date.now();
      for (const name of names) {
        if (!this.#active) return;
        if (!name.endsWith(CLAIM_EXT)) continue;
        const parsed = parseClaimName(name);
        if (parsed && parsed.owner.token === this.#owner.token) continue;
        const verdict = parsed ? ownerLiveness(parsed.owner) : 'unknown';
        if (verdict === 'alive') continue;
        const path = join(claimed, name);
        let why: string | undefined = verdict === 'dead' ? 'its holder is gone' : undefined;
        if (why === undefined) {
          let touched: number;
          try {
            const s = await stat(path);
            touched = Math.max(s.mtimeMs, s.ctimeMs);
          } catch {
            continue; // settled meanwhile
          }
          const lease = parsed?.owner.leaseMs ?? this.#leaseMs;
          if (now - touched > lease) why = `its lease ran out (${Math.round(now - touched)} ms since renewed, lease ${lease} ms)`;
          else if (parsed && parsed.owner.host === HOST && pidIsDead(parsed.owner.pid)) why = 'its holder is gone';
        }
        if (why === undefined) continue;
        const back = parsed ? readyName(parsed.id, parsed.deliveries) : `${basename(name, CLAIM_EXT).replace(/~/g, '_')}${MSG_EXT}`;
        try {
          await rename(path, join(dir, back));
          this.#logger.info({ file: path, owner: parsed?.owner }, `filesystem transport: took back a claim: ${why}`);
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') this.#logger.warn({ err, file: path }, 'filesystem transport: could not take back a claim');
        }
      }
      if (now - this.#lastTmpSweep > 60_000) {
        this.#lastTmpSweep = now;
        await this.#sweepTmp(now);
      }
    } catch (err) {
      if (this.#active) this.#logger.warn({ err, dir: this.#paths.claimed }, 'filesystem transport: checking claims failed');
    } finally {
      this.#checking = false;
    }
  }

  async #sweepTmp(now: number): Promise<void> {
    const names = await readdir(this.#paths.tmp).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(this.#paths.tmp, name);
      try {
        const s = await stat(path);
        if (now - s.mtimeMs > Math.max(STALE_TMP_MS, 2 * this.#leaseMs)) {
          await unlink(path);
          this.#logger.warn({ file: path }, 'filesystem transport: removed a temp file a publisher left behind');
        }
      } catch {
        // gone or unreadable: nothing to do
      }
    }
  }

  /** No more runs; one under way stops at its next claim. */
  stop(): void {
    this.#active = false;
  }
}
