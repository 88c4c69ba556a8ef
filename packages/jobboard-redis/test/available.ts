/**
 * The one place tests decide whether the real Redis is there. Without CI a test file may
 * skip when it is unreachable; under CI=true an unreachable Redis fails the tests (never a skip).
 */
import { connect } from 'node:net';

export const REDIS_URL = process.env.TF_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Whether a Redis at `url` answers PING (or asks for a password) within `timeoutMs`. */
export function ping(url: string, timeoutMs: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
    socket.once('error', () => done(false));
  });
}

/**
 * True when Redis answers at `REDIS_URL`. False (so the caller skips) only outside CI; under
 * `CI=true` it throws, failing the test file.
 */
export async function redisAvailable(url = REDIS_URL): Promise<boolean> {
  if (await ping(url, 1_000)) return true;
  if (process.env.CI && process.env.CI !== 'false' && process.env.CI !== '0') {
    throw new Error(`Redis is not reachable at ${url}, and CI is set: the Redis tests must run (start redis-server first).`);
  }
  return false;
}
