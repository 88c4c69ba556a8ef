/**
 * A failed connection names its real cause (the broker's login refusal, a vhost it will not
 * open, TLS on one side only, refused, DNS). Certificate verification against a real TLS
 * RabbitMQ node: test-integration/tls.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ConnectFailureReason, TfError } from '@tf/transport';
import type { ConnectionFailedError } from '@tf/transport';
import { AmqpTransport } from '@tf/transport-amqp';
import { parseAmqpUrl } from '../src/url';
import { AMQP_URL, describeBroker } from './broker';

async function failure(url: string): Promise<ConnectionFailedError> {
  const t = new AmqpTransport({ url, connectTimeoutMs: 3_000, retryOptions: { maxRetries: 0 } });
  const error = await t.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  await t.close();
  expect(TfError.is(error, 'TF_TRANSPORT_CONNECTION_FAILED')).toBe(true);
  return error as ConnectionFailedError;
}

describe('amqp transport: the cause of a failed connection (no broker needed)', () => {
  it('connection refused, and an unknown host', async () => {
    expect(await failure('amqp://127.0.0.1:1//')).toMatchObject({ reason: ConnectFailureReason.Refused });
    const dns = await failure('amqp://tf-no-such-host.invalid//');
    expect(dns.reason).toBe(ConnectFailureReason.Dns);
    expect(dns.message).toMatch(/DNS lookup failed \(getaddrinfo \w+ tf-no-such-host\.invalid/);
  });
});

describeBroker('amqp transport: the cause of a failed connection, against RabbitMQ', () => {
  const { hostname, port } = parseAmqpUrl(AMQP_URL);
  const at = `${hostname}:${port ?? 5672}`;

  it('a wrong password: authentication failed, naming the user and not the password', async () => {
    const e = await failure(`amqp://guest:tf-wrong-p@ss@${at}//`);
    expect(e.reason).toBe(ConnectFailureReason.Auth);
    expect(e.message).toMatch(/authentication failed: the broker refused user 'guest' \(.*ACCESS.REFUSED/);
    expect(e.message).toContain(`amqp://guest:***@${at}//`);
    expect(e.message).not.toContain('tf-wrong');
  });

  it('a vhost that does not exist', async () => {
    const e = await failure(`amqp://guest:guest@${at}/tf-no-such-vhost`);
    expect(e.message).toMatch(/the broker refused to open vhost 'tf-no-such-vhost'/);
  });

  it('amqps:// to the plain port: the server does not speak TLS there', async () => {
    const e = await failure(`amqps://guest:guest@${at}//`);
    expect(e.reason).toBe(ConnectFailureReason.TlsMismatch);
    expect(e.message).toMatch(/TLS handshake failed: the server does not speak TLS on this port \(wrong version number.*use amqp:\/\//);
  });
});
