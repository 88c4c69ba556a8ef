import { BaseTransport, InvalidArgumentError } from '@tf/transport';
import type {
  BaseTransportOptions,
  ConsumerSpec,
  RawDelivery,
  Subscription,
  TransportCapabilities,
  TransportFactory,
  WireProperties,
} from '@tf/transport';
import { getMemoryBroker } from './broker';
import type { MemoryBroker } from './broker';
import { VERSION } from './version';

/** `transportOptions` of the memory transport. */
export interface MemoryTransportOptions {
  /** Every message this transport publishes reaches its topic this much later (simulated network latency). */
  latencyMs?: number;
  /**
   * Accepted and ignored, so configurations written for TaskFlow (whose kombu memory
   * transport polls) work unchanged: deliveries here are pushed, never polled.
   */
  pollingInterval?: number;
}

const CAPABILITIES: TransportCapabilities = Object.freeze({
  crossProcess: false,
  persistent: false,
  // Only a dropped connection injected with `memoryBroker.dropConnection()` ever needs it.
  reconnect: true,
  deliveryCount: true,
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

  constructor(options: BaseTransportOptions & MemoryTransportOptions = {}) {
    super({ ...options, url: options.url ?? 'memory://' });
    const latency = options.latencyMs ?? 0;
    if (typeof latency !== 'number' || !Number.isFinite(latency) || latency < 0) {
      throw new InvalidArgumentError(`memory transport: latencyMs must be a number >= 0, got ${String(latency)}.`);
    }
    this.#latencyMs = latency;
  }

  protected async doConnect(): Promise<void> {
    this.#broker.connect(this, { lost: (error) => this.connectionLost(error) });
  }

  protected async doClose(): Promise<void> {
    this.#broker.disconnect(this);
  }

  protected async doPublish(exchange: string, topic: string, body: string, properties: WireProperties): Promise<void> {
    this.#broker.publish(this, exchange, topic, body, properties, this.#latencyMs);
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
  options: ['latencyMs', 'pollingInterval'],
  create: ({ url, options, retryOptions, logger }) => {
    const { pollingInterval: _ignored, ...rest } = options;
    return new MemoryTransport({ url, retryOptions, logger, ...rest });
  },
};
