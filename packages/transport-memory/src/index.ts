export { MemoryTransport, transport } from './transport';
export type { MemoryTransportOptions } from './transport';
export { MemoryBroker, getMemoryBroker } from './broker';
export type { BrokerConsumer, StoredMessage, TopicStats, ConnectionHooks } from './broker';
import { getMemoryBroker } from './broker';

/**
 * The process-wide in-memory broker, for tests: fault injection (`dropNext`,
 * `duplicateNext`, `delayNext`, `vanish`, `dropConnection`), `stats()` and `reset()`.
 */
export const memoryBroker = getMemoryBroker();
