/**
 * The real RabbitMQ the tests run against, decided once: reachable or not, and helpers that
 * talk to it (rabbitmqctl for what AMQP cannot do: closing another connection server-side,
 * listing queue flags).
 *
 * Under CI=true the broker-backed tests always run, so an unreachable broker FAILS them;
 * elsewhere they are skipped when 127.0.0.1:5672 (or TF_AMQP_URL) does not answer.
 */
import { execFile } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { promisify } from 'node:util';
import * as amqplib from 'amqplib';
import { describe } from 'vitest';
import { redactUri } from '@tf/transport';
import type { Transport } from '@tf/transport';
import { parseAmqpUrl } from '../src/url';

const run = promisify(execFile);

export const AMQP_URL = process.env['TF_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672//';
export const IN_CI =
  process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false' && process.env['CI'] !== '0';

function canReach(url: string, timeoutMs = 1500): Promise<boolean> {
  const { hostname, port } = parseAmqpUrl(url);
  return new Promise((resolve) => {
    const socket = netConnect({ host: hostname, port: port ?? 5672 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Whether the broker answered, asked once per test file. */
export const brokerReachable: boolean = await canReach(AMQP_URL);

/** `describe` for tests that need the broker: skipped only when it is unreachable and not under CI. */
export function describeBroker(name: string, fn: () => void): void {
  // rabbitmqctl starts an Erlang VM per call (bounded at 30 s below): seconds on a busy machine.
  if (brokerReachable || IN_CI) describe(name, { timeout: 60_000 }, fn);
  else describe.skip(`${name} (no broker at ${redactUri(AMQP_URL)})`, fn);
}

/** Run rabbitmqctl (quiet) and return its standard output. */
export async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-q', ...args], { timeout: 30_000 });
  return stdout;
}

/** Close, server-side, the connection(s) whose client-provided name is `name` (as a broker restart would: 320 CONNECTION_FORCED). */
export async function closeConnectionNamed(name: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const out = await rabbitmqctl('list_connections', 'pid', 'client_properties');
    const pids = out
      .split('\n')
      .filter((line) => line.includes(`{"connection_name",${JSON.stringify(name)}}`))
      .map((line) => line.split('\t')[0])
      .filter((pid): pid is string => pid?.startsWith('<') === true);
    if (pids.length > 0) {
      for (const pid of pids) await rabbitmqctl('close_connection', pid, 'tf test: connection dropped');
      return;
    }
    if (Date.now() > deadline) throw new Error(`No broker connection named ${name}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface QueueInfo {
  name: string;
  durable: boolean;
  auto_delete: boolean;
  consumers: number;
  messages: number;
}

export async function listQueues(): Promise<QueueInfo[]> {
  return JSON.parse(
    await rabbitmqctl('list_queues', 'name', 'durable', 'auto_delete', 'consumers', 'messages', '--formatter', 'json'),
  ) as QueueInfo[];
}

export interface ExchangeInfo {
  name: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
}

export async function listExchanges(): Promise<ExchangeInfo[]> {
  return JSON.parse(await rabbitmqctl('list_exchanges', 'name', 'type', 'durable', 'auto_delete', '--formatter', 'json')) as ExchangeInfo[];
}

/** How many broker connections have the client-provided name `name`. */
export async function connectionsNamed(name: string): Promise<number> {
  const out = await rabbitmqctl('list_connections', 'client_properties');
  return out.split('\n').filter((l) => l.includes(`{"connection_name",${JSON.stringify(name)}}`)).length;
}

/** The connection's negotiated heartbeat (seconds) per client-provided connection name. */
export async function heartbeatOf(name: string): Promise<number | undefined> {
  const out = await rabbitmqctl('list_connections', 'timeout', 'client_properties');
  const line = out.split('\n').find((l) => l.includes(`{"connection_name",${JSON.stringify(name)}}`));
  return line === undefined ? undefined : Number(line.split('\t')[0]);
}

/**
 * Records the exchanges and topics transports use, and deletes their queues and exchanges
 * afterwards (the testkit's `cleanup`), so durable, non-auto-delete test queues do not pile up.
 */
export class Topology {
  readonly #exchanges = new Set<string>();
  readonly #queues = new Set<string>();

  /** Wrap `t`'s publish and consume to remember what they touch. */
  track<T extends Transport>(t: T): T {
    const publish = t.publish.bind(t);
    const consume = t.consume.bind(t);
    const note = (exchange: unknown, topic: unknown): void => {
      if (typeof exchange === 'string' && typeof topic === 'string') this.note(exchange, topic);
    };
    Object.assign(t, {
      publish: (exchange: string, topic: string, ...rest: [string, ...unknown[]]) => {
        note(exchange, topic);
        return publish(exchange, topic, ...(rest as [string]));
      },
      consume: (exchange: string, topic: string, ...rest: unknown[]) => {
        note(exchange, topic);
        return consume(exchange, topic, ...(rest as [never]));
      },
    });
    return t;
  }

  note(exchange: string, topic: string): void {
    this.#exchanges.add(exchange);
    this.#queues.add(`${exchange}_${topic}`);
  }

  /** Delete every queue and exchange noted so far. */
  async cleanup(): Promise<void> {
    if (this.#queues.size === 0 && this.#exchanges.size === 0) return;
    const queues = [...this.#queues];
    const exchanges = [...this.#exchanges];
    this.#queues.clear();
    this.#exchanges.clear();
    const conn = await amqplib.connect(AMQP_URL);
    try {
      for (const q of queues) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        await ch.deleteQueue(q).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
      for (const e of exchanges) {
        const ch = await conn.createChannel();
        ch.on('error', () => undefined);
        await ch.deleteExchange(e).catch(() => undefined);
        await ch.close().catch(() => undefined);
      }
    } finally {
      await conn.close().catch(() => undefined);
    }
  }
}

/**
 * Whether the queue exists, asked with rabbitmqctl: unlike a passive declare, it does not count
 * as a use of the queue (which would renew an `x-expires` lease). Slow (an Erlang VM per call).
 */
export async function queueListed(queue: string): Promise<boolean> {
  return (await rabbitmqctl('list_queues', 'name')).split('\n').includes(queue);
}

let admin: Promise<amqplib.ChannelModel> | undefined;

/**
 * Whether the queue exists, asked with a passive declare (`checkQueue`) on a connection of its
 * own. Fast, but it renews an `x-expires` lease: for auto-delete queues (use `queueListed` otherwise).
 */
export async function queueExists(queue: string): Promise<boolean> {
  admin ??= amqplib.connect(AMQP_URL);
  const conn = await admin;
  const ch = await conn.createChannel();
  ch.on('error', () => undefined);
  try {
    await ch.checkQueue(queue);
    await ch.close().catch(() => undefined);
    return true;
  } catch (err) {
    if ((err as { code?: unknown }).code === 404) return false;
    throw err;
  }
}

/** Close the connection `queueExists` opened. */
export async function closeAdmin(): Promise<void> {
  const conn = admin;
  admin = undefined;
  if (conn) await (await conn).close().catch(() => undefined);
}
