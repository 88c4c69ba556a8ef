/**
 * Brokers of a test's own, for fault tests: a `redis-server`, a `nats-server` or a second RabbitMQ node, started
 * on free ports, that the test restarts (losing what was not durable) and stops. The shared
 * services (Redis on 127.0.0.1:6379, the RabbitMQ node rabbit@localhost on 5672) are never
 * used, restarted or stopped here.
 *
 * Each broker runs under a small `sh` supervisor in a process group of its own: `stop()` (and a
 * timeout) kills the whole group, a `process.on('exit')` handler kills what is left when the test
 * process exits, and the supervisor stops the broker by itself when the test process dies
 * without running that handler (SIGKILL): it waits for the end of a pipe only the test process
 * holds.
 *
 * RabbitMQ: `/usr/sbin/rabbitmq-server` on Debian is a wrapper that, run as root, `su`s to the
 * rabbitmq user (HOME /var/lib/rabbitmq, so the shared node's Erlang cookie and a folder we
 * cannot own). The scripts it wraps, in /usr/lib/rabbitmq/bin (or `TF_RABBITMQ_BIN_DIR`), run
 * as whoever calls them: the node is started as the test's user with HOME set to its temp
 * folder (an Erlang cookie of its own), its own config file (the shared one listens on 5672),
 * its own rabbitmq-env.conf (the shared one names the node rabbit@localhost) and no plugins (the
 * management plugin would want 15672).
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants as fsConstants, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { type AddressInfo, connect as netConnect, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { ping } from '../packages/transport-redis/test/available';
import { canReach } from './services';

export interface OwnBroker {
  /** `redis://127.0.0.1:<port>` or `amqp://guest:guest@127.0.0.1:<port>//` (vhost `/`, as in services.ts). */
  readonly url: string;
  readonly port: number;
  /**
   * Stops the broker (its state is lost: Redis keeps nothing on disk; RabbitMQ loses non-durable
   * queues and exchanges, and closes every connection) and starts it again on the same port;
   * resolves when it accepts connections again, `downMs` (default 0) after it stopped accepting
   * them. Bounded by a timeout; rejects with a clear error.
   */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Stops it for good and removes its temp folder. Idempotent. Bounded. */
  stop(): Promise<void>;
}

/**
 * TLS for an own broker: PEM files of the server's certificate (for 127.0.0.1 and localhost),
 * its key, and the CA that signed it (see ./tls-material.ts). Clients are not asked for a
 * certificate.
 */
export interface OwnBrokerTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string;
}

/** An own broker that also (RabbitMQ) or only (Redis) listens for TLS. */
export interface OwnTlsBroker extends OwnBroker {
  /** `rediss://127.0.0.1:<tlsPort>` or `amqps://guest:guest@127.0.0.1:<tlsPort>//`. */
  readonly tlsUrl: string;
  readonly tlsPort: number;
}

/** The `redis-server` binary (PATH lookup unless `TF_REDIS_SERVER` names one). */
export const REDIS_SERVER = process.env['TF_REDIS_SERVER'] ?? 'redis-server';
/** The `nats-server` binary (PATH lookup unless `TF_NATS_SERVER` names one). */
export const NATS_SERVER = process.env['TF_NATS_SERVER'] ?? 'nats-server';
/** Where `rabbitmq-server` and `rabbitmqctl` are, run directly (not Debian's `su` wrappers in /usr/sbin). */
export const RABBITMQ_BIN_DIR = process.env['TF_RABBITMQ_BIN_DIR'] ?? '/usr/lib/rabbitmq/bin';

const REDIS_START_TIMEOUT_MS = 10_000;
const NATS_START_TIMEOUT_MS = 10_000;
const NATS_STOP_GRACE_MS = 5_000;
const REDIS_STOP_GRACE_MS = 5_000;
const RABBIT_START_TIMEOUT_MS = 60_000;
/** stop_app, start_app, and if these fail, a restart of the node process. */
const RABBIT_RESTART_TIMEOUT_MS = 90_000;
const RABBITMQCTL_TIMEOUT_MS = 30_000;
/** After SIGKILL, how long the supervisor may take to be reaped. */
const KILL_TIMEOUT_MS = 10_000;
/** A free port can be taken between our probe and the broker's bind: tries of a first start. */
const START_ATTEMPTS = 3;

