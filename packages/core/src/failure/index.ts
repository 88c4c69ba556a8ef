export * from './dict';
export * from './failure';
export { MAX_FAILURE_CAUSE_DEPTH, TRUNCATED_CAUSES_TYPE, truncateFailureCauses } from './truncate';
