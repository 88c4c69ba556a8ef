import type { PersistenceConformanceOptions } from './options';
import { batchSuite } from './suites/batch';
import { locksSuite } from './suites/locks';
import { logbooksSuite } from './suites/logbooks';
import { reopenSuite } from './suites/reopen';
import { roundTripSuite } from './suites/round-trip';
import { schemaSuite } from './suites/schema';
import { valuesSuite } from './suites/values';

/**
 * Register every persistence conformance suite with vitest, at the top level of a test file:
 *
 * ```ts
 * import { persistenceConformance } from '@tf/persistence-testkit';
 * persistenceConformance({ name: 'mongo', connection: () => 'mongodb://127.0.0.1/tf-test', reopen: true, locks: true });
 * ```
 *
 * Suites a backend does not support (`reopen: false`, `locks: false`, no `schemaCases`) are left out.
 */
export function persistenceConformance(options: PersistenceConformanceOptions): void {
  roundTripSuite(options);
  batchSuite(options);
  logbooksSuite(options);
  reopenSuite(options);
  locksSuite(options);
  schemaSuite(options);
  valuesSuite(options);
}
