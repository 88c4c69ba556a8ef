import { ConnectFailureReason } from './errors';
import { redactUri } from './redact';

/** What a transport knows about the attempt that failed. */
export interface ConnectContext {
  /** Whether the attempt used TLS. */
  readonly tls: boolean;
  /** How to switch TLS on and off in this transport's words, for the plain/TLS mismatch advice. */
  readonly tlsSwitch?: { readonly on: string; readonly off: string } | undefined;
}

/** A connect failure explained: its kind, and a one-line message that names the cause. */
export interface ConnectFailure {
  readonly reason: ConnectFailureReason;
  readonly message: string;
}

/** Node's (OpenSSL's) codes for a certificate that did not verify. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'CERT_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_FAIL', 'EAI_NODATA']);
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/** The `code` of an error (Node's system and TLS errors carry one), when it is a string. */
export function errorCode(err: unknown): string | undefined {
  const code = err !== null && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** The message of an error on one line, its OpenSSL location prefix (`8093...:error:0A00010B:SSL routines:`) dropped. */
function plainMessage(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  if (text === '' && err instanceof AggregateError) text = err.errors.map(plainMessage).join('; ');
  if (text === '') text = errorCode(err) ?? (err instanceof Error ? err.name : 'unknown error');
  const ssl = /(?:^|\s)[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:([^:]+)/.exec(text);
  if (ssl?.[1]) text = ssl[1];
  return redactUri(text.replace(/\s*\n\s*/g, ' ').trim());
}

function detail(err: unknown): string {
  const message = plainMessage(err);
  const code = errorCode(err);
  return code === undefined || message.includes(code) ? message : `${message}, ${code}`;
}

/** The first error of an AggregateError with no message of its own (Node's connect to a name with several addresses). */
function innermost(err: unknown): unknown {
  if (err instanceof AggregateError && err.message === '' && err.errors.length > 0) return err.errors[0];
  return err;
}

/**
 * Explain a failed connection attempt from the error Node or the driver gave: certificate
 * verification, a TLS handshake failure or a plain/TLS mismatch, a refused connection, a
 * failed DNS lookup, a timeout, a reset. Each message keeps the original error's text and
 * code, in parentheses, and says what to check. Authentication is the transports' own
 * (each protocol says it differently); anything unknown is `other` with the error's text.
 */
export function explainConnectFailure(error: unknown, context: ConnectContext): ConnectFailure {
  const err = innermost(error);
  const code = errorCode(err) ?? '';
  const text = plainMessage(err);
  const why = detail(err);
  const tlsOn = context.tlsSwitch?.on ?? 'a TLS URL or the tls option';
  const tlsOff = context.tlsSwitch?.off ?? 'a plain URL';
  if (CERTIFICATE_CODES.has(code)) {
    const advice =
      code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH'
        ? "connect by a name the certificate holds, or set the tls option's servername"
        : "give the CA that signed the server's certificate as the tls option's ca";
    return { reason: ConnectFailureReason.Certificate, message: `TLS certificate verification failed (${why}): ${advice}` };
  }
  if (/wrong version number|packet length too long|unknown protocol|http request/i.test(text)) {
    return {
      reason: ConnectFailureReason.TlsMismatch,
      message: `TLS handshake failed: the server does not speak TLS on this port (${why}); use ${tlsOff}, or the server's TLS port`,
    };
  }
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_') || code === 'EPROTO' || /SSL routines|handshake failure/i.test(text)) {
    return { reason: ConnectFailureReason.TlsHandshake, message: `TLS handshake failed (${why})` };
  }
  if (code === 'ECONNREFUSED') {
    return {
      reason: ConnectFailureReason.Refused,
      message: `connection refused (${why}): nothing listens there; is the broker running, and are the host and port right?`,
    };
  }
  if (DNS_CODES.has(code)) {
    return { reason: ConnectFailureReason.Dns, message: `DNS lookup failed (${why}): is the host name right?` };
  }
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(text)) {
    return context.tls
      ? {
          reason: ConnectFailureReason.Timeout,
          message:
            `no TLS handshake within the connect timeout (${why}): a plain (non-TLS) port does not answer a TLS client, ` +
            `so check that the port is the server's TLS port (or use ${tlsOff}); else the server is slow or unreachable`,
        }
      : { reason: ConnectFailureReason.Timeout, message: `connect timed out (${why}): is the server reachable, and the port right?` };
  }
  if (RESET_CODES.has(code) || /closed abruptly|socket closed|connection is closed/i.test(text)) {
    return {
      reason: ConnectFailureReason.Closed,
      message: context.tls
        ? `the server closed the connection during the handshake (${why})`
        : `the server closed the connection during the handshake (${why}): if this is a TLS port, use ${tlsOn}`,
    };
  }
  return { reason: ConnectFailureReason.Other, message: why };
}
