export { RedisTransport, transport } from './transport';
export type { RedisTransportInit } from './transport';
export {
  DEFAULT_BLOCK_MS,
  DEFAULT_KEY_PREFIX,
  DEFAULT_LEASE_MS,
  DEFAULT_URL,
  GROUP,
  OPTION_NAMES,
  streamKey,
} from './options';
export type { RedisTransportOptions } from './options';
export { FIELDS, entryFields, parseEntry } from './consumer';
export { IOREDIS_VERSION, VERSION } from './version';
