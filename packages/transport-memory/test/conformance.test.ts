import { replyPublishSuite, temporaryTopicsSuite, transportConformance } from '@tf/transport-testkit';
import type { ConformanceOptions } from '@tf/transport-testkit';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';

const options: ConformanceOptions = {
  name: 'memory',
  create: () => new MemoryTransport({ url: 'memory://u:s3cret@x', retryOptions: { intervalStartMs: 10 }, temporaryTopicExpiryMs: 1_000 }),
  password: 's3cret',
  dropConnection: (t) => memoryBroker.dropConnection(t),
  crash: (t) => memoryBroker.vanish(t),
  topicExists: (exchange, topic) => memoryBroker.hasTopic(exchange, topic),
  temporaryTopicExpiryMs: 1_000,
};
transportConformance(options);
replyPublishSuite(options);
temporaryTopicsSuite(options);
