// The example third-party transport (examples/third-party-transport) passes the suite.
import { transportConformance } from '@tf/transport-testkit';
import { ExampleTransport } from '../../../examples/third-party-transport/src/index';

transportConformance({
  name: 'example',
  create: () => new ExampleTransport({ leaseMs: 500, url: 'example://me:hunter2@table' }),
  password: 'hunter2',
  crash: (t) => (t as ExampleTransport).simulateCrash(),
});
