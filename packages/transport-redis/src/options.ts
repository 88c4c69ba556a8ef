import type { ConnectionOptions } from 'node:tls';
import { InvalidArgumentError, checkTransportOptions, nonNegativeInteger, positiveNumber, temporaryTopicExpiryMs } from '@tf/transport';
import type { BaseTransportOptions } from '@tf/transport';

/**
 * `transportOptions` of the Redis transport (camelCase, or snake_case: `lease_ms`,
 * `block_ms`, `key_prefix`...). The server, user, password and database come from the URL
 * (`redis://user:password@host:6379/0`, `rediss://` for TLS).
 */
export interface RedisTransportOptions {
  /**
   * How long a delivery may sit unacknowledged on a consumer that stopped renewing it
   * before another consumer claims it (XAUTOCLAIM). A live consumer renews what it holds
   * every third of it. Default 30 000 ms.
   */
  leaseMs?: number;
  /** The longest a blocking read (XREADGROUP BLOCK) waits before it is issued again. Default 5 000 ms. */
  blockMs?: number;
  /** Prefix of every key: a topic is the stream `<keyPrefix><exchange>:<topic>`. Default `tf:`. */
  keyPrefix?: string;
  /** TLS: `true`, or Node `tls.connect` options (CA, client certificate, servername...). `rediss://` implies `true`. */
  tls?: boolean | ConnectionOptions;
  /** The database number (overrides the URL's `/n`). */
  db?: number;
  /** Give up a connection attempt after this long. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /**
   * How long the stream of a temporary topic (`consume(..., { temporary: true })`) outlives a
   * consumer that vanished without cancelling: its consumer renews a PEXPIRE of this length
   * every third of it. Default 60 000 ms.
   */
  temporaryTopicExpiryMs?: number;
}

/** What the constructor takes: the base options and the transport's (camelCase or snake_case). */
export type RedisTransportInit = BaseTransportOptions &
  RedisTransportOptions & {
    lease_ms?: number;
    block_ms?: number;
    key_prefix?: string;
    connect_timeout_ms?: number;
    temporary_topic_expiry_ms?: number;
  };

/** Every option name the transport accepts (camelCase). */
export const REDIS_OPTION_NAMES = [
  'leaseMs',
  'blockMs',
  'keyPrefix',
  'tls',
  'db',
  'connectTimeoutMs',
  'temporaryTopicExpiryMs',
] as const satisfies readonly (keyof RedisTransportOptions)[];

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_BLOCK_MS = 5_000;
export const DEFAULT_KEY_PREFIX = 'tf:';

export interface ResolvedOptions {
  readonly url: string;
  readonly leaseMs: number;
  readonly blockMs: number;
  readonly keyPrefix: string;
  readonly tls: ConnectionOptions | undefined;
  readonly db: number | undefined;
  readonly connectTimeoutMs: number;
  readonly temporaryTopicExpiryMs: number;
}

/** A duration option: a number > 0, rounded to whole milliseconds; `undefined` when not given. */
function optionalMs(name: string, value: unknown): number | undefined {
  return value === undefined ? undefined : Math.round(positiveNumber(`redis transport: ${name}`, value));
}

/** Check a URL: `redis://` or `rediss://` (ioredis parses the rest). */
export function checkUrl(url: string | undefined): string {
  if (url === undefined) return DEFAULT_REDIS_URL;
  if (typeof url !== 'string' || !/^rediss?:\/\//i.test(url)) {
    throw new InvalidArgumentError(`redis transport: the URL must start with redis:// or rediss://, got ${JSON.stringify(url)}.`);
  }
  try {
    new URL(url);
  } catch (err) {
    throw new InvalidArgumentError(`redis transport: cannot parse the URL ${JSON.stringify(url)}.`, { cause: err });
  }
  return url;
}

/** Check and resolve options (camelCase or snake_case keys). */
export function resolveOptions(input: object, url: string | undefined): ResolvedOptions {
  const o = checkTransportOptions<RedisTransportOptions>('redis', input, REDIS_OPTION_NAMES);
  const checkedUrl = checkUrl(url);
  const keyPrefix = o.keyPrefix ?? DEFAULT_KEY_PREFIX;
  if (typeof keyPrefix !== 'string' || /[\s{}]/.test(keyPrefix)) {
    throw new InvalidArgumentError(
      `redis transport: keyPrefix must be a string without spaces or braces, got ${JSON.stringify(keyPrefix)}.`,
    );
  }
  let tls: ConnectionOptions | undefined;
  if (o.tls !== undefined && o.tls !== false) {
    if (o.tls === true) tls = {};
    else if (typeof o.tls === 'object' && o.tls !== null && !Array.isArray(o.tls)) tls = o.tls;
    else throw new InvalidArgumentError(`redis transport: tls must be true, false or tls.connect options, got ${String(o.tls)}.`);
  }
  if (tls === undefined && /^rediss:/i.test(checkedUrl)) tls = {};
  const db = o.db === undefined ? undefined : nonNegativeInteger('redis transport: db', o.db);
  return {
    url: checkedUrl,
    leaseMs: Math.max(10, optionalMs('leaseMs', o.leaseMs) ?? DEFAULT_LEASE_MS),
    blockMs: optionalMs('blockMs', o.blockMs) ?? DEFAULT_BLOCK_MS,
    keyPrefix,
    tls,
    db,
    connectTimeoutMs: optionalMs('connectTimeoutMs', o.connectTimeoutMs) ?? 10_000,
    temporaryTopicExpiryMs: temporaryTopicExpiryMs('redis', o.temporaryTopicExpiryMs),
  };
}
