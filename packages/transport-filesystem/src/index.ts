export { FilesystemTransport, transport } from './transport';
export type { FilesystemTransportInit } from './transport';
export { DEFAULT_FOLDER, DEFAULT_LEASE_MS, OPTION_NAMES, folderFromUrl } from './options';
export type { FilesystemTransportOptions, FilesystemTransportSeedOptions } from './options';
export { FilesystemErrorCode, FilesystemTransportError } from './errors';
export { checkMessage } from './consumer';
export type { MessageFile } from './consumer';
export {
  CLAIMED_DIR,
  CORRUPT_DIR,
  TMP_DIR,
  claimName,
  parseClaimName,
  parseReadyName,
  readyName,
  topicPaths,
} from './layout';
export type { ClaimOwner, ParsedClaim, ReadyName, TopicPaths } from './layout';
export { VERSION } from './version';
