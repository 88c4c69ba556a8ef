import type { ConformanceOptions } from './options';
import { autoAckSuite } from './suites/auto-ack';
import { closeSuite } from './suites/close';
import { competingConsumersSuite } from './suites/competing-consumers';
import { deliverySuite } from './suites/delivery';
import { lifecycleSuite } from './suites/lifecycle';
import { prefetchSuite } from './suites/prefetch';
import { reconnectSuite } from './suites/reconnect';
import { settleSuite } from './suites/settle';

/**
 * Register every conformance suite with vitest: the transport contract of `@tf/transport`, in
 * executable form. Call it at the top level of a test file:
 *
 * ```ts
 * import { transportConformance } from '@tf/transport-testkit';
 * transportConformance({ name: 'sqs', create: () => new SqsTransport({ url }) });
 * ```
 *
 * Each clause is also exported as its own suite (`lifecycleSuite`, `deliverySuite`...), taking
 * the same options, to run them one by one.
 */
export function transportConformance(options: ConformanceOptions): void {
  lifecycleSuite(options);
  deliverySuite(options);
  settleSuite(options);
  competingConsumersSuite(options);
  autoAckSuite(options);
  prefetchSuite(options);
  closeSuite(options);
  reconnectSuite(options);
}
