import { type Command, InvalidArgumentError, Option } from 'commander';
import { collectWorkers, type InspectedWorker, type InspectOptions } from './inspect-collect';
import { NoWorkersAnsweredError } from './inspect-errors';
import { requestsLines, workersLines } from './inspect-print';

/** The default of `--timeout` (ms). */
export const DEFAULT_INSPECT_TIMEOUT_MS = 2_000;

interface InspectFlags {
  transport?: string;
  url?: string;
  exchange: string;
  topics: string[];
  transportOptions?: Record<string, unknown>;
  timeout: number;
  json?: boolean;
}

function timeoutFlag(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 600_000) throw new InvalidArgumentError('--timeout must be a whole number of ms, 1 to 600000.');
  return n;
}

function topicsFlag(value: string, previous: string[] = []): string[] {
  const topics = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (topics.length === 0) throw new InvalidArgumentError('--topics needs at least one topic name.');
  return [...previous, ...topics];
}

function jsonObjectFlag(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`--transport-options must be a JSON object: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArgumentError('--transport-options must be a JSON object.');
  return parsed as Record<string, unknown>;
}

/** What `inspect` needs from the `tf` program. */
export interface InspectHost {
  print(lines: string[]): void;
  /** Collects the answers (injectable for tests); defaults to asking over the transport. */
  collect?: (options: InspectOptions) => Promise<InspectedWorker[]>;
}

/**
 * `tf inspect workers|requests`: asks the workers on `--topics` over the transport (like
 * `celery inspect`). Exit status 0 when a worker answered, 3 when none did within `--timeout`
 * (`TF_INSPECT_NO_WORKERS`), 1 on any other error (one line on stderr).
 */
export function addInspectCommand(program: Command, host: InspectHost): void {
  const inspect = program.command('inspect').description('ask the workers on a broker what they serve and run now');
  const run = (kind: 'workers' | 'requests') => async (flags: InspectFlags) => {
    const options: InspectOptions = {
      exchange: flags.exchange,
      topics: [...new Set(flags.topics)],
      timeoutMs: flags.timeout,
      ...(flags.transport !== undefined ? { transport: flags.transport } : {}),
      ...(flags.url !== undefined ? { url: flags.url } : {}),
      ...(flags.transportOptions !== undefined ? { transportOptions: flags.transportOptions } : {}),
    };
    const workers = await (host.collect ?? collectWorkers)(options);
    if (workers.length === 0) throw new NoWorkersAnsweredError(options.topics, options.timeoutMs);
    if (flags.json)
      host.print([
        JSON.stringify(
          kind === 'workers' ? workers : workers.map(({ id, topic, details }) => ({ id, topic, running: details.running ?? [] })),
          null,
          2,
        ),
      ]);
    else host.print(kind === 'workers' ? workersLines(workers) : requestsLines(workers));
  };
  for (const [kind, description] of [
    ['workers', 'list the workers that answer: id, topic, concurrency, tasks running, uptime, process, task names'],
    ['requests', 'list what the workers run now: task, atom, action, correlation id, for how long'],
  ] as const) {
    inspect
      .command(kind)
      .description(description)
      .addOption(new Option('--transport <name>', 'transport: amqp, filesystem, memory, redis, or a third-party name'))
      .addOption(new Option('--url <url>', 'broker URL (amqp://..., redis://..., file://...); also selects the transport by scheme'))
      .addOption(new Option('--transport-options <json>', 'transport options as a JSON object').argParser(jsonObjectFlag))
      .requiredOption('--exchange <name>', 'exchange name')
      .requiredOption('--topics <names>', 'topic(s) to ask, comma-separated (repeatable)', topicsFlag)
      .addOption(new Option('--timeout <ms>', 'how long answers are collected').argParser(timeoutFlag).default(DEFAULT_INSPECT_TIMEOUT_MS))
      .option('--json', 'print JSON instead of a table')
      .action(run(kind));
  }
}
