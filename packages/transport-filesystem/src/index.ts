export { FilesystemTransport, transport } from './transport';
export { DEFAULT_FOLDER, DEFAULT_LEASE_MS, FILESYSTEM_OPTION_NAMES } from './options';
export type { FilesystemTransportInit, FilesystemTransportOptions, FilesystemTransportSeedOptions } from './options';
export { FilesystemErrorCode, FilesystemTransportError } from './errors';
export { VERSION } from './version';
