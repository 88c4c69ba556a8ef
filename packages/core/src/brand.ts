export { ERROR_BRAND, TRANSPORT_BRAND, hasBrand } from '@tf/transport';

/** Brands of core's own classes; see `hasBrand` for why `Symbol.for` and not `instanceof`. */
export const TASK_BRAND = Symbol.for('tf.task');
export const RETRY_BRAND = Symbol.for('tf.retry');
export const FLOW_BRAND = Symbol.for('tf.flow');
export const FAILURE_BRAND = Symbol.for('tf.failure');
export const LIVE_BACKEND_BRAND = Symbol.for('tf.live-backend');
