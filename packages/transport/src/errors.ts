import { TfError } from './tf-error';

/** The codes of transport errors; branch on them with `TfError.is(e, code)`. */
export const TransportErrorCode = {
  /**
   * No registered factory and no installed package serve a transport name. For a first-party
   * name the message says what to install; for another, the closest known name comes first.
   */
  NotInstalled: 'TF_TRANSPORT_NOT_INSTALLED',
  /**
   * Neither a transport nor a URL was given where one is required (the worker-based engine,
   * the worker, `tf-worker`, `resolveTransport()`); the message lists the ways to give one.
   */
  NotGiven: 'TF_TRANSPORT_NOT_GIVEN',
  /** The package was found but failed to load, or exports no transport factory. */
  LoadFailed: 'TF_TRANSPORT_LOAD_FAILED',
  /** A URL whose scheme no known transport serves. */
  UnknownScheme: 'TF_TRANSPORT_UNKNOWN_SCHEME',
  /** A transport option (or retry option) the transport does not accept. */
  UnknownOption: 'TF_TRANSPORT_UNKNOWN_OPTION',
  /** `publish`/`consume` before `connect()` or after `close()`. */
  NotConnected: 'TF_TRANSPORT_NOT_CONNECTED',
  /** The connection could not be (re-)established within the retry options. */
  ConnectionFailed: 'TF_TRANSPORT_CONNECTION_FAILED',
  /** A message over the transport's `maxMessageBytes`, refused on publish (`MessageTooLargeError`). */
  MessageTooLarge: 'TF_MESSAGE_TOO_LARGE',
} as const;
export type TransportErrorCode = (typeof TransportErrorCode)[keyof typeof TransportErrorCode];

/** A transport failure; `code` is one of `TransportErrorCode`. */
export class TransportError extends TfError {
  constructor(code: TransportErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** Why a connection attempt failed, as far as the transport could tell: `ConnectionFailedError.reason`. */
export const ConnectFailureReason = {
  /** The broker refused the user or password (Redis WRONGPASS/NOAUTH, AMQP 403 ACCESS_REFUSED). */
  Auth: 'auth',
  /** TLS: the server's certificate did not verify (unknown CA, self-signed, expired, wrong host name). */
  Certificate: 'certificate',
  /** TLS on one side only: a TLS client on a plain port, or a plain client on a TLS port. */
  TlsMismatch: 'tls-mismatch',
  /** Another TLS handshake failure (protocol version, cipher, client certificate...). */
  TlsHandshake: 'tls-handshake',
  /** Nothing listens at the host and port (ECONNREFUSED). */
  Refused: 'refused',
  /** The host name does not resolve (ENOTFOUND, EAI_AGAIN). */
  Dns: 'dns',
  /** No answer within the connect timeout. */
  Timeout: 'timeout',
  /** The server closed or reset the connection during the handshake, for no reason it gave. */
  Closed: 'closed',
  /** None of the above. */
  Other: 'other',
} as const;
export type ConnectFailureReason = (typeof ConnectFailureReason)[keyof typeof ConnectFailureReason];

/**
 * A connection could not be (re-)established: code `TF_TRANSPORT_CONNECTION_FAILED`. The
 * message names the cause; `reason` says which kind it is, for code that branches on it.
 */
export class ConnectionFailedError extends TransportError {
  readonly reason: ConnectFailureReason;
  constructor(reason: ConnectFailureReason, message: string, options?: { cause?: unknown }) {
    super(TransportErrorCode.ConnectionFailed, message, options);
    this.reason = reason;
  }
}

/**
 * The package for a transport name is missing. `packages` are the names tried, first-party
 * first. `suggestion` is the known transport name closest to a misspelled one, if any.
 */
export class TransportNotInstalledError extends TransportError {
  readonly transport: string;
  readonly packages: readonly string[];
  readonly suggestion: string | undefined;
  constructor(transport: string, packages: readonly string[], message: string, suggestion?: string) {
    super(TransportErrorCode.NotInstalled, message);
    this.transport = transport;
    this.packages = packages;
    this.suggestion = suggestion;
  }
}

/**
 * Neither `transport` nor `url` was given, and there is no default: the in-process memory
 * transport would reach nothing in another process. `owner` is who needed one
 * (`'Engine'`, `'Worker'`, `'tf-worker'`), when known.
 */
export class TransportNotGivenError extends TransportError {
  readonly owner: string | undefined;
  constructor(message: string, owner?: string) {
    super(TransportErrorCode.NotGiven, message);
    this.owner = owner;
  }
}

/** An option the transport does not accept; `allowed` lists the ones it does. */
export class UnknownTransportOptionError extends TransportError {
  readonly option: string;
  readonly allowed: readonly string[];
  constructor(transport: string, option: string, allowed: readonly string[], what = 'option') {
    const list = allowed.length > 0 ? allowed.join(', ') : '(none)';
    super(TransportErrorCode.UnknownOption, `Transport '${transport}' does not accept the ${what} '${option}'. Allowed: ${list}.`);
    this.option = option;
    this.allowed = allowed;
  }
}
