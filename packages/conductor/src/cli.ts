#!/usr/bin/env node
/**
 * `tf-conductor`: runs a Conductor from flags and/or a config file (JSON, or a JS module whose
 * default export is the options object).
 *
 *   tf-conductor --board redis://127.0.0.1:6379/0?board=orders --backend postgresql://tf@db/tf \
 *     --flows ./flows.js --transport redis --url redis://127.0.0.1:6379/0 \
 *     --exchange orders --topic orders-tasks
 *   tf-conductor --config conductor.json
 *   tf-conductor --import tsx --flows ./flows.ts ...    # a TypeScript flows module, through tsx
 *
 * Prints the banner on stdout, logs (pino, JSON lines) on stderr, stops gracefully on
 * SIGTERM/SIGINT (unfinished jobs are abandoned for another conductor; exit 0; a second signal
 * exits at once with 1), and exits 1 with one line on stderr when the configuration is bad or
 * the broker connection is lost for good.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  collect,
  commandIo,
  errorMessage,
  jsonObjectFlag,
  LOG_LEVELS,
  type LogLevel,
  logLevel,
  parseFlags,
  positiveIntegerFlag,
  runIfEntryPoint,
  serveUntilStopped,
} from '@tf/command';
import { Command, Option } from 'commander';
import { normaliseOptionKeys, plainObject, type Logger } from '@tf/core';
import { resolveModuleSpecifier } from '@tf/worker';
import pino from 'pino';
import { Conductor } from './conductor';
import { ConductorConfigError } from './errors';
import { loadFlowFactories } from './flows-module';
import { CONDUCTOR_OPTION_NAMES, type ConductorOptions, type FlowFactory } from './options';
import { VERSION } from './version';

export { LOG_LEVELS, type LogLevel } from '@tf/command';

/** Keys a `--config` file may hold (camelCase or snake_case). */
const CONFIG_KEYS: readonly string[] = [...CONDUCTOR_OPTION_NAMES.filter((k) => k !== 'logger'), 'topic', 'logLevel', 'import'];

export interface CliContext {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  logger?: Logger;
  /** Stops the conductor gracefully when aborted (besides SIGTERM/SIGINT). */
  signal?: AbortSignal;
  /** Listen to SIGTERM/SIGINT; default true. */
  handleSignals?: boolean;
  /** Called once the conductor runs (tests). */
  onStarted?: (conductor: Conductor) => void;
}

interface Flags {
  board?: string;
  backend?: string;
  flows?: string[];
  engine?: string;
  transport?: string;
  url?: string;
  exchange?: string;
  topic?: string[];
  transportOptions?: Record<string, unknown>;
  retryOptions?: Record<string, unknown>;
  engineOptions?: Record<string, unknown>;
  maxFlows?: number;
  name?: string;
  book?: string;
  rescanIntervalMs?: number;
  stopTimeoutMs?: number;
  config?: string;
  logLevel?: LogLevel;
  import?: string[];
}

/** A configuration problem found by the CLI itself (bad flag value, bad config file). */
export class CliConfigError extends ConductorConfigError {}

