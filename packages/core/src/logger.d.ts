export { childLogger, silentLogger, type Logger } from '@tf/transport';
