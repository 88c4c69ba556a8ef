import { Redis as RedisClient } from 'ioredis';
import type { Redis } from 'ioredis';

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

/** Kill, server-side, every connection whose client name starts with `name` (a network failure, as Redis sees it). */
export async function killConnections(admin: Redis, name: string): Promise<number> {
  if (admin.status === 'wait') await admin.connect();
  const list = (await admin.client('LIST')) as string;
  const ids = list
    .split('\n')
    .map((line) => ({ id: /\bid=(\d+)/.exec(line)?.[1], name: /\bname=(\S*)/.exec(line)?.[1] }))
    .filter((c) => c.id !== undefined && c.name?.startsWith(name));
  for (const c of ids) await admin.client('KILL', 'ID', c.id as string);
  return ids.length;
}

/** A plain ioredis client for test bookkeeping (resolved from this package, so other workspaces need no ioredis). */
export function adminClient(url: string): Redis {
  return new RedisClient(url, { lazyConnect: true });
}
