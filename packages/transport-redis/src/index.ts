export { RedisTransport, transport } from './transport';
export { DEFAULT_BLOCK_MS, DEFAULT_KEY_PREFIX, DEFAULT_LEASE_MS, DEFAULT_REDIS_URL, REDIS_OPTION_NAMES } from './options';
export type { RedisTransportInit, RedisTransportOptions } from './options';
export { IOREDIS_VERSION, VERSION } from './version';
