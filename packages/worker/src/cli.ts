#!/usr/bin/env node
/**
 * `tf-worker`: runs a Worker from flags and/or a JSON config file (TaskFlow's worker dict).
 *
 *   tf-worker --url amqp://guest:guest@localhost:5672// --exchange test-exchange \
 *     --topic test-tasks --tasks ./tasks.js:TestTask1 --tasks ./tasks.js:TestTask2
 *   tf-worker --config worker.json
 *   tf-worker --import tsx --tasks ./tasks.mts ...    # a TypeScript tasks module, through tsx
 *
 * Prints the banner on stdout, logs (pino, JSON lines) on stderr, stops gracefully on
 * SIGTERM/SIGINT (running tasks finish; exit 0; a second signal exits at once with 1),
 * and exits 1 with one line on stderr when the configuration is bad.
 */
import { readFileSync } from 'node:fs';
import {
  collect,
  commandIo,
  errorMessage,
  jsonObjectFlag,
  LOG_LEVELS,
  logLevel,
  type LogLevel,
  parseFlags,
  positiveIntegerFlag,
  runIfEntryPoint,
  serveUntilStopped,
} from '@tf/command';
import { Command, Option } from 'commander';
import {
  normaliseOptionKeys,
  normaliseTransportSelection,
  parseSigningKeyText,
  plainObject,
  SigningConfigError,
  type Logger,
  type SigningKeys,
  type TransportSelection,
} from '@tf/core';
import pino from 'pino';
import { WorkerConfigError, WorkerImportError } from './errors';
import { WORKER_OPTION_NAMES, type WorkerOptions } from './options';
import { resolveModuleSpecifier, type ModuleImporter } from './tasks';
import { VERSION } from './version';
import { Worker } from './worker';

export { LOG_LEVELS, type LogLevel } from '@tf/command';

/** Keys a `--config` file may hold (camelCase or the seed's snake_case). The signing key only by file or environment. */
const CONFIG_KEYS = WORKER_OPTION_NAMES.filter((k) => !['logger', 'importer', 'cwd', 'signingKey'].includes(k)).concat(
  'logLevel',
  'signingKeyFile',
);

/** The environment variable holding the signing key (or a JSON keyring) when no `--signing-key-file` is given. */
export const SIGNING_KEY_ENV = 'TF_SIGNING_KEY';

export interface CliContext {
  /** Where the banner and help go; default process.stdout. */
  stdout?: (text: string) => void;
  /** Where the one-line errors go; default process.stderr. */
  stderr?: (text: string) => void;
  /** The logger; default pino on stderr at `--log-level`. */
  logger?: Logger;
  /** Stops the worker gracefully when aborted (besides SIGTERM/SIGINT). */
  signal?: AbortSignal;
  /** Listen to SIGTERM/SIGINT; default true. */
  handleSignals?: boolean;
  /** Called once the worker is consuming (tests). */
  onStarted?: (worker: Worker) => void;
}

/** The keys of a transport selection, which the CLI checks (and parses) once for flags and config together. */
const SELECTION_KEYS = ['transport', 'url', 'transportOptions', 'retryOptions'] as const satisfies readonly (keyof TransportSelection)[];

interface Flags extends Pick<TransportSelection, 'url' | 'transportOptions' | 'retryOptions'> {
  exchange?: string;
  topic?: string;
  tasks?: string[];
  /** Flags name a transport; only code can pass a transport object. */
  transport?: string;
  concurrency?: number;
  heartbeatIntervalMs?: number;
  maxDeliveries?: number;
  config?: string;
  logLevel?: LogLevel;
  /** `--import`: modules imported, in order, before the tasks (TypeScript loaders). */
  import?: string[];
  signingKeyFile?: string;
}

/** A configuration problem found by the CLI itself (bad flag value, bad config file). */
export class CliConfigError extends WorkerConfigError {}

