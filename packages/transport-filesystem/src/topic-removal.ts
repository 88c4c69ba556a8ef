import { readdir, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errnoCode } from './errors';
import { parseConsumerMarker, parseReadyName } from './layout';
import type { TopicPaths } from './layout';
import { ownerLiveness } from './liveness';

/** `rmdir` (never recursive): true when removed or already gone, false when it holds something. */
async function rmdirIfEmpty(dir: string): Promise<boolean> {
  try {
    await rmdir(dir);
    return true;
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return true;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'EBUSY') return false;
    throw err;
  }
}

/** Remove markers of consumers that are certainly gone (a closed or lost connection of this process, a dead process here). */
async function dropDeadMarkers(consumers: string): Promise<void> {
  const names = await readdir(consumers).catch(() => [] as string[]);
  for (const name of names) {
    const owner = parseConsumerMarker(name);
    if (owner && ownerLiveness(owner) === 'dead') await unlink(join(consumers, name)).catch(() => undefined);
  }
}

/**
 * A regular topic whose consumer left: remove its folder if nothing is in it, without ever
 * losing a message. Only `rmdir` of empty folders: a consumer's marker (`.consumers/`), a claim,
 * a temp file being written or a message makes its folder non-empty and the removal stops
 * there. A publisher that finds `.tmp/` gone makes it again (`mkdir -p`). Returns true when
 * the topic folder is gone.
 */
export async function removeIfIdle(paths: TopicPaths): Promise<boolean> {
  const names = await readdir(paths.dir).catch(() => undefined);
  if (names === undefined) return true;
  if (names.some((n) => parseReadyName(n) !== undefined)) return false;
  await dropDeadMarkers(paths.consumers);
  for (const dir of [paths.consumers, paths.claimed, paths.tmp, paths.corrupt, paths.dir]) {
    if (!(await rmdirIfEmpty(dir))) return false;
  }
  // The exchange folder too, when this was its last topic.
  await rmdirIfEmpty(dirname(paths.dir)).catch(() => undefined);
  return true;
}

/** A temporary topic: its folder goes with everything in it. */
export async function removeTopic(paths: TopicPaths): Promise<void> {
  await rm(paths.dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 10 });
}
