import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { type FlowLock, FlowLockedError, type FlowLockHolder } from '@tf/core';

interface LockContent {
  pid: number;
  host: string;
  since: string;
  token: string;
}

/** A lock file whose writer died between creating and filling it is stale after this long. */
const EMPTY_LOCK_GRACE_MS = 5_000;

function parseLock(text: string): LockContent | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.since === 'string' && typeof v.token === 'string') {
      return v as LockContent;
    }
  } catch {
    // an empty or torn lock file
  }
  return undefined;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readLock(path: string): Promise<{ content: LockContent | undefined; text: string; ageMs: number } | undefined> {
  try {
    const [text, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { content: parseLock(text.slice(0, 4096)), text, ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function isStale(found: { content: LockContent | undefined; ageMs: number }, host: string): boolean {
  if (!found.content) return found.ageMs > EMPTY_LOCK_GRACE_MS;
  return found.content.host === host && !pidAlive(found.content.pid);
}

/**
 * Takes the lock file at `path` (created exclusively, holding pid, host and time). A lock
 * held by a live process, or by any process on another host, is a `FlowLockedError`; one
 * left by a dead process on this host is taken over.
 */
export async function acquireLockFile(path: string, flowUuid: string): Promise<FlowLock> {
  const host = hostname();
  const mine: LockContent = { pid: process.pid, host, since: new Date().toISOString(), token: randomBytes(8).toString('hex') };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(JSON.stringify(mine));
        await handle.sync();
      } finally {
        await handle.close();
      }
      return lockHandle(path, mine.token);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const found = await readLock(path);
    if (!found) continue;
    if (!isStale(found, host)) throw new FlowLockedError(flowUuid, holderOf(found.content));
    await takeOverStale(path, found.text);
  }
  const found = await readLock(path);
  throw new FlowLockedError(flowUuid, holderOf(found?.content));
}

function holderOf(content: LockContent | undefined): FlowLockHolder {
  return content ? { pid: content.pid, host: content.host, since: content.since } : { detail: 'a lock file being written' };
}

/** Moves a stale lock aside; if what was moved is not the stale one we judged (a new holder's), puts it back. */
async function takeOverStale(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale-${randomBytes(6).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await readFile(aside, 'utf8').catch(() => staleText);
  if (moved !== staleText) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

function lockHandle(path: string, token: string): FlowLock {
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      const found = await readLock(path);
      if (found?.content?.token === token) await unlink(path).catch(() => undefined);
    },
  };
}