/** Whether `redis-server` can be run (asked once). */
export function canStartOwnRedis(): boolean {
  return (redisOk ??= spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0);
}
let redisOk: boolean | undefined;

/** Whether RabbitMQ's scripts are there (`rabbitmq-server` and `rabbitmqctl` in {@link RABBITMQ_BIN_DIR}). */
export function canStartOwnRabbit(): boolean {
  try {
    accessSync(join(RABBITMQ_BIN_DIR, 'rabbitmq-server'), fsConstants.X_OK);
    accessSync(join(RABBITMQ_BIN_DIR, 'rabbitmqctl'), fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `count` distinct ports free on 127.0.0.1 right now (listened on with port 0, then closed). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: ReturnType<typeof createServer>[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => (s.listening ? s.close(() => resolve()) : resolve()))));
  }
}

/** Whether something accepts a TCP connection on 127.0.0.1:`port` (within `timeoutMs`). */
export function acceptsConnections(port: number, timeoutMs = 1_000): Promise<boolean> {
  return canReach(`tcp://127.0.0.1:${port}`, timeoutMs);
}

// ---------------------------------------------------------------------------------------------
// Supervised children

/**
 * `sh -c SUPERVISOR name cmd args...`: runs `cmd args...` with stdin from /dev/null, forwards
 * SIGTERM/SIGINT/SIGHUP to it, exits with its status. A watcher reads the supervisor's stdin (a
 * pipe whose other end only the test process holds): at its end (the test process is gone)
 * the broker gets SIGTERM, and 20 s later the whole process group SIGKILL.
 */
const SUPERVISOR = `
exec 3<&0 0</dev/null
"$@" 3<&- &
broker=$!
trap 'kill -s TERM "$broker" 2>/dev/null' TERM INT HUP
(
  trap - TERM INT HUP
  while read -r _ <&3; do :; done
  kill -s TERM "$broker" 2>/dev/null
  sleep 20
  kill -s KILL 0
) &
watcher=$!
exec 3<&-
wait "$broker"
code=$?
while kill -0 "$broker" 2>/dev/null; do
  wait "$broker"
  code=$?
done
kill "$watcher" 2>/dev/null
exit "$code"
`;

interface Supervised {
  readonly child: ChildProcess;
  /** Resolves once the supervisor exited (never rejects). */
  readonly exited: Promise<void>;
  isRunning(): boolean;
  /** The last 16 KB of its stdout and stderr. */
  output(): string;
  describeExit(): string;
}

const OUTPUT_TAIL = 16_384;

function supervise(command: string, args: readonly string[], options: { env: NodeJS.ProcessEnv; cwd: string }): Supervised {
  const child = spawn('sh', ['-c', SUPERVISOR, 'tf-own-broker', command, ...args], {
    cwd: options.cwd,
    env: options.env,
    detached: true, // a process group of its own: killed as one, untouched by the terminal's ^C
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  const append = (chunk: Buffer): void => {
    out += chunk.toString();
    if (out.length > 2 * OUTPUT_TAIL) out = out.slice(-OUTPUT_TAIL);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  child.stdin!.on('error', () => undefined); // EPIPE once the supervisor is gone
  let running = child.pid !== undefined;
  let exitText = 'has not exited';
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error) => {
      running = false;
      exitText = `could not be started (${error.message})`;
      resolve();
    });
    child.once('exit', (code, signal) => {
      running = false;
      exitText = signal ? `was killed by ${signal}` : `exited with ${code}`;
      resolve();
    });
  });
  // Neither the child nor its pipes keep the test process alive: the 'exit' handler cleans up.
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as Socket | null)?.unref?.();
  return {
    child,
    exited,
    isRunning: () => running,
    output: () => out.slice(-OUTPUT_TAIL),
    describeExit: () => exitText,
  };
}

function killGroup(s: Supervised | undefined, signal: NodeJS.Signals): void {
  const pid = s?.child.pid;
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    /* the group is gone */
  }
}

function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), Math.max(0, ms));
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * SIGTERM (when `graceMs` > 0), SIGKILL to the whole group after `graceMs` (and to whatever of
 * it outlived the supervisor); resolves once the supervisor exited and none of `ports` accepts
 * connections any more (a killed beam.smp can still hold its sockets for a few ms after the
 * supervisor is gone).
 */