function program(out: (text: string) => void): Command {
  return new Command('tf-conductor')
    .description('Claim jobs from a tf jobboard and run their flows (from an allow-list of flow factories) with a persistence backend.')
    .version(VERSION, '-V, --version')
    .addOption(new Option('--board <url>', 'jobboard URL (redis://...?board=name, postgresql://...?board=name, memory://name)'))
    .addOption(new Option('--backend <url>', 'persistence backend URL (sqlite:///abs/flows.db, postgresql://..., dir:///abs/path)'))
    .addOption(
      new Option('--flows <module>', 'module exporting the flow factories by name (repeatable): the allow-list').argParser(collect),
    )
    .addOption(new Option('--engine <name>', 'serial, parallel or worker-based (default: worker-based with --exchange, else serial)'))
    .addOption(new Option('--transport <name>', 'worker-based: transport (amqp, redis, filesystem, or a third-party name)'))
    .addOption(new Option('--url <url>', 'worker-based: broker URL; also selects the transport by scheme'))
    .addOption(new Option('--exchange <name>', 'worker-based: exchange name'))
    .addOption(new Option('--topic <name>', 'worker-based: a topic workers serve (repeatable)').argParser(collect))
    .addOption(
      new Option('--transport-options <json>', 'transport options as a JSON object').argParser(jsonObjectFlag('--transport-options')),
    )
    .addOption(new Option('--retry-options <json>', 'reconnect policy as a JSON object').argParser(jsonObjectFlag('--retry-options')))
    .addOption(
      new Option('--engine-options <json>', 'other engine options as a JSON object (transitionTimeoutMs, maxWorkers...)').argParser(
        jsonObjectFlag('--engine-options'),
      ),
    )
    .addOption(
      new Option('--max-flows <n>', 'most flows run at once (default: min(4, CPUs))').argParser(positiveIntegerFlag('--max-flows')),
    )
    .addOption(new Option('--name <id>', 'the owner id claims are made as (default hostname:pid:random)'))
    .addOption(new Option('--book <name>', 'logbook for jobs that name none (default: the board name)'))
    .addOption(
      new Option('--rescan-interval-ms <ms>', 'a full look at the board this often, besides its events (default 10000)').argParser(
        positiveIntegerFlag('--rescan-interval-ms'),
      ),
    )
    .addOption(
      new Option('--stop-timeout-ms <ms>', 'the longest a graceful stop takes (default 10000)').argParser(
        positiveIntegerFlag('--stop-timeout-ms'),
      ),
    )
    .addOption(new Option('--config <file>', 'JSON file, or JS module with a default export, holding the options; flags override it'))
    .addOption(new Option('--log-level <level>', 'log level (logs go to stderr)').choices(LOG_LEVELS))
    .addOption(
      new Option(
        '--import <module>',
        'import a module before the flows, as node --import does (repeatable); --import tsx for .ts flows',
      ).argParser(collect),
    )
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out, outputError: () => {} });
}

const importModule = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);

/** The config file: JSON, or a JS/TS module whose default export is the options object. */
async function readConfig(file: string, cwd: string): Promise<Record<string, unknown>> {
  let raw: unknown;
  if (extname(file) === '.json') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new CliConfigError(`cannot read the config file ${file}: ${(error as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new CliConfigError(`the config file ${file} is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    try {
      const mod = (await importModule(resolveModuleSpecifier(file, cwd))) as Record<string, unknown>;
      raw = mod['default'];
    } catch (error) {
      throw new CliConfigError(`cannot load the config module ${file}: ${errorMessage(error)}`);
    }
  }
  const dict = plainObject(`the config file ${file}`, raw, (message) => new CliConfigError(message));
  let config: Record<string, unknown>;
  try {
    config = normaliseOptionKeys(dict);
  } catch (error) {
    throw new CliConfigError(`the config file ${file}: ${(error as Error).message}`);
  }
  for (const key of Object.keys(config)) {
    if (!CONFIG_KEYS.includes(key)) {
      throw new CliConfigError(`the config file ${file} has an unknown key '${key}'. Allowed: ${CONFIG_KEYS.join(', ')}.`, { option: key });
    }
  }
  return config;
}

function stringList(label: string, value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string' && v !== '')) {
    throw new CliConfigError(`${label} must be a string or a list of strings.`);
  }
  return list as string[];
}

