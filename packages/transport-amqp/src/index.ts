export { AmqpTransport, transport } from './transport';
export { AMQP_OPTION_NAMES } from './options';
export type { AmqpDeclareOptions, AmqpTlsOptions, AmqpTransportInit, AmqpTransportOptions } from './options';
export { AmqpErrorCode, AmqpTransportError } from './errors';
export { DEFAULT_AMQP_URL } from './url';
export { AMQPLIB_VERSION, VERSION } from './version';
