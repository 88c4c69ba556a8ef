import { PostgresJobboard } from './postgres-board';

export { PostgresJobboard, type PostgresJobboardOptions } from './postgres-board';
export { channelOf, createTables } from './schema';

/** `postgresql://` and `postgres://` URLs, as `resolveJobboard` calls it. */
export function createJobboard(url: URL, options: Readonly<Record<string, unknown>> = {}): Promise<PostgresJobboard> {
  return PostgresJobboard.open(url, options);
}

export default createJobboard;
