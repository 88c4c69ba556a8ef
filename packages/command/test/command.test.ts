import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { collect, errorMessage, jsonObjectFlag, logLevel, parseFlags, positiveIntegerFlag, type Service, serveUntilStopped } from '../src';

function program(out: (text: string) => void): Command {
  return new Command('t')
    .version('1.0.0', '-V, --version')
    .addOption(new Option('--n <n>').argParser(positiveIntegerFlag('--n')))
    .addOption(new Option('--o <json>').argParser(jsonObjectFlag('--o')))
    .addOption(new Option('--m <v>').argParser(collect))
    .allowExcessArguments(false)
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: out, outputError: () => {} });
}

function parse(argv: string[]) {
  const lines: string[] = [];
  const result = parseFlags<{ n?: number; o?: Record<string, unknown>; m?: string[] }>(
    program(() => {}),
    argv,
    (error) => {
      lines.push(errorMessage(error));
      return 1;
    },
  );
  return { result, lines };
}

describe('flags', () => {
  it('parses positive integers, JSON objects and repeated flags', () => {
    expect(parse(['--n', '12', '--o', '{"a":1}', '--m', 'x', '--m', 'y']).result).toEqual({ flags: { n: 12, o: { a: 1 }, m: ['x', 'y'] } });
  });

  it.each([['1e3'], ['0x10'], [''], ['0'], ['-1']])('refuses --n %j with one line and exit code 1', (value) => {
    const { result, lines } = parse(['--n', value]);
    expect(result).toEqual({ exitCode: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('--n');
  });

  it('refuses a JSON array or bad JSON for an object flag', () => {
    expect(parse(['--o', '[1]']).lines[0]).toContain('--o');
    expect(parse(['--o', '{']).lines[0]).toMatch(/--o must be a JSON object/);
  });

  it('ends with 0 on --version and with 1 on an unknown flag', () => {
    expect(parse(['--version']).result).toEqual({ exitCode: 0 });
    expect(parse(['--nope']).result).toEqual({ exitCode: 1 });
  });
});

describe('errorMessage and logLevel', () => {
  it('puts a TF_ code first and keeps the message on one line', () => {
    const error = Object.assign(new Error('bad\n  thing'), { code: 'TF_X' });
    expect(errorMessage(error)).toBe('TF_X: bad thing');
    expect(errorMessage(Object.assign(new Error('e'), { code: 'ENOENT' }))).toBe('e');
    expect(errorMessage('a\nb')).toBe('a b');
  });

  it('accepts pino levels and refuses anything else', () => {
    expect(logLevel('debug', (m) => new Error(m))).toBe('debug');
    expect(() => logLevel('loud', (m) => new Error(m))).toThrow(/log level must be one of fatal, error/);
    expect(() => logLevel(3, (m) => new Error(m))).toThrow(/got 3/);
  });
});

class FakeService implements Service {
  state = 'idle';
  readonly banner = 'serving';
  readonly calls: string[] = [];
  constructor(private readonly startWith: () => Promise<void> = async () => {}) {}
  async start(): Promise<void> {
    this.calls.push('start');
    await this.startWith();
    this.state = 'running';
  }
  async stop(): Promise<void> {
    this.calls.push('stop');
    this.state = 'stopped';
  }
}

function serve(service: Service, signal: AbortSignal) {
  const out: string[] = [];
  const err: string[] = [];
  const events: string[] = [];
  const code = serveUntilStopped(service, {
    name: 't',
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    fail: (error) => {
      err.push(errorMessage(error));
      return 1;
    },
    secondSignal: 'bye',
    signal,
    handleSignals: false,
    onStarted: () => events.push('started'),
    onStopRequested: (reason) => events.push(`stop requested: ${reason}`),
    onStopped: () => events.push('stopped'),
  });
  return { code, out, err, events };
}

describe('serveUntilStopped', () => {
  it('prints the banner, serves until aborted, then stops gracefully with 0', async () => {
    const service = new FakeService();
    const abort = new AbortController();
    const run = serve(service, abort.signal);
    await expect.poll(() => run.events).toEqual(['started']);
    expect(run.out).toEqual(['serving\n']);
    abort.abort();
    expect(await run.code).toBe(0);
    expect(service.calls).toEqual(['start', 'stop']);
    expect(run.events).toEqual(['started', 'stop requested: abort', 'stopped']);
  });

  it('a stop requested while starting stops the service once it is up, with no banner', async () => {
    let release: () => void = () => {};
    const service = new FakeService(() => new Promise<void>((resolve) => (release = resolve)));
    const abort = new AbortController();
    const run = serve(service, abort.signal);
    abort.abort();
    expect(await run.code).toBe(0);
    release();
    expect(service.calls).toEqual(['start', 'stop']);
    expect(run.out).toEqual([]);
  });

  it('a failed start is one line and exit code 1, after stop()', async () => {
    const service = new FakeService(async () => {
      throw Object.assign(new Error('no broker'), { code: 'TF_TRANSPORT_CONNECT' });
    });
    const run = serve(service, new AbortController().signal);
    expect(await run.code).toBe(1);
    expect(run.err).toEqual(['TF_TRANSPORT_CONNECT: no broker']);
    expect(service.calls).toEqual(['start', 'stop']);
  });
});
