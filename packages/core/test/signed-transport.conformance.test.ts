import { signedTransport, type SignedTransport } from '@tf/core';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';
import { transportConformance } from '@tf/transport-testkit';

const KEY = 'conformance-signing-key-0123456789abcdef';
const inner = (t: unknown) => (t as SignedTransport).inner;

// The transport contract holds through the wrapper: everything published is signed, so everything delivered verifies.
transportConformance({
  name: 'signed memory',
  create: () => signedTransport(new MemoryTransport({ url: 'memory://u:s3cret@x', retryOptions: { intervalStartMs: 10 } }), KEY),
  password: 's3cret',
  dropConnection: (t) => memoryBroker.dropConnection(inner(t)),
  crash: (t) => memoryBroker.vanish(inner(t)),
});
