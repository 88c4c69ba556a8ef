import { persistenceConformance } from '@tf/persistence-testkit';

persistenceConformance({ name: 'memory', connection: () => 'memory://conformance', reopen: true, locks: true });
