export { NatsTransport, transport } from './transport';
export {
  DEFAULT_LEASE_MS,
  DEFAULT_MAX_AGE_MS,
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_MSGS,
  DEFAULT_NATS_URL,
  DEFAULT_PULL_EXPIRES_MS,
  NATS_OPTION_NAMES,
} from './options';
export type { NatsTlsOptions, NatsTransportInit, NatsTransportOptions } from './options';
export { NatsErrorCode, NatsTransportError } from './errors';
export { NATS_CLIENT_VERSION, VERSION } from './version';