async function terminate(s: Supervised, what: string, graceMs: number, ports: readonly number[]): Promise<void> {
  if (s.isRunning() && graceMs > 0) {
    s.child.kill('SIGTERM');
    await within(s.exited, graceMs);
  }
  killGroup(s, 'SIGKILL');
  const deadline = Date.now() + KILL_TIMEOUT_MS;
  if (!(await within(s.exited, KILL_TIMEOUT_MS))) {
    throw new Error(`${what} (pid ${s.child.pid}) did not exit within ${KILL_TIMEOUT_MS} ms of SIGKILL`);
  }
  killGroup(s, 'SIGKILL');
  for (const port of ports) {
    while (await acceptsConnections(port, 200)) {
      if (Date.now() > deadline)
        throw new Error(`${what}: 127.0.0.1:${port} still accepts connections ${KILL_TIMEOUT_MS} ms after SIGKILL`);
      await sleep(20);
    }
  }
}

/** What the 'exit' handler cleans up: the current supervisor of each live broker and its folder. */
interface Owned {
  current: Supervised | undefined;
  readonly dir: string;
}
const live = new Set<Owned>();
let exitHandlerInstalled = false;

function own(owned: Owned): void {
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.on('exit', () => {
      for (const o of live) {
        killGroup(o.current, 'SIGKILL');
        try {
          rmSync(o.dir, { recursive: true, force: true });
        } catch {
          /* best effort */
        }
      }
    });
  }
  live.add(owned);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `ready` every 100 ms until it is true; rejects when `s` exits first or at `deadline`
 * (with `what`, the reason and the end of the broker's output).
 */
async function until(s: Supervised, what: string, deadline: number, ready: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (!s.isRunning()) throw new Error(`${what}: the broker ${s.describeExit()}. Its output:\n${s.output()}`);
    if (await ready()) {
      if (s.isRunning()) return;
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`${what}: timed out. The broker's output:\n${s.output()}`);
    await sleep(100);
  }
}

/** Serialises restart and stop (a stop waits for a restart in progress: both are bounded). */
function serial(): <T>(op: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(op: () => Promise<T>): Promise<T> => {
    const result = tail.then(op, op);
    tail = result.catch(() => undefined);
    return result;
  };
}

function brokerEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(RABBITMQ_|ERL_)/.test(key)) env[key] = value; // none of the shared node's settings
  }
  return { ...env, ...extra };
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

// ---------------------------------------------------------------------------------------------
// Redis

/** Whether a Redis speaking TLS on 127.0.0.1:`port` answers PING, checking its certificate against `ca`. */
function tlsPing(port: number, ca: Buffer, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('secureConnect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
    socket.once('error', () => done(false));
  });
}

/**
 * Starts `redis-server` on a free port of 127.0.0.1, in the foreground, with no persistence
 * (`--save "" --appendonly no`) and a temp folder as its `--dir`. Resolves once it answers PING.
 * With `tls`, it listens for TLS only (`--port 0 --tls-port <port>`, clients not asked for a
 * certificate) and `url` is `rediss://`.
 */
