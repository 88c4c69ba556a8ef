import { BaseTransport, temporaryTopicExpiryMs } from '@tf/transport';
import type {
  ConsumerSpec,
  PublishSpec,
  RawDelivery,
  Subscription,
  TransportCapabilities,
  TransportFactory,
  WireProperties,
} from '@tf/transport';
import { getMemoryBroker } from './broker';
import type { MemoryBroker } from './broker';
import { MEMORY_OPTION_NAMES, resolveLatencyMs } from './options';
import type { MemoryTransportInit, MemoryTransportOptions } from './options';
import { VERSION } from './version';

const CAPABILITIES: TransportCapabilities = Object.freeze({
  crossProcess: false,
  persistent: false,
  // Only a dropped connection injected with `memoryBroker.dropConnection()` ever needs it.
  reconnect: true,
  deliveryCount: true,
  publishWithoutCreate: true,
  temporaryTopics: true,
});

/**
 * The in-process transport: every instance in the process shares one broker
 * (`memoryBroker`), so an engine and workers that each select `transport: 'memory'` find
 * each other. The reference implementation of the transport contract and a test double.
 */
export class MemoryTransport extends BaseTransport {
  readonly name = 'memory';
  readonly capabilities = CAPABILITIES;
  protected readonly driver = 'memory';
  protected readonly driverVersion = VERSION;
  readonly #broker: MemoryBroker = getMemoryBroker();
  readonly #latencyMs: number;
  readonly #temporaryTopicExpiryMs: number;

  constructor(options: MemoryTransportInit = {}) {
    super({ ...options, url: options.url ?? 'memory://' });
    this.#latencyMs = resolveLatencyMs(options.latencyMs);
    this.#temporaryTopicExpiryMs = temporaryTopicExpiryMs('memory', options.temporaryTopicExpiryMs);
  }

  protected async doConnect(): Promise<void> {
    this.#broker.connect(this, {
      lost: (error) => this.connectionLost(error),
      temporaryTopicExpiryMs: this.#temporaryTopicExpiryMs,
    });
  }

  protected async doClose(): Promise<void> {
    this.#broker.disconnect(this);
  }

  protected async doPublish(exchange: string, topic: string, body: string, properties: WireProperties, spec: PublishSpec): Promise<void> {
    if (!this.#broker.publish(this, exchange, topic, body, properties, this.#latencyMs, spec)) {
      this.logger.debug({ exchange, topic }, 'memory transport: dropped a message to a topic that does not exist (createTopic: false)');
    }
  }

  protected async doConsume(spec: ConsumerSpec, deliver: (raw: RawDelivery) => void): Promise<Subscription> {
    const broker = this.#broker;
    const consumer = broker.addConsumer(this, spec, (message) =>
      deliver({
        body: message.body,
        properties: message.properties,
        redelivered: message.deliveries > 1,
        deliveryCount: message.deliveries,
        ack: () => broker.ack(consumer, message.id),
        reject: (requeue) => broker.reject(consumer, message.id, requeue),
      }),
    );
    return { stop: () => broker.stopConsumer(consumer), release: () => broker.removeConsumer(consumer) };
  }
}

/** Selected as `transport: 'memory'` or `url: 'memory://'`. */
export const transport: TransportFactory<MemoryTransportOptions> = {
  name: 'memory',
  schemes: ['memory'],
  options: MEMORY_OPTION_NAMES,
  create: ({ url, options, retryOptions, logger }) => {
    const { pollingInterval: _ignored, ...rest } = options;
    return new MemoryTransport({ url, retryOptions, logger, ...rest });
  },
};
