export * from './constants';
export {
  InvalidMessageError,
  MessageType,
  PYTHON_BASE_EXCEPTIONS,
  UnserializableValueError,
  type NotifyResponseBody,
  type RequestBody,
  type ResponseBody,
  type ResponseState,
} from './messages';
export * from './headers';
export { MAX_NESTING_DEPTH, NestingTooDeepError } from './limits';
export * from './signing-keys';
export {
  canonicalJson,
  SigningHeader,
  signMessage,
  verifyMessage,
  type SignatureRejection,
  type SignedEnvelope,
  type VerifyResult,
} from './signing';
export * from './signing-stats';
export * from './signed-transport';
export * from './inspect-headers';