export async function startOwnRedis(): Promise<OwnBroker>;
export async function startOwnRedis(options: { tls: OwnBrokerTls }): Promise<OwnTlsBroker>;
export async function startOwnRedis(options: { tls?: OwnBrokerTls } = {}): Promise<OwnBroker | OwnTlsBroker> {
  const { tls } = options;
  const ca = tls ? readFileSync(tls.caFile) : undefined;
  const dir = await mkdtemp(join(tmpdir(), 'tf-own-redis-'));
  const owned: Owned = { current: undefined, dir };
  own(owned);
  let port = 0;
  const launch = async (what: string, timeoutMs: number): Promise<void> => {
    const listen = tls
      ? [
          ...['--port', '0', '--tls-port', String(port), '--tls-cert-file', tls.certFile, '--tls-key-file', tls.keyFile],
          ...['--tls-ca-cert-file', tls.caFile, '--tls-auth-clients', 'no'],
        ]
      : ['--port', String(port)];
    const args = [...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no'];
    const s = supervise(REDIS_SERVER, args, { env: brokerEnv({}), cwd: dir });
    owned.current = s;
    try {
      await until(s, what, Date.now() + timeoutMs, () => (ca ? tlsPing(port, ca, 1_000) : ping(`redis://127.0.0.1:${port}`, 1_000)));
    } catch (error) {
      await terminate(s, 'redis-server', 0, []).catch(() => undefined);
      throw error;
    }
  };
  try {
    for (let attempt = 1; ; attempt++) {
      [port] = (await freePorts(1)) as [number];
      try {
        await launch(`redis-server did not start on 127.0.0.1:${port} within ${REDIS_START_TIMEOUT_MS} ms`, REDIS_START_TIMEOUT_MS);
        break;
      } catch (error) {
        if (attempt >= START_ATTEMPTS || !/Address already in use/i.test(errorText(error))) throw error;
      }
    }
  } catch (error) {
    live.delete(owned);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped: Promise<void> | undefined;
  const run = serial();
  const url = `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`;
  return {
    url,
    port,
    ...(tls ? { tlsUrl: url, tlsPort: port } : {}),
    restart: ({ downMs = 0 } = {}) =>
      run(async () => {
        if (stopped) throw new Error(`The own Redis at ${url} was stopped: it cannot be restarted.`);
        const s = owned.current!;
        await terminate(s, 'redis-server', REDIS_STOP_GRACE_MS, [port]);
        await sleep(downMs);
        await launch(`redis-server did not start again on 127.0.0.1:${port} within ${REDIS_START_TIMEOUT_MS} ms`, REDIS_START_TIMEOUT_MS);
      }),
    stop: () =>
      (stopped ??= run(async () => {
        try {
          if (owned.current) await terminate(owned.current, 'redis-server', REDIS_STOP_GRACE_MS, [port]);
        } finally {
          live.delete(owned);
          await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        }
      })),
  };
}

// ---------------------------------------------------------------------------------------------
// NATS

/** Whether `nats-server` can be run (asked once). */
export function canStartOwnNats(): boolean {
  return (natsOk ??= spawnSync(NATS_SERVER, ['--version'], { stdio: 'ignore', timeout: 10_000 }).status === 0);
}
let natsOk: boolean | undefined;

/** Whether a NATS server on 127.0.0.1:`port` sends its INFO line within `timeoutMs`. */
function natsInfo(port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('data', (d) => done(d.toString().startsWith('INFO ') && d.toString().includes('"jetstream":true')));
    socket.once('error', () => done(false));
  });
}

/**
 * Starts `nats-server -js` on a free port of 127.0.0.1, its JetStream store in a temp folder.
 * Resolves once it sends an INFO that says JetStream is on. Unlike the Redis here, it keeps its
 * streams on disk: `restart()` stops it (SIGTERM) and starts it again on the same port and the
 * same store, so what it held (file-stored streams, consumers, unacked messages) survives.
 * `args` are given to the server as well (`--user`/`--pass`, `--tls`...).
 */
export async function startOwnNats(options: { args?: readonly string[] } = {}): Promise<OwnBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'tf-own-nats-'));
  const owned: Owned = { current: undefined, dir };
  own(owned);
  let port = 0;
  const launch = async (what: string): Promise<void> => {
    const args = ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', join(dir, 'store'), ...(options.args ?? [])];
    const s = supervise(NATS_SERVER, args, { env: brokerEnv({}), cwd: dir });
    owned.current = s;
    try {
      await until(s, what, Date.now() + NATS_START_TIMEOUT_MS, () => natsInfo(port, 1_000));
    } catch (error) {
      await terminate(s, 'nats-server', 0, []).catch(() => undefined);
      throw error;
    }
  };
  try {
    for (let attempt = 1; ; attempt++) {
      [port] = (await freePorts(1)) as [number];
      try {
        await launch(`nats-server did not start on 127.0.0.1:${port} within ${NATS_START_TIMEOUT_MS} ms`);
        break;
      } catch (error) {
        if (attempt >= START_ATTEMPTS || !/address already in use/i.test(errorText(error))) throw error;
      }
    }
  } catch (error) {
    live.delete(owned);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let stopped: Promise<void> | undefined;
  const run = serial();
  const url = `nats://127.0.0.1:${port}`;
  return {
    url,
    port,
    restart: ({ downMs = 0 } = {}) =>
      run(async () => {
        if (stopped) throw new Error(`The own NATS at ${url} was stopped: it cannot be restarted.`);
        await terminate(owned.current!, 'nats-server', NATS_STOP_GRACE_MS, [port]);
        await sleep(downMs);
        await launch(`nats-server did not start again on 127.0.0.1:${port} within ${NATS_START_TIMEOUT_MS} ms`);
      }),
    stop: () =>
      (stopped ??= run(async () => {
        try {
          if (owned.current) await terminate(owned.current, 'nats-server', NATS_STOP_GRACE_MS, [port]);
        } finally {
          live.delete(owned);
          await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        }
      })),
  };
}

