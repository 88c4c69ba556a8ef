#!/usr/bin/env node
/**
 * `tf`: the tf command line.
 *
 *   tf flows list --backend sqlite:///var/lib/app/flows.db
 *   tf flows show <flow-detail-id> --backend postgresql://tf@db/flows
 *   tf inspect workers --url amqp://guest:guest@localhost// --exchange tf --topics tasks
 *   tf inspect requests --url redis://localhost:6379 --exchange tf --topics a,b --timeout 3000
 *   tf flows view <flow-detail-id> --backend dir:///var/lib/app [--module ./flows.js --export orderFlow]
 *   tf render ./flows.js --export orderFlow --format svg > order.svg
 *   tf jobs list redis://127.0.0.1:6379/0?board=orders [--unclaimed]
 *   tf jobs show postgresql://tf@db/shop?board=orders <job-uuid>
 *
 * The backend comes from `--backend` or the TF_BACKEND environment variable. Output on
 * stdout; a bad backend, an unknown flow detail or bad usage: one line on stderr, exit 1.
 */
import { existsSync } from 'node:fs';
import { isEntryPoint } from '@tf/command';
import { Command, CommanderError, Option } from 'commander';
import { NotFoundError, TfError } from '@tf/core';
import { type BackendImporter, isPersistenceBackend, type PersistenceBackend, pathOfUrl, redactUrl, resolveBackend } from '@tf/persistence';
import { type JobboardImporter, redactUrl as redactJobboardUrl, resolveJobboard } from '@tf/jobboard';
import { flowsList } from './flows-list';
import { flowsShow } from './flows-show';
import { type FlowsViewOptions, flowsView } from './flows-view';
import { addInspectCommand, type InspectHost } from './inspect-command';
import { jobsList } from './jobs-list';
import { jobsShow } from './jobs-show';
import { RENDER_FORMATS, type RenderFormat, render } from './render';

export const BACKEND_ENV = 'TF_BACKEND';

export interface CliContext {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  env?: Readonly<Record<string, string | undefined>>;
  /** `tf inspect`'s collection of answers (tests); defaults to asking over the transport. */
  collect?: InspectHost['collect'];
}

/** Backend packages installed beside this command (its own dependencies), then the working directory's. */
const importer: BackendImporter = (specifier) => import(/* @vite-ignore */ specifier);

/** Jobboard packages installed beside this command, then the working directory's. */
const jobboardImporter: JobboardImporter = (specifier) => import(/* @vite-ignore */ specifier);

async function openJobboard(url: string) {
  try {
    return await resolveJobboard(url, { importer: jobboardImporter });
  } catch (error) {
    if (TfError.is(error)) throw error;
    // The package may be installed for the application, not beside this command.
    if (!(error instanceof Error && /Cannot find (package|module)/.test(error.message))) throw error;
    return resolveJobboard(url);
  }
}

/** A command that only reads must not create a store: a dir:// or sqlite:// path that does not exist is an error. */
function assertStoreExists(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return; // resolveBackend reports it
  }
  if (parsed.protocol !== 'dir:' && parsed.protocol !== 'sqlite:') return;
  let path: string;
  try {
    path = pathOfUrl(parsed);
  } catch {
    return;
  }
  if (!existsSync(path)) throw new NotFoundError(`No store at ${path}: nothing to list.`);
}

async function openBackend(url: string | undefined): Promise<PersistenceBackend> {
  if (!url) throw new CommanderError(1, 'tf.backend', `tf: no backend: pass --backend <url> or set ${BACKEND_ENV}.`);
  assertStoreExists(url);
  let backend: Awaited<ReturnType<typeof resolveBackend>>;
  try {
    backend = await resolveBackend(url, { importer });
  } catch (error) {
    if (TfError.is(error, 'TF_BACKEND_NOT_INSTALLED')) throw error;
    // The package may be installed for the application, not beside this command.
    if (!(error instanceof Error && /Cannot find (package|module)/.test(error.message))) throw error;
    backend = await resolveBackend(url);
  }
  if (!isPersistenceBackend(backend)) throw new Error(`The backend at ${redactUrl(url)} cannot list logbooks and flow details.`);
  return backend;
}

