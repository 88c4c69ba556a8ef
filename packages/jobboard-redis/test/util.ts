import { Redis } from 'ioredis';

/** A plain client for test bookkeeping. */
export const adminClient = (url: string): Redis => new Redis(url, { lazyConnect: true });

/** Delete every key matching `pattern` (SCAN, never FLUSHALL: the server is shared). */
export async function deleteKeys(admin: Redis, pattern: string): Promise<number> {
  if (admin.status === 'wait') await admin.connect();
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await admin.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await admin.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
