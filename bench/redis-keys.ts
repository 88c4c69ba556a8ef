/** Redis housekeeping shared by the benches. */
import type { Redis } from 'ioredis';

/** Deletes every key matching `pattern` (SCAN, never FLUSHALL: the server is shared); returns how many. */
export async function deleteKeys(redis: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
