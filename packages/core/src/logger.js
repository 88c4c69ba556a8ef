export { childLogger, silentLogger } from '@tf/transport';
//# sourceMappingURL=logger.js.map