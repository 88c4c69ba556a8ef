import { ConnectFailureReason, explainConnectFailure } from '@tf/transport';
import { errorMessage } from './errors';
import type { ConnectFailure } from '@tf/transport';

const TLS_SWITCH = { on: 'rediss:// (or the tls option)', off: 'redis:// without the tls option' };

/**
 * Why a connection to Redis failed, from the last 'error' ioredis emitted: the server's
 * refusal of the credentials (WRONGPASS, NOAUTH, AUTH without a password set), else what
 * Node's socket or TLS layer said (see `explainConnectFailure`).
 */
export function explainRedisConnectFailure(error: unknown, tls: boolean): ConnectFailure {
  const text = errorMessage(error);
  if (/^WRONGPASS\b|^ERR invalid password/.test(text)) {
    return {
      reason: ConnectFailureReason.Auth,
      message: `authentication failed (${text}): check the user and password in the URL (redis://user:password@host:port)`,
    };
  }
  if (/^NOAUTH\b/.test(text)) {
    return {
      reason: ConnectFailureReason.Auth,
      message: `the server requires a password (${text}): give it in the URL, redis://:password@host:port or redis://user:password@host:port`,
    };
  }
  if (/^ERR AUTH .*without any password configured/i.test(text)) {
    return {
      reason: ConnectFailureReason.Auth,
      message: `the URL gives a password but the server has none set (${text}): drop it from the URL, or set requirepass on the server`,
    };
  }
  return explainConnectFailure(error, { tls, tlsSwitch: TLS_SWITCH });
}
