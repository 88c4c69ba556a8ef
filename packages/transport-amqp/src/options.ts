import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { InvalidArgumentError, booleanFlag, nonNegativeNumber, normaliseOptionKeys, temporaryTopicExpiryMs } from '@tf/transport';
import type { BaseTransportOptions } from '@tf/transport';

/** How exchanges or queues are declared. The defaults are Python TaskFlow's (kombu's): transient, auto-deleted. */
export interface AmqpDeclareOptions {
  /** Survives a broker restart. Default `false` (TaskFlow). */
  durable?: boolean;
  /** Deleted by the broker once its last consumer (queue) or binding (exchange) is gone. Default `true` (TaskFlow). */
  autoDelete?: boolean;
}

/** TLS settings for `amqps://` (or to upgrade an `amqp://` URL), given to Node's `tls.connect`. */
export interface AmqpTlsOptions {
  /** Trusted CA certificate(s), PEM. Default: Node's bundled roots. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate, PEM (mutual TLS). */
  cert?: string | Buffer;
  /** Client private key, PEM. */
  key?: string | Buffer;
  /** Pass phrase of `key`. */
  passphrase?: string;
  /** Check the broker's certificate (default `true`). */
  rejectUnauthorized?: boolean;
  /** Name to check the certificate against (SNI); default the URL's host name. */
  servername?: string;
}

/** The options `transportOptions` may hold (camelCase; snake_case keys are accepted too). */
export interface AmqpTransportOptions {
  /**
   * Flags of the `<exchange>_<topic>` queues. Default `{ durable: false, autoDelete: true }`, exactly
   * Python TaskFlow's: required to share queues with Python engines and workers (RabbitMQ refuses a
   * declaration whose flags differ from the existing queue's). An all-tf deployment may choose
   * `{ durable: true, autoDelete: false }` so that messages held by the last consumer of a queue
   * survive that consumer's death (see the README).
   */
  queueOptions?: AmqpDeclareOptions;
  /** Flags of the exchange. Default: those of `queueOptions` (so TaskFlow's when that is unset). */
  exchangeOptions?: AmqpDeclareOptions;
  /** TLS: `true` or socket options. An `amqps://` URL uses TLS anyway; `tls` on an `amqp://` URL upgrades it. */
  tls?: boolean | AmqpTlsOptions;
  /** AMQP heartbeat, ms (sent in whole seconds, rounded up). Default 30 000; `0` disables heartbeats. A URL's `?heartbeat=` (seconds) wins. */
  heartbeatMs?: number;
  /** How long opening a connection (TCP, TLS and AMQP handshake) may take, ms. Default 10 000. */
  connectTimeoutMs?: number;
  /** The client-provided connection name the broker shows (management UI, `rabbitmqctl list_connections`). Default `tf <host> <pid> <random>`. */
  connectionName?: string;
  /**
   * How long the queue of a temporary topic (`consume(..., { temporary: true })`) outlives a
   * consumer that vanished without cancelling, as the queue's `x-expires`. Only with
   * `queueOptions` that are not auto-delete: an auto-delete queue (the default) goes with its
   * consumer's connection anyway, and is declared with no arguments, as Python TaskFlow does.
   * Default 60 000 ms.
   */
  temporaryTopicExpiryMs?: number;
}

/** What `new AmqpTransport(...)` takes: the transport options plus the connection settings every transport has. */
export interface AmqpTransportInit extends BaseTransportOptions, AmqpTransportOptions {
  /** `amqp://user:password@host:port/vhost` or `amqps://...`; several separated by `;` are tried in turn. Default kombu's `amqp://guest:guest@localhost:5672//`. */
  url?: string | undefined;
}

/** Every option name the transport accepts (camelCase). */
export const AMQP_OPTION_NAMES = [
  'queueOptions',
  'exchangeOptions',
  'tls',
  'heartbeatMs',
  'connectTimeoutMs',
  'connectionName',
  'temporaryTopicExpiryMs',
] as const satisfies readonly (keyof AmqpTransportOptions)[];

/** The flags an exchange or a queue is declared with. */
export interface DeclareFlags {
  readonly durable: boolean;
  readonly autoDelete: boolean;
}

/** Options after parsing, defaults applied (the URL is parsed apart: `parseAmqpUrls`). */
export interface ResolvedOptions {
  readonly queueFlags: DeclareFlags;
  readonly exchangeFlags: DeclareFlags;
  readonly tls: AmqpTlsOptions | undefined;
  readonly heartbeatMs: number;
  readonly connectTimeoutMs: number;
  readonly connectionName: string;
  readonly temporaryTopicExpiryMs: number;
}

/** Python TaskFlow's (kombu's) flags: transient, auto-deleted. */
const TASKFLOW_FLAGS: DeclareFlags = Object.freeze({ durable: false, autoDelete: true });

const TLS_KEYS = ['ca', 'cert', 'key', 'passphrase', 'rejectUnauthorized', 'servername'];

function readFlags(name: string, value: unknown, defaults: DeclareFlags): DeclareFlags {
  if (value === undefined || value === null) return defaults;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(`AMQP transport option ${name} must be an object like { durable, autoDelete }.`);
  }
  const o = normaliseOptionKeys(value);
  const out = { ...defaults };
  for (const [key, v] of Object.entries(o)) {
    if (key !== 'durable' && key !== 'autoDelete') {
      throw new InvalidArgumentError(`AMQP transport option ${name} accepts durable and autoDelete, not '${key}'.`);
    }
    out[key] = booleanFlag(`AMQP transport option ${name}.${key}`, v);
  }
  return out;
}

function readTls(value: unknown): AmqpTlsOptions | undefined {
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new InvalidArgumentError(
      'AMQP transport option tls must be true or an object { ca, cert, key, passphrase, rejectUnauthorized, servername }.',
    );
  }
  const o = normaliseOptionKeys(value);
  for (const key of Object.keys(o)) {
    if (!TLS_KEYS.includes(key)) {
      throw new InvalidArgumentError(`AMQP transport option tls does not accept '${key}'. Allowed: ${TLS_KEYS.join(', ')}.`);
    }
  }
  if (o['rejectUnauthorized'] !== undefined) booleanFlag('AMQP transport option tls.rejectUnauthorized', o['rejectUnauthorized']);
  return o as AmqpTlsOptions;
}

function readMs(name: string, value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  return nonNegativeNumber(`AMQP transport option ${name}`, value);
}

/** Check the transport options and apply the defaults. */
export function resolveOptions(config: AmqpTransportOptions): ResolvedOptions {
  const queueFlags = readFlags('queueOptions', config.queueOptions, TASKFLOW_FLAGS);
  const exchangeFlags = readFlags('exchangeOptions', config.exchangeOptions, queueFlags);
  const tls = readTls(config.tls);
  const heartbeatMs = readMs('heartbeatMs', config.heartbeatMs, 30_000);
  const connectTimeoutMs = readMs('connectTimeoutMs', config.connectTimeoutMs, 10_000);
  if (config.connectionName !== undefined && typeof config.connectionName !== 'string') {
    throw new InvalidArgumentError('AMQP transport option connectionName must be a string.');
  }
  const connectionName = config.connectionName ?? `tf ${hostname()} ${process.pid} ${randomUUID().slice(0, 8)}`;
  return {
    queueFlags,
    exchangeFlags,
    tls,
    heartbeatMs,
    connectTimeoutMs,
    connectionName,
    temporaryTopicExpiryMs: temporaryTopicExpiryMs('AMQP', config.temporaryTopicExpiryMs),
  };
}