/** Flags over the config, as Conductor options (flow modules loaded), the log level and the modules to import first. */
export async function buildOptions(
  flags: Flags,
  cwd: string = process.cwd(),
): Promise<{
  options: Omit<ConductorOptions, 'flows'>;
  flowModules: string[];
  flowObjects: Record<string, FlowFactory>;
  logLevel: LogLevel;
  imports: string[];
}> {
  const config = flags.config !== undefined ? await readConfig(flags.config, cwd) : {};
  const merged: Record<string, unknown> = { ...config };
  const fromFlags: Record<string, unknown> = {
    board: flags.board,
    backend: flags.backend,
    engine: flags.engine,
    transport: flags.transport,
    url: flags.url,
    exchange: flags.exchange,
    topics: flags.topic,
    transportOptions: flags.transportOptions,
    retryOptions: flags.retryOptions,
    engineOptions: flags.engineOptions,
    maxFlows: flags.maxFlows,
    name: flags.name,
    book: flags.book,
    rescanIntervalMs: flags.rescanIntervalMs,
    stopTimeoutMs: flags.stopTimeoutMs,
  };
  if (merged['topic'] !== undefined) {
    if (merged['topics'] !== undefined) throw new CliConfigError("the config gives both 'topic' and 'topics': give one.");
    merged['topics'] = stringList("the config's 'topic'", merged['topic']);
    delete merged['topic'];
  }
  for (const [key, value] of Object.entries(fromFlags)) if (value !== undefined) merged[key] = value;

  // flows: flags name modules; a config names modules too, or (a JS config) holds factories.
  let flowModules: string[] = [];
  let flowObjects: Record<string, FlowFactory> = {};
  const configFlows = merged['flows'];
  delete merged['flows'];
  if (flags.flows !== undefined) flowModules = flags.flows;
  else if (configFlows !== undefined && (typeof configFlows === 'string' || Array.isArray(configFlows))) {
    flowModules = stringList("the config's 'flows'", configFlows);
  } else if (configFlows !== undefined) {
    flowObjects = plainObject("the config's 'flows'", configFlows, (m) => new CliConfigError(m)) as Record<string, FlowFactory>;
  }
  if (flowModules.length === 0 && Object.keys(flowObjects).length === 0) {
    throw new CliConfigError('no flows: give --flows <module> (a module exporting flow factories by name), or flows in --config.', {
      option: 'flows',
    });
  }
  if (merged['board'] === undefined) throw new CliConfigError('no board: give --board <url> or board in --config.', { option: 'board' });
  if (merged['backend'] === undefined) {
    throw new CliConfigError('no backend: give --backend <url> (sqlite:///abs/flows.db, postgresql://...) or backend in --config.', {
      option: 'backend',
    });
  }
  const imports = [
    ...(merged['import'] === undefined ? [] : stringList("the config's 'import'", merged['import'])),
    ...(flags.import ?? []),
  ];
  delete merged['import'];
  const level = logLevel(flags.logLevel ?? merged['logLevel'] ?? 'info', (message) => new CliConfigError(message));
  delete merged['logLevel'];
  return { options: merged as unknown as Omit<ConductorOptions, 'flows'>, flowModules, flowObjects, logLevel: level, imports };
}

async function importModules(specifiers: readonly string[], cwd: string): Promise<void> {
  for (const specifier of specifiers) {
    try {
      await importModule(resolveModuleSpecifier(specifier, cwd));
    } catch (error) {
      throw new CliConfigError(`--import ${specifier} failed (from ${cwd}): ${errorMessage(error)}`, { cause: error });
    }
  }
}

/**
 * Runs `tf-conductor` with `argv` (the arguments after the command name). Resolves with the
 * exit code once the conductor has stopped (0) or could not run (1, after one line on stderr).
 * `--help` and `--version` resolve 0.
 */
export async function main(argv: readonly string[] = process.argv.slice(2), context: CliContext = {}): Promise<number> {
  const { stdout, stderr, fail } = commandIo('tf-conductor', context);

  const parsed = parseFlags<Flags>(program(stdout), argv, fail);
  if ('exitCode' in parsed) return parsed.exitCode;
  const { flags } = parsed;

  let conductor: Conductor;
  let logger: Logger;
  try {
    const cwd = process.cwd();
    // Loaders first (a TypeScript config or flows module needs one).
    await importModules(flags.import ?? [], cwd);
    const built = await buildOptions(flags, cwd);
    await importModules(
      built.imports.filter((m) => !(flags.import ?? []).includes(m)),
      cwd,
    );
    const flows = { ...built.flowObjects, ...(await loadFlowFactories(built.flowModules, cwd)) };
    logger = context.logger ?? pino({ name: 'tf-conductor', level: built.logLevel }, pino.destination({ dest: 2, sync: true }));
    conductor = new Conductor({ ...built.options, flows, logger });
  } catch (error) {
    return fail(error);
  }

  return serveUntilStopped(conductor, {
    name: 'tf-conductor',
    stdout,
    stderr,
    fail,
    secondSignal: 'exiting without abandoning running jobs (their claims will expire)',
    signal: context.signal,
    handleSignals: context.handleSignals,
    onStarted: () => context.onStarted?.(conductor),
    onStopRequested: (reason) => logger.info({ reason }, 'stop requested'),
  });
}

runIfEntryPoint(import.meta.url, 'tf-conductor', () => main());
