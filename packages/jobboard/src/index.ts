export * from './types';
export * from './errors';
export { resolveJobboard, registerJobboard, jobboardPackageFor, JOBBOARD_PACKAGES, type ResolveJobboardOptions } from './resolve';
export type { JobboardImporter } from './resolve';
export { post, type PostJobOptions } from './post';
export { isJobboard } from './is-jobboard';
export { BaseJobboard, JOBBOARD_BRAND, OUTCOME_RECHECK_MS } from './base';
export { MemoryJobboard, corruptMemoryJob } from './memory-board';
export { ClaimRenewals } from './renewals';
export { resolveJobboardOptions, isBoardName, COMMON_OPTION_KEYS, type ResolvedJobboardOptions } from './options';
export {
  decodeJobRecord,
  decodeNotes,
  decodeOutcome,
  encodeJobRecord,
  encodeOutcome,
  newRecord,
  toJob,
  withNote,
  type JobLive,
  type JobRecord,
} from './record';
export { checkDetails, checkName, checkOutcome, checkReason, checkUuid, JOB_PRIORITIES, OUTCOME_STATES, priorityRank } from './validate';
export { findNonJson, MAX_JSON_DEPTH } from './json-check';
export {
  DEFAULT_BOARD,
  DEFAULT_CLAIM_TTL_MS,
  DEFAULT_MAX_DETAILS_BYTES,
  DEFAULT_OUTCOME_TTL_MS,
  MAX_NAME_CHARS,
  MAX_NOTES,
  MAX_REASON_CHARS,
  RECORD_OVERHEAD_BYTES,
  positiveIntegerOption,
} from './limits';
export { redactUrl } from './redact';
export { parseEvent, encodeEvent, MAX_EVENT_CHARS } from './events';
