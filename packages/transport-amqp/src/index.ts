export { AmqpTransport, AMQP_TRANSPORT_OPTIONS, queueName, transport } from './transport';
export type {
  AmqpDeclareOptions,
  AmqpFactoryOptions,
  AmqpTlsOptions,
  AmqpTransportConfig,
  AmqpTransportOptions,
} from './transport';
export { AmqpErrorCode, AmqpTransportError } from './errors';
export { DEFAULT_AMQP_URL, parseAmqpUrl, parseAmqpUrls } from './url';
export type { AmqpEndpoint } from './url';
export { AMQPLIB_VERSION, VERSION } from './version';
