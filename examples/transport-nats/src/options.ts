import {
  InvalidArgumentError,
  checkTransportOptions,
  nonNegativeInteger,
  plainObject,
  positiveInteger,
  positiveNumber,
  temporaryTopicExpiryMs,
} from '@tf/transport';
import type { BaseTransportOptions } from '@tf/transport';

/** TLS for the NATS connection: PEM file paths (or PEM text), as `@nats-io/transport-node` takes them. */
export interface NatsTlsOptions {
  /** CA certificate(s) that signed the server's certificate. */
  caFile?: string;
  ca?: string;
  /** Client certificate and key, for servers that verify clients. */
  certFile?: string;
  cert?: string;
  keyFile?: string;
  key?: string;
  /** TLS before the NATS INFO (servers with `handshake_first`). */
  handshakeFirst?: boolean;
}

/**
 * `transportOptions` of the NATS transport (camelCase, or snake_case: `lease_ms`,
 * `creds_file`...). The servers, user and password (or token) come from the URL:
 * `nats://user:password@host:4222`, `nats://token@host:4222`, several servers separated by `,`.
 */
export interface NatsTransportOptions {
  /** How long a delivery may sit unacked before JetStream redelivers it (the consumer's `ack_wait`). A live holder sends in-progress acks every third of it. Default 30 000 ms. */
  leaseMs?: number;
  /** How long one pull request waits for messages before the next is made (>= 1000). Default 5 000 ms. */
  pullExpiresMs?: number;
  /** Prefix of stream names (`<streamPrefix>_<exchange>_<topic>_<hash>`). Default `TF`. */
  streamPrefix?: string;
  /** First token of every subject (`<subjectPrefix>.<exchange>.<topic>`). Default `tf`. */
  subjectPrefix?: string;
  /** Stream limit: messages older than this are dropped. Default 7 days. `0`: no limit. */
  maxAgeMs?: number;
  /** Stream limit: bytes a topic may hold; further publishes are refused. Default 1 GiB. `0`: no limit. */
  maxBytes?: number;
  /** Stream limit: messages a topic may hold; further publishes are refused. Default 1 000 000. `0`: no limit. */
  maxMsgs?: number;
  /** Stream storage. Default `file` (survives a server restart). */
  storage?: 'file' | 'memory';
  /** Stream replicas in a cluster. Default 1. */
  replicas?: number;
  /** An authentication token (instead of one in the URL). */
  token?: string;
  /** A `.creds` file (JWT and NKey seed; NATS decentralised auth). */
  credsFile?: string;
  /** TLS: `true` (system CAs), or files. `tls://` URLs imply `true`. */
  tls?: boolean | NatsTlsOptions;
  /** Give up a connection attempt after this long. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** How long a temporary topic outlives a consumer that vanished without cancelling. Default 60 000 ms. */
  temporaryTopicExpiryMs?: number;
}

/** What the constructor takes: the base options and the transport's. */
export type NatsTransportInit = BaseTransportOptions & NatsTransportOptions;

/** Every option name the transport accepts (camelCase). */
export const NATS_OPTION_NAMES = [
  'leaseMs',
  'pullExpiresMs',
  'streamPrefix',
  'subjectPrefix',
  'maxAgeMs',
  'maxBytes',
  'maxMsgs',
  'storage',
  'replicas',
  'token',
  'credsFile',
  'tls',
  'connectTimeoutMs',
  'temporaryTopicExpiryMs',
] as const satisfies readonly (keyof NatsTransportOptions)[];

export const DEFAULT_NATS_URL = 'nats://127.0.0.1:4222';
export const DEFAULT_LEASE_MS = 30_000;
export const DEFAULT_PULL_EXPIRES_MS = 5_000;
export const DEFAULT_MAX_AGE_MS = 7 * 24 * 3600 * 1000;
export const DEFAULT_MAX_BYTES = 1024 ** 3;
export const DEFAULT_MAX_MSGS = 1_000_000;

/** One server of the URL, without its credentials. */
export interface NatsServer {
  readonly hostport: string;
  readonly tls: boolean;
}

export interface ResolvedOptions {
  readonly url: string;
  readonly servers: readonly string[];
  readonly user: string | undefined;
  readonly pass: string | undefined;
  readonly token: string | undefined;
  readonly credsFile: string | undefined;
  readonly tls: NatsTlsOptions | undefined;
  readonly leaseMs: number;
  readonly pullExpiresMs: number;
  readonly streamPrefix: string;
  readonly subjectPrefix: string;
  readonly maxAgeMs: number;
  readonly maxBytes: number;
  readonly maxMsgs: number;
  readonly storage: 'file' | 'memory';
  readonly replicas: number;
  readonly connectTimeoutMs: number;
  readonly temporaryTopicExpiryMs: number;
}

const label = (name: string): string => `nats transport: ${name}`;

function ms(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : Math.round(positiveNumber(label(name), value));
}

function limit(name: string, value: unknown, fallback: number): number {
  return value === undefined ? fallback : nonNegativeInteger(label(name), value);
}

function text(name: string, value: unknown, pattern: RegExp, what: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new InvalidArgumentError(`${label(name)} must be ${what}.`);
  }
  return value;
}

