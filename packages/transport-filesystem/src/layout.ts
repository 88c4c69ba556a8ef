import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * The on-disk layout (see README):
 *
 * ```
 * <folder>/<exchange>/<topic>/<id>.<n>.msg            ready; n = deliveries so far
 * <folder>/<exchange>/<topic>/.tmp/<...>.tmp          being written by a publisher
 * <folder>/<exchange>/<topic>/.claimed/<id>.<n>~<host>~<pid>~<token>~<leaseMs>.claim
 * <folder>/<exchange>/<topic>/.corrupt/<name> (+ <name>.reason.json)
 * <folder>/<exchange>/<topic>/.consumers/<host>~<pid>~<token>~<n>   one per live consumer
 * <folder>/<exchange>/<topic>/.temporary   a temporary topic's lease (JSON owner; mtime renewed)
 * ```
 *
 * Exchange and topic names never start a path segment with `.` in a way that collides:
 * the special folders live inside a topic folder, where only `*.msg` files are messages.
 */
export const MSG_EXT = '.msg';
export const CLAIM_EXT = '.claim';
export const TMP_DIR = '.tmp';
export const CLAIMED_DIR = '.claimed';
export const CORRUPT_DIR = '.corrupt';
export const CONSUMERS_DIR = '.consumers';
export const TEMPORARY_LEASE = '.temporary';

/** The folders of one topic. */
export interface TopicPaths {
  readonly dir: string;
  readonly tmp: string;
  readonly claimed: string;
  readonly corrupt: string;
  readonly consumers: string;
  readonly lease: string;
}

export function topicPaths(root: string, exchange: string, topic: string): TopicPaths {
  const dir = join(root, exchange, topic);
  return {
    dir,
    tmp: join(dir, TMP_DIR),
    claimed: join(dir, CLAIMED_DIR),
    corrupt: join(dir, CORRUPT_DIR),
    consumers: join(dir, CONSUMERS_DIR),
    lease: join(dir, TEMPORARY_LEASE),
  };
}

let sequence = 0;

/**
 * A new message id whose lexical order is publish order within a process (and by
 * millisecond across processes): `<13-digit ms time>-<6-digit counter>-<10 hex random>`.
 */
export function newMessageId(now = Date.now()): string {
  sequence = (sequence + 1) % 1_000_000;
  return `${String(now).padStart(13, '0')}-${String(sequence).padStart(6, '0')}-${randomBytes(5).toString('hex')}`;
}

/** `<id>.<deliveries>.msg`: a ready message delivered `deliveries` times before. */
export function readyName(id: string, deliveries: number): string {
  return `${id}.${deliveries}${MSG_EXT}`;
}

export interface ReadyName {
  readonly id: string;
  /** How many times it was delivered before (0 for a fresh message). */
  readonly deliveries: number;
}

const COUNTED = /^(.+)\.(\d{1,9})$/;

/**
 * Parse a ready message's file name; `undefined` for anything that is not a message
 * (other extensions, hidden names, names with `~`). A `*.msg` dropped in by hand without a
 * delivery count counts as never delivered.
 */
export function parseReadyName(name: string): ReadyName | undefined {
  if (!name.endsWith(MSG_EXT) || name.startsWith('.') || name.includes('~') || name.includes('/')) return undefined;
  const stem = name.slice(0, -MSG_EXT.length);
  if (stem.length === 0) return undefined;
  const m = COUNTED.exec(stem);
  if (m) return { id: m[1] as string, deliveries: Number(m[2]) };
  return { id: stem, deliveries: 0 };
}

/** Who holds a claim: host, process, connection token, and the lease it renews under. */
export interface ClaimOwner {
  readonly host: string;
  readonly pid: number;
  readonly token: string;
  readonly leaseMs: number;
}

/** This machine's name as it appears in claim file names (`[A-Za-z0-9-]`, at most 63). */
export const HOST: string =
  hostname()
    .replace(/[^A-Za-z0-9-]/g, '-')
    .slice(0, 63) || 'host';

/** A new connection token: unique across processes and machines (random). */
export function newToken(): string {
  return randomBytes(6).toString('hex');
}

/** `<id>.<deliveries>~<host>~<pid>~<token>~<leaseMs>.claim`, deliveries counting this one. */
export function claimName(id: string, deliveries: number, owner: ClaimOwner): string {
  return `${id}.${deliveries}~${owner.host}~${owner.pid}~${owner.token}~${owner.leaseMs}${CLAIM_EXT}`;
}

export interface ParsedClaim extends ReadyName {
  readonly owner: ClaimOwner;
}

/** Parse a claim file name; `undefined` when it is not one of ours. */
export function parseClaimName(name: string): ParsedClaim | undefined {
  if (!name.endsWith(CLAIM_EXT)) return undefined;
  const parts = name.slice(0, -CLAIM_EXT.length).split('~');
  if (parts.length !== 5) return undefined;
  const [stem, host, pid, token, lease] = parts as [string, string, string, string, string];
  const m = COUNTED.exec(stem);
  if (!m || !/^\d{1,10}$/.test(pid) || !/^\d{1,12}$/.test(lease) || host === '' || token === '') return undefined;
  return {
    id: m[1] as string,
    deliveries: Number(m[2]),
    owner: { host, pid: Number(pid), token, leaseMs: Number(lease) },
  };
}

/** `<host>~<pid>~<token>~<n>`: the marker of consumer `n` of a connection, in `.consumers/`. */
export function consumerMarkerName(owner: ClaimOwner, n: number): string {
  return `${owner.host}~${owner.pid}~${owner.token}~${n}`;
}

/** The owner a consumer marker names (its `leaseMs` unknown: 0); `undefined` when not one of ours. */
export function parseConsumerMarker(name: string): ClaimOwner | undefined {
  const parts = name.split('~');
  if (parts.length !== 4) return undefined;
  const [host, pid, token] = parts as [string, string, string, string];
  if (host === '' || token === '' || !/^\d{1,10}$/.test(pid)) return undefined;
  return { host, pid: Number(pid), token, leaseMs: 0 };
}
