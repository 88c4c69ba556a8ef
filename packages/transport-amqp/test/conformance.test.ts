import { replyPublishSuite, temporaryTopicsSuite, transportConformance } from '@tf/transport-testkit';
import type { ConformanceOptions } from '@tf/transport-testkit';
import { AmqpTransport } from '@tf/transport-amqp';
import { AMQP_URL, Topology, closeConnectionNamed, describeBroker, queueListed } from './broker';

// The conformance suite needs queues that outlive their last consumer (a closed or cancelled
// consumer's unsettled messages must reach the next one): the all-tf configuration. The
// TaskFlow-compatible default (auto-delete) is checked in amqp.test.ts and temporary.test.ts.
// Temporary topics here are the x-expires kind.
const topology = new Topology();
describeBroker('amqp transport on RabbitMQ', () => {
  const options: ConformanceOptions = {
    name: 'amqp',
    create: () =>
      topology.track(
        new AmqpTransport({
          url: AMQP_URL,
          queueOptions: { durable: true, autoDelete: false },
          temporaryTopicExpiryMs: 1_000,
          retryOptions: { intervalStartMs: 100, intervalStepMs: 100, intervalMaxMs: 500, maxRetries: 30 },
        }),
      ),
    cleanup: () => topology.cleanup(),
    dropConnection: (t) => closeConnectionNamed((t as AmqpTransport).connectionName),
    crash: (t) => (t as AmqpTransport).destroy(),
    // Not a passive declare: that would renew the x-expires lease under test.
    topicExists: (exchange, topic) => queueListed(`${exchange}_${topic}`),
    temporaryTopicExpiryMs: 1_000,
  };
  transportConformance(options);
  replyPublishSuite(options);
  temporaryTopicsSuite(options);
});
