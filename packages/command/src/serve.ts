import type { Transport } from '@tf/core';
import { errorMessage } from './error-message';

/** What a long-running command serves: a Worker, a Conductor. */
export interface Service {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly state: string;
  readonly banner: string;
  readonly transport?: Transport | undefined;
}

export interface ServeOptions {
  /** The command's name, leading its lines on stderr. */
  name: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** One line: the error on stderr; returns the exit code (1). */
  fail: (error: unknown) => number;
  /** What a second signal does besides exiting at once with 1 ("exiting without waiting for running tasks"). */
  secondSignal: string;
  /** Stops the service gracefully when aborted (besides SIGTERM/SIGINT). */
  signal?: AbortSignal | undefined;
  /** Listen to SIGTERM/SIGINT; default true. */
  handleSignals?: boolean | undefined;
  /** Once the service runs and its banner is out. */
  onStarted?: (() => void) | undefined;
  /** Once a stop is requested, before `stop()`. */
  onStopRequested?: ((reason: string) => void) | undefined;
  /** Once `stop()` resolved after a requested stop. */
  onStopped?: (() => void) | undefined;
}

/**
 * Starts `service`, prints its banner, and serves until SIGTERM/SIGINT or `signal` (a graceful
 * `stop()`, exit 0; a second signal exits at once with 1) or until its transport is lost for
 * good (exit 1). A stop requested while starting stops it once it is up. Resolves with the
 * exit code.
 */
export async function serveUntilStopped(service: Service, options: ServeOptions): Promise<number> {
  const { name, stdout, stderr, fail } = options;
  // Listen before starting, so a signal during start() stops the service once it is up.
  let signalled: (reason: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    signalled = resolve;
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      stderr(`${name}: ${signal} again; ${options.secondSignal}\n`);
      process.exit(1);
    }
    signalled(signal);
  };
  const handleSignals = options.handleSignals ?? true;
  if (handleSignals) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  const onAbort = (): void => signalled('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  let keepAlive: NodeJS.Timeout | undefined;
  let lost: ((error: Error) => void) | undefined;
  const connectionGone = new Promise<Error>((resolve) => {
    lost = resolve;
  });
  try {
    try {
      // A stop requested while connecting ends the attempts (nothing is served yet): exit 0.
      const started = await Promise.race([service.start().then(() => true), stopRequested.then(() => false)]);
      if (!started) {
        await service.stop();
        return 0;
      }
    } catch (error) {
      await service.stop().catch(() => undefined);
      return fail(error);
    }
    service.transport?.on('disconnected', ({ error, willReconnect }) => {
      if (!willReconnect && service.state === 'running') lost?.(error ?? new Error('the transport closed'));
    });
    stdout(`${service.banner}\n`);
    options.onStarted?.();
    // Serve until told to stop, even over a transport that holds no socket (memory).
    keepAlive = setInterval(() => {}, 1 << 30);

    const outcome = await Promise.race([stopRequested.then((reason) => ({ reason })), connectionGone.then((error) => ({ error }))]);
    if ('error' in outcome) {
      await service.stop().catch(() => undefined);
      return fail(`lost the connection to the broker: ${errorMessage(outcome.error)}`);
    }
    options.onStopRequested?.(outcome.reason);
    await service.stop();
    options.onStopped?.();
    return 0;
  } finally {
    clearInterval(keepAlive);
    if (handleSignals) {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    }
    options.signal?.removeEventListener('abort', onAbort);
  }
}
