/**
 * The BullMQ 5 worker settings the stalled-job failover benchmark compares.
 *
 * - default: nothing passed, so BullMQ's defaults apply: lockDuration 30000, stalledInterval
 *   30000, maxStalledCount 1, lockRenewTime = lockDuration / 2.
 * - tightest: the smallest values that still leave a live worker safe. BullMQ 5 only checks
 *   stalledInterval > 0 and maxStalledCount >= 0 (Worker constructor); lockDuration and
 *   lockRenewTime are not validated, but the lock manager renews every lockRenewTime (its timer
 *   fires every lockRenewTime / 2 and extends locks older than lockRenewTime / 2), so
 *   lockRenewTime must stay well below lockDuration or a live job loses its lock and is processed
 *   twice. The stalled check is shared by all workers of a queue (a `stalled-check` key with a
 *   TTL of stalledInterval), and a job is moved back to wait only by a check that finds it both in
 *   the `stalled` set (marked by the previous check) and without a lock.
 */
import type { WorkerOptions } from 'bullmq';

export type StalledSettings = 'default' | 'tightest';

export const stalledSettings: Record<StalledSettings, Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'lockRenewTime'>> = {
  default: {},
  tightest: { lockDuration: 1000, stalledInterval: 1000, lockRenewTime: 500 },
};