function program(out: (text: string) => void): Command {
  return new Command('tf-worker')
    .description('Serve an allow-list of tf Task classes on one topic of an exchange (TaskFlow worker protocol).')
    .version(VERSION, '-V, --version')
    .addOption(
      new Option('--url <url>', 'broker URL (amqp://user:pass@host:5672//, redis://..., memory://); also selects the transport by scheme'),
    )
    .addOption(new Option('--exchange <name>', 'exchange name'))
    .addOption(new Option('--topic <name>', 'topic (queue) to serve'))
    .addOption(
      new Option(
        '--tasks <entry>',
        "allowed tasks, repeatable: './tasks.js:Name', './tasks.js' (every Task class), 'package:Name'",
      ).argParser(collect),
    )
    .addOption(new Option('--transport <name>', 'transport: amqp, filesystem, memory, redis, or a third-party name'))
    .addOption(
      new Option('--transport-options <json>', 'transport options as a JSON object').argParser(jsonObjectFlag('--transport-options')),
    )
    .addOption(
      new Option('--retry-options <json>', 'reconnect policy as a JSON object (kombu keys accepted)').argParser(
        jsonObjectFlag('--retry-options'),
      ),
    )
    .addOption(
      new Option('--concurrency <n>', 'most tasks run at once (default: available CPUs)').argParser(positiveIntegerFlag('--concurrency')),
    )
    .addOption(
      new Option(
        '--heartbeat-interval-ms <ms>',
        'how often to tell engines this worker is alive while it holds their requests (default 1000)',
      ).argParser(positiveIntegerFlag('--heartbeat-interval-ms')),
    )
    .addOption(
      new Option(
        '--max-deliveries <n>',
        'a request delivered more times than this is dead-lettered (topic tf-dead-letters), not run again (default 5)',
      ).argParser(positiveIntegerFlag('--max-deliveries')),
    )
    .addOption(
      new Option(
        '--config <file>',
        "JSON file with TaskFlow's worker dict (url, exchange, topic, tasks, transport, transport_options, retry_options); flags override it",
      ),
    )
    .addOption(
      new Option(
        '--signing-key-file <path>',
        `sign every message and drop unsigned ones, with the key in this file (a secret of 32+ bytes, 'base64:...', or a JSON keyring); else $${SIGNING_KEY_ENV}`,
      ),
    )
    .addOption(new Option('--log-level <level>', 'log level (logs go to stderr)').choices(LOG_LEVELS))
    .addOption(
      new Option(
        '--import <module>',
        'import a module before the tasks, as node --import does, resolved from the working directory (repeatable); ' +
          '--import tsx registers a TypeScript loader for .ts/.mts/.cts tasks modules',
      ).argParser(collect),
    )
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({
      writeOut: out,
      writeErr: out,
      // Errors are reported once, as one line, by main().
      outputError: () => {},
    });
}

function readConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new CliConfigError(`cannot read the config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new CliConfigError(`the config file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  const dict = plainObject(`the config file ${file} (the worker's configuration dict)`, parsed, (message) => new CliConfigError(message));
  let config: Record<string, unknown>;
  try {
    config = normaliseOptionKeys(dict);
  } catch (error) {
    throw new CliConfigError(`the config file ${file}: ${(error as Error).message}`);
  }
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.includes(key)) {
      throw new CliConfigError(`the config file ${file} has an unknown key '${key}'. Allowed: ${CONFIG_KEYS.join(', ')}.`, {
        option: key,
      });
    }
  }
  return config;
}

const importModule: ModuleImporter = (specifier) => import(/* @vite-ignore */ specifier);

