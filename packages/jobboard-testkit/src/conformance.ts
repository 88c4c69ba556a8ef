import type { JobboardConformanceOptions } from './options';
import { claimSuite } from './suites/claim';
import { claimNextSuite } from './suites/claim-next';
import { endingSuite } from './suites/ending';
import { eventsSuite } from './suites/events';
import { expirySuite } from './suites/expiry';
import { hostileSuite } from './suites/hostile';
import { killedHolderSuite } from './suites/killed-holder';
import { notesSuite } from './suites/notes';
import { outcomeSuite } from './suites/outcome';
import { postSuite } from './suites/post';
import { validationSuite } from './suites/validation';

/**
 * Register every jobboard conformance suite with vitest, at the top level of a test file:
 *
 * ```ts
 * import { jobboardConformance } from '@tf/jobboard-testkit';
 * jobboardConformance({ name: 'etcd', open: (o) => resolveJobboard({ connection: 'etcd://127.0.0.1:2379', ...o }) });
 * ```
 *
 * Without `corrupt` the hostile-data suite is left out; without `claimer`, the killed-holder suite.
 */
export function jobboardConformance(options: JobboardConformanceOptions): void {
  postSuite(options);
  claimSuite(options);
  if (options.claimNext !== false) claimNextSuite(options);
  endingSuite(options);
  expirySuite(options);
  notesSuite(options);
  outcomeSuite(options);
  eventsSuite(options);
  validationSuite(options);
  hostileSuite(options);
  killedHolderSuite(options);
}