// ---------------------------------------------------------------------------------------------
// RabbitMQ

/**
 * Starts a second RabbitMQ node, `tf-fault-<random>@localhost`, listening for AMQP on a free port
 * of 127.0.0.1 (its Erlang distribution on another), with every file in a temp folder and no
 * plugins. Resolves once `rabbitmqctl await_startup` says it booted and the AMQP port accepts
 * connections (some 5 s). `restart()` is `rabbitmqctl stop_app` + `start_app` (the Erlang VM
 * stays up; the AMQP listener closes, every connection is closed with 320 CONNECTION_FORCED,
 * non-durable queues and exchanges are deleted, durable ones and persistent messages stay),
 * falling back to a restart of the node process if rabbitmqctl fails. `stop()` kills the node
 * (SIGKILL: its folder is deleted anyway). With `tls`, it also listens for AMQP over TLS on a
 * third free port (`listeners.ssl.default`, clients not asked for a certificate): `tlsUrl`.
 */
export async function startOwnRabbit(): Promise<OwnBroker>;
export async function startOwnRabbit(options: { tls: OwnBrokerTls }): Promise<OwnTlsBroker>;
export async function startOwnRabbit(options: { tls?: OwnBrokerTls } = {}): Promise<OwnBroker | OwnTlsBroker> {
  const { tls } = options;
  const dir = await mkdtemp(join(tmpdir(), 'tf-own-rabbit-'));
  const owned: Owned = { current: undefined, dir };
  own(owned);
  const node = `tf-fault-${randomBytes(4).toString('hex')}@localhost`;
  const serverScript = join(RABBITMQ_BIN_DIR, 'rabbitmq-server');
  const ctlScript = join(RABBITMQ_BIN_DIR, 'rabbitmqctl');
  // The node and rabbitmqctl read the cookie from $HOME/.erlang.cookie and rabbitmq-env.conf from here.
  const common = { HOME: dir, RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf') };
  const ctlEnv = brokerEnv(common);
  let port = 0;
  let distPort = 0;
  let tlsPort = 0;
  const ports = (): number[] => (tls ? [port, distPort, tlsPort] : [port, distPort]);

  const ctl = (args: readonly string[], timeoutMs: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const ms = Math.max(1_000, Math.min(RABBITMQCTL_TIMEOUT_MS, timeoutMs));
      execFile(ctlScript, ['-q', '-n', node, ...args], { env: ctlEnv, timeout: ms, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
        if (!error) resolve(stdout);
        else {
          const why = error.killed ? `timed out after ${ms} ms` : `failed (${error.code ?? error.signal})`;
          reject(new Error(`rabbitmqctl -n ${node} ${args.join(' ')} ${why}: ${`${stderr}${stdout}`.trim()}`));
        }
      });
    });

  const launch = async (what: string, deadline: number): Promise<void> => {
    const sslConfig = tls
      ? [
          `listeners.ssl.default = 127.0.0.1:${tlsPort}`,
          `ssl_options.cacertfile = ${tls.caFile}`,
          `ssl_options.certfile = ${tls.certFile}`,
          `ssl_options.keyfile = ${tls.keyFile}`,
          'ssl_options.verify = verify_none',
          'ssl_options.fail_if_no_peer_cert = false',
        ]
      : [];
    const config = [`listeners.tcp.local = 127.0.0.1:${port}`, ...sslConfig, 'log.console = true'];
    await writeFile(join(dir, 'rabbitmq.conf'), `${config.join('\n')}\n`);
    const env = brokerEnv({
      ...common,
      RABBITMQ_NODENAME: node,
      RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
      RABBITMQ_NODE_PORT: String(port),
      RABBITMQ_DIST_PORT: String(distPort),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
      RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
      // As the shared node (/etc/rabbitmq/rabbitmq-env.conf): distribution and epmd on loopback only.
      ERL_EPMD_ADDRESS: '127.0.0.1',
      ERL_FLAGS: '-kernel inet_dist_use_interface {127,0,0,1}',
    });
    const s = supervise(serverScript, [], { env, cwd: dir });
    owned.current = s;
    try {
      await until(s, what, deadline, () => acceptsConnections(port));
      await ctl(['await_startup', '--timeout', String(Math.max(1, Math.ceil((deadline - Date.now()) / 1_000)))], deadline - Date.now());
      await until(s, what, deadline, () => acceptsConnections(port));
      if (tls) await until(s, `${what} (its TLS port ${tlsPort})`, deadline, () => acceptsConnections(tlsPort));
    } catch (error) {
      await terminate(s, `RabbitMQ node ${node}`, 0, []).catch(() => undefined);
      throw new Error(`${what}: ${errorText(error)}\nThe node's output:\n${s.output()}`);
    }
  };

  try {
    await mkdir(join(dir, 'mnesia'));
    await mkdir(join(dir, 'log'));
    await writeFile(join(dir, '.erlang.cookie'), randomBytes(15).toString('hex').toUpperCase(), { mode: 0o400 });
    await writeFile(join(dir, 'rabbitmq-env.conf'), '# tf own broker: nothing from /etc/rabbitmq/rabbitmq-env.conf\n');
    await writeFile(join(dir, 'enabled_plugins'), '[].\n');
    for (let attempt = 1; ; attempt++) {
      [port, distPort, tlsPort] = (await freePorts(3)) as [number, number, number];
      try {
        await launch(
          `RabbitMQ node ${node} did not start on 127.0.0.1:${port} within ${RABBIT_START_TIMEOUT_MS} ms`,
          Date.now() + RABBIT_START_TIMEOUT_MS,
        );
        break;
      } catch (error) {
        if (attempt >= START_ATTEMPTS || !/eaddrinuse/i.test(errorText(error))) throw error;
        await rm(join(dir, 'mnesia'), { recursive: true, force: true });
        await mkdir(join(dir, 'mnesia'));
      }
    }
  } catch (error) {
    live.delete(owned);
    await rm(dir, { recursive: true, force: true, maxRetries: 3 });
    throw error;
  }

  /** The node process killed and started again with the same folder (durable state is kept, as by a real restart). */
  const restartProcess = async (deadline: number): Promise<void> => {
    if (owned.current) await terminate(owned.current, `RabbitMQ node ${node}`, 0, ports());
    await launch(`RabbitMQ node ${node} did not start again on 127.0.0.1:${port}`, deadline);
  };

  let stopped: Promise<void> | undefined;
  const run = serial();
  const url = `amqp://guest:guest@127.0.0.1:${port}//`;
  return {
    url,
    port,
    ...(tls ? { tlsUrl: `amqps://guest:guest@127.0.0.1:${tlsPort}//`, tlsPort } : {}),
    restart: ({ downMs = 0 } = {}) =>
      run(async () => {
        if (stopped) throw new Error(`The own RabbitMQ node ${node} was stopped: it cannot be restarted.`);
        const deadline = Date.now() + RABBIT_RESTART_TIMEOUT_MS + downMs;
        try {
          await ctl(['stop_app'], deadline - Date.now());
          await sleep(downMs);
          await ctl(['start_app'], deadline - Date.now());
          await until(
            owned.current!,
            `RabbitMQ node ${node} did not accept connections after start_app`,
            deadline,
            async () => (await acceptsConnections(port)) && (!tls || (await acceptsConnections(tlsPort))),
          );
        } catch (appError) {
          try {
            await restartProcess(deadline);
          } catch (processError) {
            throw new Error(
              `Restarting RabbitMQ node ${node} failed: stop_app/start_app: ${errorText(appError)}; then restarting the process: ${errorText(processError)}`,
            );
          }
        }
      }),
    stop: () =>
      (stopped ??= run(async () => {
        try {
          if (owned.current) await terminate(owned.current, `RabbitMQ node ${node}`, 0, ports());
        } finally {
          live.delete(owned);
          await rm(dir, { recursive: true, force: true, maxRetries: 3 });
        }
      })),
  };
}
