import type { FailureDict } from '@tf/core';

/** The events a conductor's `notifier` emits, by name. */
export const ConductorEvent = {
  /** The conductor claimed a job. */
  Claimed: 'job_claimed',
  /** The job's flow started running (the factory built it, its flow detail was opened and locked). */
  Started: 'job_started',
  /** The job's flow finished and the job was consumed (`state`: SUCCESS, REVERTED or FAILURE). */
  Consumed: 'job_consumed',
  /** The conductor gave the claim back (`reason`). */
  Abandoned: 'job_abandoned',
  /** The job cannot run here: abandoned, noted, and not claimed again by this conductor (`reason`). */
  Refused: 'job_refused',
  /** The job names a flow this conductor does not serve: noted, never claimed (`reason`). */
  Skipped: 'job_skipped',
  /** The claim was lost while the job ran (another conductor may hold it): the run was cancelled. */
  Lost: 'job_lost',
} as const;
export type ConductorEventName = (typeof ConductorEvent)[keyof typeof ConductorEvent];

export interface ConductorEventDetails {
  readonly uuid: string;
  /** The flow name the job gives. */
  readonly flow: string;
  /** This conductor's owner id. */
  readonly conductor: string;
  /** When it happened (ms since the epoch). */
  readonly at: number;
  readonly state?: 'SUCCESS' | 'REVERTED' | 'FAILURE';
  readonly failure?: FailureDict;
  readonly reason?: string;
  /** How many times the job had been claimed, this claim included (2 and more: a resumption). */
  readonly claims?: number;
}
