/**
 * A failed connection names its real cause, in the thrown error and in the warn line of each
 * failed attempt that is retried (ioredis itself only says 'Connection is closed.').
 * Certificate verification against a real TLS Redis: test-integration/tls.test.ts.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectFailureReason, TfError } from '@tf/transport';
import type { ConnectionFailedError, Logger } from '@tf/transport';
import { RedisTransport } from '@tf/transport-redis';
import { explainRedisConnectFailure } from '../src/connect-failure';
import { REDIS_URL, redisAvailable } from './available';

interface Line {
  readonly level: string;
  readonly obj: unknown;
  readonly msg: string | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  const at =
    (level: string) =>
    (obj: unknown, msg?: string): void => {
      lines.push({ level, obj, msg });
    };
  return { trace: at('trace'), debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Connect once (no retry) and return the error it fails with. */
async function failure(
  url: string,
  options: Partial<ConstructorParameters<typeof RedisTransport>[0]> = {},
): Promise<ConnectionFailedError> {
  const t = new RedisTransport({ url, connectTimeoutMs: 2_000, retryOptions: { maxRetries: 0 }, ...options });
  const error = await t.connect().then(
    () => undefined,
    (e: unknown) => e,
  );
  await t.close();
  expect(TfError.is(error, 'TF_TRANSPORT_CONNECTION_FAILED')).toBe(true);
  return error as ConnectionFailedError;
}

describe('redis transport: the cause of a failed connection (no server needed)', () => {
  it('connection refused', async () => {
    const e = await failure('redis://127.0.0.1:1');
    expect(e.reason).toBe(ConnectFailureReason.Refused);
    expect(e.message).toMatch(
      /^Transport 'redis' could not connect to redis:\/\/127\.0\.0\.1:1: connection refused \(connect ECONNREFUSED/,
    );
    expect(e.message).not.toMatch(/Connection is closed/);
  });

  it('an unknown host (DNS)', async () => {
    const e = await failure('redis://tf-no-such-host.invalid:6379');
    expect(e.reason).toBe(ConnectFailureReason.Dns);
    expect(e.message).toMatch(/DNS lookup failed \(.*tf-no-such-host\.invalid/);
  });

  it('logs the cause at warn on each attempt that is retried, and the password nowhere', async () => {
    const lines: Line[] = [];
    const t = new RedisTransport({
      url: 'redis://app:s3cret@127.0.0.1:1',
      logger: recordingLogger(lines),
      retryOptions: { intervalStartMs: 10, intervalStepMs: 0, maxRetries: 2 },
    });
    await expect(t.connect()).rejects.toThrow(/after 3 attempts: connection refused/);
    const warns = lines.filter((l) => l.level === 'warn');
    expect(warns.map((l) => l.msg)).toEqual([
      expect.stringMatching(
        /connection attempt 1 failed \(connection refused \(connect ECONNREFUSED 127\.0\.0\.1:1\).*\); retrying in 10 ms$/,
      ),
      expect.stringMatching(/connection attempt 2 failed \(connection refused/),
    ]);
    expect(JSON.stringify(lines.map((l) => [l.msg, l.level === 'debug' ? '' : l.obj]))).not.toContain('s3cret');
  });

  it('names authentication for WRONGPASS and NOAUTH replies', () => {
    const wrong = explainRedisConnectFailure(new Error('WRONGPASS invalid username-password pair or user is disabled.'), false);
    expect(wrong).toMatchObject({ reason: 'auth', message: expect.stringMatching(/^authentication failed \(WRONGPASS/) });
    const missing = explainRedisConnectFailure(new Error('NOAUTH Authentication required.'), false);
    expect(missing).toMatchObject({ reason: 'auth', message: expect.stringMatching(/^the server requires a password \(NOAUTH/) });
  });

  describe('over TLS to a local TLS endpoint that is not Redis', () => {
    let server: Server | undefined;
    afterEach(() => {
      server?.close();
      server = undefined;
    });
    it('a plain client on a TLS port: the server closes, and the message says to use rediss://', async () => {
      const cert = readFileSync(new URL('./fixtures/tls-cert.pem', import.meta.url));
      const key = readFileSync(new URL('./fixtures/tls-key.pem', import.meta.url));
      server = createServer({ cert, key }, (socket) => socket.destroy());
      server.on('tlsClientError', () => undefined);
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const port = (server.address() as { port: number }).port;
      const e = await failure(`redis://127.0.0.1:${port}`);
      expect(e.reason).toBe(ConnectFailureReason.Closed);
      expect(e.message).toMatch(/closed the connection during the handshake .*use rediss:\/\//);
    });
  });
});

const available = await redisAvailable();

describe.skipIf(!available)('redis transport: the cause of a failed connection, against Redis', () => {
  it('a user the server does not know: authentication failed (WRONGPASS)', async () => {
    const url = new URL(REDIS_URL);
    const e = await failure(`redis://tf-no-such-user:pw@${url.host}`);
    expect(e.reason).toBe(ConnectFailureReason.Auth);
    expect(e.message).toMatch(/authentication failed \(WRONGPASS/);
    expect(e.message).not.toContain(':pw@');
  });

  it('a TLS client on the plain port: no TLS handshake, and the message says which port to check', async () => {
    const url = new URL(REDIS_URL);
    const e = await failure(`rediss://${url.host}`, { connectTimeoutMs: 500 });
    expect(e.reason).toBe(ConnectFailureReason.Timeout);
    expect(e.message).toMatch(/no TLS handshake within the connect timeout .*plain \(non-TLS\) port/);
  });
});
