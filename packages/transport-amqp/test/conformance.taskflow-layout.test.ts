import { replyPublishSuite, temporaryTopicsSuite, transportConformance } from '@tf/transport-testkit';
import type { ConformanceOptions } from '@tf/transport-testkit';
import { afterAll } from 'vitest';
import { AmqpTransport } from '@tf/transport-amqp';
import { AMQP_URL, Topology, closeAdmin, closeConnectionNamed, describeBroker, queueExists } from './broker';

// The conformance suite on the defaults: Python TaskFlow's layout, non-durable auto-delete
// queues. RabbitMQ deletes such a queue with its last consumer, and every message in it, so
// `topicsOutliveConsumers: false`: the clauses that need a queue to outlive its last consumer
// run in conformance.test.ts (durable, non-auto-delete queues), the rest run here too.
const topology = new Topology();
afterAll(closeAdmin);
describeBroker('amqp transport on RabbitMQ, TaskFlow layout (auto-delete queues)', () => {
  const options: ConformanceOptions = {
    name: 'amqp-taskflow-layout',
    create: () =>
      topology.track(
        new AmqpTransport({
          url: AMQP_URL,
          retryOptions: { intervalStartMs: 100, intervalStepMs: 100, intervalMaxMs: 500, maxRetries: 30 },
        }),
      ),
    topicsOutliveConsumers: false,
    cleanup: () => topology.cleanup(),
    dropConnection: (t) => closeConnectionNamed((t as AmqpTransport).connectionName),
    crash: (t) => (t as AmqpTransport).destroy(),
    // Auto-delete queues have no x-expires lease that a passive declare would renew.
    topicExists: (exchange, topic) => queueExists(`${exchange}_${topic}`),
    // Auto-delete temporary queues go with their consumer's connection at once; this only
    // bounds the wait of the crashed-consumer test.
    temporaryTopicExpiryMs: 1_000,
  };
  transportConformance(options);
  replyPublishSuite(options);
  temporaryTopicsSuite(options);
});
