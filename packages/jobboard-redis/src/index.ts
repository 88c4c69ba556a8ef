import { RedisJobboard } from './redis-board';

export { RedisJobboard, type RedisJobboardOptions } from './redis-board';
export { boardLayout, type BoardLayout } from './layout';

/** `redis://` and `rediss://` URLs, as `resolveJobboard` calls it. */
export function createJobboard(url: URL, options: Readonly<Record<string, unknown>> = {}): Promise<RedisJobboard> {
  return RedisJobboard.open(url, options);
}

export default createJobboard;
