import { ConnectFailureReason, explainConnectFailure } from '@tf/transport';
import type { ConnectFailure } from '@tf/transport';
import { errorMessage } from './errors';

const TLS_SWITCH = { on: 'tls:// (or the tls option)', off: 'nats:// without the tls option' };

/** Why a connection to NATS failed: the server's refusal of the credentials, else what Node's socket or TLS layer said. */
export function explainNatsConnectFailure(error: unknown, tls: boolean): ConnectFailure {
  const text = errorMessage(error);
  if (/authorization violation|authentication|user authentication expired/i.test(text)) {
    return {
      reason: ConnectFailureReason.Auth,
      message: `authentication failed (${text}): check the user and password or token in the URL (nats://user:password@host:4222), or the credsFile`,
    };
  }
  if (/tls required|secure connection.*required/i.test(text)) {
    return { reason: ConnectFailureReason.TlsMismatch, message: `the server requires TLS (${text}): use tls:// or the tls option` };
  }
  return explainConnectFailure(error, { tls, tlsSwitch: TLS_SWITCH });
}
