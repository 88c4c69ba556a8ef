export { ERROR_BRAND, TRANSPORT_BRAND, hasBrand } from '@tf/transport';
/** Brands of core's own classes; see `hasBrand` for why `Symbol.for` and not `instanceof`. */
export declare const TASK_BRAND: unique symbol;
export declare const RETRY_BRAND: unique symbol;
export declare const FLOW_BRAND: unique symbol;
export declare const FAILURE_BRAND: unique symbol;
