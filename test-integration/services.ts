/**
 * What the tests on RabbitMQ, Redis and Python TaskFlow need, decided once per test file:
 * is RabbitMQ (Redis) reachable, does `/usr/bin/python3` import taskflow and kombu?
 *
 * Under CI=true the tests always run, so a missing broker or interpreter FAILS them
 * (`.ci/services` starts RabbitMQ and installs python3-taskflow); elsewhere they are skipped
 * with the reason in their name.
 */
import { spawnSync } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { beforeEach, describe } from 'vitest';
import { REDIS_URL, ping } from '../packages/transport-redis/test/available';

export const AMQP_URL = process.env['TF_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672//';
/** Debian's interpreter, where python3-taskflow is installed (not a pyenv `python3` on PATH). */
export const PYTHON = process.env['TF_PYTHON'] ?? '/usr/bin/python3';
const ciValue = process.env['CI'];
export const IN_CI = ciValue !== undefined && ciValue !== '' && ciValue !== 'false' && ciValue !== '0';

/** Whether something accepts a TCP connection at `url`'s host and port (AMQP's by default), within `timeoutMs`. */
export function canReach(url: string, timeoutMs = 1500): Promise<boolean> {
  let host = '127.0.0.1';
  let port = 5672;
  try {
    const parsed = new URL(url.split(';')[0]!);
    host = parsed.hostname || host;
    port = parsed.port ? Number(parsed.port) : parsed.protocol === 'amqps:' ? 5671 : 5672;
  } catch {
    /* the defaults */
  }
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function pythonHasTaskflow(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import taskflow, kombu'], { timeout: 30_000, stdio: 'ignore' });
  return r.status === 0;
}

export type Service = 'rabbitmq' | 'redis' | 'python-taskflow';

let rabbit: Promise<boolean> | undefined;
let redis: Promise<boolean> | undefined;
let python: boolean | undefined;

/** Which of `needs` are missing (each probed once per process). */
export async function missing(needs: readonly Service[]): Promise<string[]> {
  const out: string[] = [];
  if (needs.includes('rabbitmq') && !(await (rabbit ??= canReach(AMQP_URL))))
    out.push(`RabbitMQ at ${AMQP_URL.replace(/:[^:@/]*@/, ':***@')}`);
  if (needs.includes('redis') && !(await (redis ??= ping(REDIS_URL, 1_000))))
    out.push(`Redis at ${REDIS_URL.replace(/:[^:@/]*@/, ':***@')}`);
  if (needs.includes('python-taskflow') && !(python ??= pythonHasTaskflow())) out.push(`${PYTHON} with taskflow and kombu`);
  return out;
}

/**
 * `describe` for tests that need services: runs under CI whatever happens (and fails when a
 * service is missing), is skipped elsewhere when one is missing. Call with top-level await.
 */
export async function describeWith(needs: readonly Service[], name: string, fn: () => void): Promise<void> {
  const absent = await missing(needs);
  if (absent.length === 0) describe(name, fn);
  else if (IN_CI) {
    describe(name, () => {
      beforeEach(() => {
        throw new Error(`CI=true requires ${absent.join(' and ')} (see .ci/services)`);
      });
      fn();
    });
  } else describe.skip(`${name} (skipped: no ${absent.join(', no ')})`, fn);
}

/** A name no other test (or run) uses: exchanges are per test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
