import { ConnectFailureReason, ConnectionFailedError, TfError, explainConnectFailure } from '@tf/transport';
import type { ConnectFailure } from '@tf/transport';
import type { AmqpEndpoint } from './url';

const TLS_SWITCH = { on: 'amqps:// (or the tls option)', off: 'amqp:// without the tls option' };

/**
 * Why opening a connection to `endpoint` failed, from amqplib's error: the broker's refusal of
 * the login (403 ACCESS_REFUSED) or of the vhost, else what Node's socket or TLS layer said
 * (see `explainConnectFailure`).
 */
export function explainAmqpConnectFailure(error: unknown, endpoint: AmqpEndpoint, tls: boolean): ConnectFailure {
  const text = error instanceof Error ? error.message : String(error);
  if (/ACCESS[-_]REFUSED|\b403\b/.test(text)) {
    return {
      reason: ConnectFailureReason.Auth,
      message: `authentication failed: the broker refused user '${endpoint.username}' (${text}); check the user and password in the URL (amqp://user:password@host:port/vhost)`,
    };
  }
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(text) || /NOT_ALLOWED|\b530\b/.test(text)) {
    return {
      reason: ConnectFailureReason.Other,
      message: `the broker refused to open vhost '${endpoint.vhost}' (${text}): does it exist, and may user '${endpoint.username}' use it?`,
    };
  }
  return explainConnectFailure(error, { tls, tlsSwitch: TLS_SWITCH });
}

/** A failed connection attempt as a `ConnectionFailedError` naming its cause; tf's own errors are kept as they are. */
export function connectFailed(error: unknown, endpoint: AmqpEndpoint, tls: boolean): Error {
  if (TfError.is(error)) return error;
  const { reason, message } = explainAmqpConnectFailure(error, endpoint, tls);
  return new ConnectionFailedError(reason, message, { cause: error });
}
