import { HOST } from './layout';
import type { ClaimOwner } from './layout';

interface Registry {
  /** Tokens of connections in this process that are open now. */
  readonly live: Set<string>;
  /** Every token this process ever made (open or not). */
  readonly known: Set<string>;
}

// Shared by every copy of this package in the process.
const KEY = Symbol.for('tf.transport-filesystem.liveness');

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  holder[KEY] ??= { live: new Set(), known: new Set() };
  return holder[KEY];
}

/** A connection of this process starts holding claims under `token`. */
export function markLive(token: string): void {
  const r = registry();
  r.known.add(token);
  r.live.add(token);
}

/** The connection that held `token` is gone (closed, lost, crashed): its claims are free to take. */
export function markDead(token: string): void {
  registry().live.delete(token);
}

/** True when process `pid` on this machine certainly does not exist. */
export function pidIsDead(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    // EPERM: it exists, owned by someone else.
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * What can be told about a claim's holder without looking at the file:
 * - `dead`: a connection of this very process that is gone, or a process of this machine
 *   that no longer exists;
 * - `alive`: an open connection of this very process;
 * - `unknown`: another process still running, or another machine; the lease decides.
 */
export function ownerLiveness(owner: ClaimOwner): 'dead' | 'alive' | 'unknown' {
  if (owner.host !== HOST) return 'unknown';
  if (owner.pid === process.pid) {
    const r = registry();
    // A token this process never made: another process with our pid (another container
    // sharing the folder and the host name); only the lease can tell.
    if (!r.known.has(owner.token)) return 'unknown';
    return r.live.has(owner.token) ? 'alive' : 'dead';
  }
  return pidIsDead(owner.pid) ? 'dead' : 'unknown';
}
