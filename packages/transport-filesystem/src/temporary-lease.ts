import { readFile, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '@tf/transport';
import { errnoCode } from './errors';
import { HOST, TEMPORARY_LEASE } from './layout';
import type { ClaimOwner } from './layout';
import { pidIsDead } from './liveness';

/** What `.temporary` holds: who consumes the temporary topic, and how long its lease lasts. */
interface LeaseFile {
  readonly host: string;
  readonly pid: number;
  readonly token: string;
  readonly expiryMs: number;
}

/**
 * The lease of a temporary topic: `<topic>/.temporary`, written when its consumer starts and
 * touched every third of `expiryMs`. A folder whose lease is older than that (its consumer
 * died without cancelling) is removed by any filesystem transport consuming from the same
 * exchange (`sweepExchange`).
 */
export class TemporaryLease {
  readonly #path: string;
  readonly #logger: Logger;
  #timer: NodeJS.Timeout | undefined;

  constructor(path: string, logger: Logger) {
    this.#path = path;
    this.#logger = logger;
  }

  async start(owner: ClaimOwner, expiryMs: number): Promise<void> {
    const lease: LeaseFile = { host: owner.host, pid: owner.pid, token: owner.token, expiryMs };
    await writeFile(this.#path, JSON.stringify(lease));
    this.#timer = setInterval(() => void this.#renew(), Math.max(10, Math.floor(expiryMs / 3)));
    this.#timer.unref();
  }

  async #renew(): Promise<void> {
    const now = new Date();
    try {
      await utimes(this.#path, now, now);
    } catch (err) {
      this.#logger.warn({ err, file: this.#path }, "filesystem transport: could not renew a temporary topic's lease");
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }
}

/** Why the temporary topic in `dir` is to be removed, or `undefined` while its lease holds (or it is not temporary). */
async function expired(dir: string, now: number, defaultExpiryMs: number): Promise<string | undefined> {
  const path = join(dir, TEMPORARY_LEASE);
  let touched: number;
  try {
    touched = (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
  let lease: Partial<LeaseFile> = {};
  try {
    lease = JSON.parse(await readFile(path, 'utf8')) as Partial<LeaseFile>;
  } catch {
    // Being written, or not ours: the age alone decides.
  }
  const expiryMs = typeof lease.expiryMs === 'number' && lease.expiryMs > 0 ? lease.expiryMs : defaultExpiryMs;
  if (now - touched > expiryMs) return `its lease ran out (${Math.round(now - touched)} ms since renewed, expiry ${expiryMs} ms)`;
  if (lease.host === HOST && typeof lease.pid === 'number' && lease.pid !== process.pid && pidIsDead(lease.pid)) {
    return `its consumer's process (${lease.pid}) is gone`;
  }
  return undefined;
}

/** Remove the temporary topics of `exchangeDir` whose consumer is gone. Never throws. */
export async function sweepExchange(exchangeDir: string, defaultExpiryMs: number, logger: Logger): Promise<void> {
  let topics: string[];
  try {
    topics = await readdir(exchangeDir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const topic of topics) {
    const dir = join(exchangeDir, topic);
    try {
      const why = await expired(dir, now, defaultExpiryMs);
      if (why === undefined) continue;
      await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 10 });
      logger.info({ dir }, `filesystem transport: removed a temporary topic: ${why}`);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') logger.warn({ err, dir }, 'filesystem transport: could not remove an expired temporary topic');
    }
  }
}
