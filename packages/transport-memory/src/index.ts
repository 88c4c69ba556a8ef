export { MemoryTransport, transport } from './transport';
export { MEMORY_OPTION_NAMES } from './options';
export type { MemoryTransportInit, MemoryTransportOptions } from './options';
export type { MemoryBroker, TopicStats } from './broker';
export { VERSION } from './version';
import { getMemoryBroker } from './broker';

/**
 * The process-wide in-memory broker, for tests: fault injection (`dropNext`,
 * `duplicateNext`, `delayNext`, `vanish`, `dropConnection`), `stats()` and `reset()`.
 */
export const memoryBroker = getMemoryBroker();