/** Runs `tf` with `argv` (without node and the script); resolves to the exit code. */
export async function main(argv: readonly string[] = process.argv.slice(2), context: CliContext = {}): Promise<number> {
  const stdout = context.stdout ?? ((text: string) => process.stdout.write(text));
  const stderr = context.stderr ?? ((text: string) => process.stderr.write(text));
  const env = context.env ?? process.env;
  const print = (lines: string[]) => stdout(`${lines.join('\n')}\n`);
  const withBackend = async (url: string | undefined, action: (backend: PersistenceBackend) => Promise<string[]>) => {
    const backend = await openBackend(url ?? env[BACKEND_ENV]);
    try {
      print(await action(backend));
    } finally {
      await backend.close();
    }
  };

  const program = new Command('tf')
    .description('tf: TaskFlow in TypeScript')
    .exitOverride()
    .configureOutput({ writeOut: stdout, writeErr: stderr });
  const flows = program.command('flows').description('logbooks and flow details kept in a persistence backend');
  flows
    .command('list')
    .description('print the logbooks and their flow details (uuid, name, state, updated)')
    .option('--backend <url>', `the backend URL (default: $${BACKEND_ENV})`)
    .action((options: { backend?: string }) => withBackend(options.backend, flowsList));
  flows
    .command('show')
    .description("print a flow detail and its atoms' states, intentions, results and failures")
    .argument('<id>', 'the flow detail id (flowDetailId)')
    .option('--backend <url>', `the backend URL (default: $${BACKEND_ENV})`)
    .action((id: string, options: { backend?: string }) => withBackend(options.backend, (backend) => flowsShow(backend, id)));

  flows
    .command('view')
    .description("serve the live view's page of a flow detail (127.0.0.1, a free port) until SIGINT or SIGTERM")
    .argument('<id>', 'the flow detail id (flowDetailId)')
    .option('--backend <url>', `the backend URL (default: $${BACKEND_ENV})`)
    .option('--module <file>', 'a module exporting the flow, to draw its graph (else the stored atoms side by side)')
    .option('--export <name>', 'the export holding the flow in --module')
    .option('--host <host>', 'the address to listen on (default 127.0.0.1)')
    .option('--port <port>', 'the port (default 0: a free one)')
    .action(async (id: string, options: FlowsViewOptions & { backend?: string }) => {
      const backend = await openBackend(options.backend ?? env[BACKEND_ENV]);
      try {
        await flowsView(backend, id, options, (line) => stdout(`${line}\n`));
      } finally {
        await backend.close();
      }
    });
  const jobs = program.command('jobs').description('the jobs on a jobboard (memory boards live in their process only)');
  const withJobboard = async (url: string, action: (board: Awaited<ReturnType<typeof openJobboard>>) => Promise<string[]>) => {
    const board = await openJobboard(url);
    try {
      print(await action(board));
    } finally {
      await board.close();
    }
  };
  jobs
    .command('list')
    .description('print the jobs on the board by priority then age (uuid, name, flow, priority, state, owner, claims, notes, updated)')
    .argument('<url>', 'the jobboard URL, e.g. redis://127.0.0.1:6379/0?board=orders or postgresql://tf@db/shop?board=orders')
    .option('--unclaimed', 'only jobs no one holds')
    .action((url: string, options: { unclaimed?: boolean }) =>
      withJobboard(url, (board) => jobsList(board, redactJobboardUrl(url), options)),
    );
  jobs
    .command('show')
    .description('print a job: its state, owner, details and notes, or the outcome of one that left the board')
    .argument('<url>', 'the jobboard URL')
    .argument('<uuid>', "the job's uuid")
    .action((url: string, uuid: string) => withJobboard(url, (board) => jobsShow(board, uuid)));
  program
    .command('render')
    .description('print the graph of a flow exported by a module (default export, --export <name>, or its only flow)')
    .argument('<module>', 'the module file (a TypeScript one needs a loader: node --import tsx)')
    .option('--export <name>', 'the export holding the flow (a flow, or a function of no arguments returning one)')
    .addOption(new Option('--format <format>', 'what to print').choices(RENDER_FORMATS).default('mermaid'))
    .action(async (file: string, options: { export?: string; format: RenderFormat }) => {
      stdout(await render(file, options));
    });
  addInspectCommand(program, { print, ...(context.collect ? { collect: context.collect } : {}) });

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return 0;
      if (error.code === 'tf.backend') stderr(`${error.message}\n`);
      return 1;
    }
    const code = TfError.is(error) ? ` [${error.code}]` : '';
    stderr(`tf: ${error instanceof Error ? error.message : String(error)}${code}\n`);
    return TfError.is(error, 'TF_INSPECT_NO_WORKERS') ? 3 : 1;
  }
}

if (isEntryPoint(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`tf: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
