import { redactUri, transportNameForUrl, type TransportSelection } from '@tf/core';

/** What a hint is built from. */
export interface WorkerHintInput {
  readonly exchange: string;
  /** The topic the suggested worker would serve. */
  readonly topic: string;
  /** The name the task's module exports its class under, when the class name says it. */
  readonly exportName: string | undefined;
  /** The engine's transport selection (normalised: camelCase keys). */
  readonly selection: TransportSelection;
  /** The engine signs: the worker needs the key too. */
  readonly signing?: boolean;
}

/** Option keys whose values may be secrets: shown as `***` in a hint. */
const SECRET_KEY = /tls|pass|secret|token|credential|cert|^ca$|^key$/i;

/** The transport's name as the engine selected it: given, of the object, from the URL's scheme, or memory. */
export function transportNameOf(selection: TransportSelection): string {
  const { transport, url } = selection;
  if (typeof transport === 'string') return transport;
  if (transport !== undefined) return transport.name;
  if (url !== undefined) {
    try {
      return transportNameForUrl(url);
    } catch {
      return 'unknown';
    }
  }
  return 'memory';
}

/** Quotes a shell word when it needs it (POSIX single quotes). */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function redacted(options: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) out[key] = SECRET_KEY.test(key) ? '***' : value;
  return out;
}

/** The `--transport`, `--url` and `--transport-options` flags that reach the engine's broker. */
function transportFlags(selection: TransportSelection): string[] {
  const flags: string[] = [];
  if (selection.url !== undefined) flags.push('--url', shellWord(redactUri(selection.url)));
  if (typeof selection.transport === 'string' || (selection.transport === undefined && selection.url === undefined)) {
    flags.push('--transport', shellWord(transportNameOf(selection)));
  } else if (selection.transport !== undefined) {
    flags.push('--transport', shellWord(selection.transport.name), '<and the options of your transport object>');
  }
  const options = selection.transportOptions;
  if (options !== undefined && Object.keys(options).length > 0) {
    flags.push('--transport-options', shellWord(JSON.stringify(redacted(options))));
  }
  return flags;
}

/**
 * How to start a worker that would serve a task: a `tf-worker` command line with the
 * engine's exchange, a topic it asks, the task, and the transport flags (passwords and
 * TLS material masked). With the memory transport, which does not cross processes, it
 * says to start a `Worker` in the engine's own process instead.
 */
export function workerHint(input: WorkerHintInput): string {
  const { exchange, topic, exportName, selection, signing = false } = input;
  const entry = `<module>:${exportName ?? '<ExportName>'}`;
  const base = ['tf-worker', '--exchange', shellWord(exchange), '--topic', shellWord(topic), '--tasks', entry];
  if (signing) base.push('--signing-key-file', '<key-file>');
  if (transportNameOf(selection) === 'memory') {
    const key = signing ? ", signingKey: <the engine's key>" : '';
    return (
      `the memory transport reaches workers in this process only: start one here, ` +
      `new Worker({ exchange: '${exchange}', topic: '${topic}', tasks: [${exportName ?? '<TaskClass>'}]${key} }) from @tf/worker; ` +
      `for workers in other processes use a shared transport and run ${[...base, '--url', '<broker-url>'].join(' ')}`
    );
  }
  return `${[...base, ...transportFlags(selection)].join(' ')} (<module>: the file or package that exports the task class)`;
}
