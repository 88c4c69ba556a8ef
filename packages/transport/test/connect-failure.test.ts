import { describe, expect, it } from 'vitest';
import { ConnectFailureReason, explainConnectFailure } from '@tf/transport';

function nodeError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('explainConnectFailure', () => {
  it.each([
    [
      nodeError('self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'),
      true,
      'certificate',
      /^TLS certificate verification failed \(self-signed certificate in certificate chain, SELF_SIGNED_CERT_IN_CHAIN\): give the CA/,
    ],
    [
      nodeError('unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'),
      true,
      'certificate',
      /unable to verify the first certificate/,
    ],
    [
      nodeError("Hostname/IP does not match certificate's altnames: Host: x.", 'ERR_TLS_CERT_ALTNAME_INVALID'),
      true,
      'certificate',
      /servername/,
    ],
    [
      nodeError(
        '809CC4ADE77F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/ssl/record/ssl3_record.c:350:',
        'ERR_SSL_WRONG_VERSION_NUMBER',
      ),
      true,
      'tls-mismatch',
      /^TLS handshake failed: the server does not speak TLS on this port \(wrong version number, ERR_SSL_WRONG_VERSION_NUMBER\); use redis:\/\//,
    ],
    [
      nodeError(
        'C0:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:x.c:1:',
        'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
      ),
      true,
      'tls-handshake',
      /^TLS handshake failed \(sslv3 alert handshake failure/,
    ],
    [
      nodeError('connect ECONNREFUSED 127.0.0.1:1', 'ECONNREFUSED'),
      false,
      'refused',
      /^connection refused \(connect ECONNREFUSED 127\.0\.0\.1:1\)/,
    ],
    [
      nodeError('getaddrinfo ENOTFOUND nowhere.invalid', 'ENOTFOUND'),
      false,
      'dns',
      /^DNS lookup failed \(getaddrinfo ENOTFOUND nowhere\.invalid\)/,
    ],
    [nodeError('getaddrinfo EAI_AGAIN broker', 'EAI_AGAIN'), false, 'dns', /EAI_AGAIN/],
    [nodeError('connect ETIMEDOUT', 'ETIMEDOUT'), true, 'timeout', /^no TLS handshake within the connect timeout/],
    [nodeError('connect ETIMEDOUT', 'ETIMEDOUT'), false, 'timeout', /^connect timed out/],
    [nodeError('write ECONNRESET', 'ECONNRESET'), false, 'closed', /use rediss:\/\//],
    [new Error('something else for redis://u:pw@host'), false, 'other', /^something else for redis:\/\/u:\*\*\*@host$/],
  ])('%s (tls: %s) -> %s', (error, tls, reason, message) => {
    const explained = explainConnectFailure(error, { tls, tlsSwitch: { on: 'rediss://', off: 'redis://' } });
    expect(explained.reason).toBe(reason);
    expect(explained.message).toMatch(message);
  });

  it('looks inside an AggregateError with no message of its own (a name with several addresses)', () => {
    const error = new AggregateError(
      [nodeError('connect ECONNREFUSED ::1:5672', 'ECONNREFUSED'), nodeError('connect ECONNREFUSED 127.0.0.1:5672', 'ECONNREFUSED')],
      '',
    );
    expect(explainConnectFailure(error, { tls: false }).reason).toBe(ConnectFailureReason.Refused);
  });
});
