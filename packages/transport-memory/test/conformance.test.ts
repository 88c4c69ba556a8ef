import { transportConformance } from '@tf/transport-testkit';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';
transportConformance({
  name: 'memory',
  create: () => new MemoryTransport({ url: 'memory://u:s3cret@x', retryOptions: { intervalStartMs: 10 } }),
  password: 's3cret',
  dropConnection: (t) => memoryBroker.dropConnection(t),
  crash: (t) => memoryBroker.vanish(t),
});
