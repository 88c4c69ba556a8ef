/**
 * The one place these tests decide whether the real NATS server is there. Without CI a test
 * file may skip when it is unreachable; under CI=true an unreachable NATS fails the tests.
 */
import { connect } from 'node:net';

export const NATS_URL = process.env['TF_NATS_URL'] ?? 'nats://127.0.0.1:4222';

/** Whether a NATS server at `url` sends its INFO line within `timeoutMs`. */
export function natsAnswers(url: string, timeoutMs = 1_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 4222) });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('data', (d) => done(d.toString().startsWith('INFO ')));
    socket.once('error', () => done(false));
  });
}

const ci = process.env['CI'];
export const IN_CI = ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0';

/** True when NATS answers at `url`. False (the caller skips) only outside CI; under CI it throws. */
export async function natsAvailable(url = NATS_URL): Promise<boolean> {
  if (await natsAnswers(url)) return true;
  if (IN_CI) throw new Error(`NATS is not reachable at ${url}, and CI is set: the NATS tests must run (start nats-server -js first).`);
  return false;
}