/**
 * Split the URL into servers and credentials. `nats://`, `tls://` (TLS) or a bare `host:port`,
 * several separated by `,` or `;`. The user and password (or a token as the user alone) of
 * the first server that has them apply to all.
 */
export function parseUrl(url: string | undefined): {
  url: string;
  servers: string[];
  tls: boolean;
  user?: string;
  pass?: string;
  token?: string;
} {
  const raw = url ?? DEFAULT_NATS_URL;
  if (typeof raw !== 'string' || raw.trim() === '') throw new InvalidArgumentError(`${label('url')} must be a non-empty string.`);
  const out: { url: string; servers: string[]; tls: boolean; user?: string; pass?: string; token?: string } = {
    url: raw,
    servers: [],
    tls: false,
  };
  for (const part of raw.split(/[;,]/)) {
    const item = part.trim();
    if (item === '') continue;
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(item) ? item : `nats://${item}`;
    let parsed: URL;
    try {
      parsed = new URL(withScheme);
    } catch (err) {
      throw new InvalidArgumentError(`${label('url')}: cannot parse ${JSON.stringify(item.replace(/\/\/[^@/]*@/, '//***@'))}.`, {
        cause: err,
      });
    }
    const scheme = parsed.protocol.slice(0, -1).toLowerCase();
    if (scheme !== 'nats' && scheme !== 'tls') {
      throw new InvalidArgumentError(`${label('url')} must use nats:// or tls://, got ${scheme}://.`);
    }
    if (scheme === 'tls') out.tls = true;
    if (parsed.username !== '' && out.user === undefined && out.token === undefined) {
      const user = decodeURIComponent(parsed.username);
      if (parsed.password !== '') {
        out.user = user;
        out.pass = decodeURIComponent(parsed.password);
      } else out.token = user;
    }
    out.servers.push(`${parsed.hostname.includes(':') ? `[${parsed.hostname}]` : parsed.hostname}:${parsed.port || '4222'}`);
  }
  if (out.servers.length === 0) throw new InvalidArgumentError(`${label('url')} names no server.`);
  return out;
}

function resolveTls(value: unknown, fromUrl: boolean): NatsTlsOptions | undefined {
  if (value === undefined || value === false) return fromUrl ? {} : undefined;
  if (value === true) return {};
  const o = plainObject(label('tls'), value);
  const allowed = ['caFile', 'ca', 'certFile', 'cert', 'keyFile', 'key', 'handshakeFirst'];
  for (const key of Object.keys(o)) {
    if (!allowed.includes(key))
      throw new InvalidArgumentError(`${label('tls')}: unknown key ${JSON.stringify(key)} (allowed: ${allowed.join(', ')}).`);
    const v = o[key];
    if (key === 'handshakeFirst' ? typeof v !== 'boolean' : typeof v !== 'string') {
      throw new InvalidArgumentError(`${label(`tls.${key}`)} must be a ${key === 'handshakeFirst' ? 'boolean' : 'string'}.`);
    }
  }
  return o as NatsTlsOptions;
}

/** Check and resolve options (camelCase or snake_case keys). */
export function resolveOptions(input: object, url: string | undefined): ResolvedOptions {
  const o = checkTransportOptions<NatsTransportOptions>('nats', input, NATS_OPTION_NAMES);
  const parsed = parseUrl(url);
  const storage = o.storage ?? 'file';
  if (storage !== 'file' && storage !== 'memory') throw new InvalidArgumentError(`${label('storage')} must be 'file' or 'memory'.`);
  const pullExpiresMs = ms('pullExpiresMs', o.pullExpiresMs, DEFAULT_PULL_EXPIRES_MS);
  if (pullExpiresMs < 1000) throw new InvalidArgumentError(`${label('pullExpiresMs')} must be at least 1000 (the client's minimum).`);
  return {
    url: parsed.url,
    servers: parsed.servers,
    user: parsed.user,
    pass: parsed.pass,
    token: text('token', o.token, /^\S+$/, 'a string without spaces') ?? parsed.token,
    credsFile: text('credsFile', o.credsFile, /./, 'a file path'),
    tls: resolveTls(o.tls, parsed.tls),
    leaseMs: Math.max(100, ms('leaseMs', o.leaseMs, DEFAULT_LEASE_MS)),
    pullExpiresMs,
    streamPrefix: text('streamPrefix', o.streamPrefix, /^[A-Za-z0-9_-]{1,32}$/, '1 to 32 of A-Z a-z 0-9 _ -') ?? 'TF',
    subjectPrefix: text('subjectPrefix', o.subjectPrefix, /^[A-Za-z0-9_-]{1,32}$/, '1 to 32 of A-Z a-z 0-9 _ -') ?? 'tf',
    maxAgeMs: limit('maxAgeMs', o.maxAgeMs, DEFAULT_MAX_AGE_MS),
    maxBytes: limit('maxBytes', o.maxBytes, DEFAULT_MAX_BYTES),
    maxMsgs: limit('maxMsgs', o.maxMsgs, DEFAULT_MAX_MSGS),
    storage,
    replicas: o.replicas === undefined ? 1 : positiveInteger(label('replicas'), o.replicas),
    connectTimeoutMs: ms('connectTimeoutMs', o.connectTimeoutMs, 10_000),
    temporaryTopicExpiryMs: temporaryTopicExpiryMs('nats', o.temporaryTopicExpiryMs),
  };
}