/** The package a bare specifier names (`tsx/esm` -> `tsx`, `@scope/pkg/sub` -> `@scope/pkg`); undefined for paths and URLs. */
function packageName(specifier: string): string | undefined {
  if (/^(\.|\/|[A-Za-z]:[\\/]|[a-z]+:)/.test(specifier)) return undefined;
  const parts = specifier.split('/');
  return parts.slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/**
 * Imports the `--import` modules in order, resolved from `cwd` (paths and package names,
 * as task modules are), before any tasks module loads: what `node --import` does, for a
 * loader such as tsx that registers its hooks (`module.register()`) when imported. A module
 * that cannot be found or throws is a `WorkerImportError` (`TF_WORKER_IMPORT`).
 */
export async function importModules(specifiers: readonly string[], cwd: string, importer: ModuleImporter = importModule): Promise<void> {
  for (const specifier of specifiers) {
    if (specifier.trim() === '') throw new WorkerImportError(specifier, '--import needs a module: a package name (tsx) or a path.');
    try {
      await importer(resolveModuleSpecifier(specifier, cwd));
    } catch (error) {
      const pkg = packageName(specifier);
      // Node: "Cannot find package 'tsx' imported from ...": the module itself, not one of its imports.
      const missing =
        pkg !== undefined &&
        (error as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND' &&
        errorMessage(error).includes(`'${pkg}'`);
      const hint = missing ? `; install ${pkg} where the worker runs (npm install ${pkg}) or fix the name` : '';
      throw new WorkerImportError(specifier, `--import ${specifier} failed (from ${cwd}): ${errorMessage(error)}${hint}`, {
        cause: error,
      });
    }
  }
}

function readSigningKey(file: string): SigningKeys {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SigningConfigError('--signing-key-file', `cannot read ${file}: ${(error as Error).message}`);
  }
  return parseSigningKeyText(text, `--signing-key-file ${file}`);
}

/** The signing keys from `--signing-key-file` (or the config's `signingKeyFile`), else `$TF_SIGNING_KEY`; undefined: no signing. */
function signingFrom(file: unknown, env: NodeJS.ProcessEnv): SigningKeys | undefined {
  if (file !== undefined) {
    if (typeof file !== 'string' || file === '') throw new CliConfigError('signingKeyFile must be a path.', { option: 'signingKeyFile' });
    return readSigningKey(file);
  }
  const text = env[SIGNING_KEY_ENV];
  return text === undefined || text === '' ? undefined : parseSigningKeyText(text, SIGNING_KEY_ENV);
}

/** Flags over the config file, as Worker options (and the log level). */
export function buildOptions(flags: Flags, env: NodeJS.ProcessEnv = process.env): { options: WorkerOptions; logLevel: LogLevel } {
  const config = flags.config !== undefined ? readConfig(flags.config) : {};
  const fromFlags: Record<string, unknown> = {
    url: flags.url,
    exchange: flags.exchange,
    topic: flags.topic,
    tasks: flags.tasks,
    transport: flags.transport,
    transportOptions: flags.transportOptions,
    retryOptions: flags.retryOptions,
    concurrency: flags.concurrency,
    heartbeatIntervalMs: flags.heartbeatIntervalMs,
    maxDeliveries: flags.maxDeliveries,
  };
  const merged: Record<string, unknown> = { ...config };
  for (const [key, value] of Object.entries(fromFlags)) {
    if (value === undefined) continue;
    merged[key] = value;
    // `--concurrency` wins over a config file's threads_count.
    if (key === 'concurrency') delete merged['threadsCount'];
  }
  const signing = signingFrom(flags.signingKeyFile ?? merged['signingKeyFile'], env);
  delete merged['signingKeyFile'];
  if (signing) merged['signingKey'] = signing;
  const level = logLevel(flags.logLevel ?? merged['logLevel'] ?? 'info', (message) => new CliConfigError(message));
  delete merged['logLevel'];
  const { selection } = normaliseTransportSelection(merged, {
    owner: 'tf-worker',
    fail: (message, option) => new CliConfigError(message, { option }),
  });
  for (const key of SELECTION_KEYS) delete merged[key];
  return { options: { ...merged, ...selection } as unknown as WorkerOptions, logLevel: level };
}

/**
 * Runs `tf-worker` with `argv` (the arguments after the command name). Resolves with the
 * exit code once the worker has stopped (0) or the configuration was refused (1, after
 * one line on stderr). `--help` and `--version` resolve 0.
 */
export async function main(argv: readonly string[] = process.argv.slice(2), context: CliContext = {}): Promise<number> {
  const { stdout, stderr, fail } = commandIo('tf-worker', context);

  const parsed = parseFlags<Flags>(program(stdout), argv, fail);
  if ('exitCode' in parsed) return parsed.exitCode;
  const { flags } = parsed;

  let worker: Worker;
  let logger: Logger;
  try {
    const { options, logLevel } = buildOptions(flags);
    logger = context.logger ?? pino({ name: 'tf-worker', level: logLevel }, pino.destination({ dest: 2, sync: true }));
    worker = new Worker({ ...options, logger });
    // Loaders first: the tasks modules are imported by start().
    await importModules(flags.import ?? [], process.cwd());
  } catch (error) {
    return fail(error);
  }

  return serveUntilStopped(worker, {
    name: 'tf-worker',
    stdout,
    stderr,
    fail,
    secondSignal: 'exiting without waiting for running tasks',
    signal: context.signal,
    handleSignals: context.handleSignals,
    onStarted: () => context.onStarted?.(worker),
    onStopRequested: (reason) => logger.info({ reason, running: worker.activeTasks }, 'stopping: letting running tasks finish'),
    onStopped: () => logger.info(worker.signingStats ? { signing: worker.signingStats } : {}, 'stopped'),
  });
}

runIfEntryPoint(import.meta.url, 'tf-worker', () => main());
