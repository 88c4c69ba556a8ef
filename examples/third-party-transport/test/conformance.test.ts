import { transportConformance } from '@tf/transport-testkit';
import { ExampleTransport } from '../src/index';

transportConformance({
  name: 'example',
  create: () => new ExampleTransport({ leaseMs: 500, url: 'example://me:hunter2@table' }),
  password: 'hunter2',
  crash: (t) => (t as ExampleTransport).simulateCrash(),
});
