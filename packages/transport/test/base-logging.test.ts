import { describe, expect, it } from 'vitest';
import { BaseTransport, TfError } from '@tf/transport';
import type { ConsumerSpec, Logger, Subscription, TransportRetryOptionsInput } from '@tf/transport';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';
interface Record {
  level: Level;
  obj: unknown;
  msg: string | undefined;
}

/** A pino-shaped logger that keeps every call. */
class FakeLogger implements Logger {
  readonly records: Record[] = [];
  trace = (obj: unknown, msg?: string) => this.#add('trace', obj, msg);
  debug = (obj: unknown, msg?: string) => this.#add('debug', obj, msg);
  info = (obj: unknown, msg?: string) => this.#add('info', obj, msg);
  warn = (obj: unknown, msg?: string) => this.#add('warn', obj, msg);
  error = (obj: unknown, msg?: string) => this.#add('error', obj, msg);
  child = () => this;
  #add(level: Level, obj: unknown, msg: string | undefined): void {
    this.records.push({ level, obj, msg });
  }
  at(level: Level): Record[] {
    return this.records.filter((r) => r.level === level);
  }
}

/** True when a record would print a stack: an Error among its fields, or a stack trace in any text. */
function carriesStack(record: Record): boolean {
  const values = record.obj !== null && typeof record.obj === 'object' ? Object.values(record.obj) : [record.obj];
  if (values.some((v) => v instanceof Error)) return true;
  const text = `${JSON.stringify(record.obj)} ${record.msg ?? ''}`;
  return /\n|\bat .*:\d+:\d+/.test(text);
}

/** A transport whose next `failures` connects throw. */
class FlakyTransport extends BaseTransport {
  readonly name = 'flaky';
  readonly capabilities = { crossProcess: true, persistent: false, reconnect: true, deliveryCount: false };
  protected readonly driver = 'flaky';
  protected readonly driverVersion = '0';
  connects = 0;
  constructor(
    public failures: number,
    logger: Logger,
    retryOptions: TransportRetryOptionsInput,
  ) {
    super({ url: 'flaky://user:secret@127.0.0.1:1/', logger, retryOptions });
  }
  protected async doConnect(): Promise<void> {
    this.connects += 1;
    if (this.failures-- > 0) throw new Error(`connect ECONNREFUSED 127.0.0.1:1 (try ${this.connects})`);
  }
  protected async doClose(): Promise<void> {}
  protected async doPublish(): Promise<void> {}
  protected async doConsume(_spec: ConsumerSpec): Promise<Subscription> {
    return { stop: () => undefined };
  }
  lose(error: Error): void {
    this.connectionLost(error);
  }
}

const quick = { intervalStartMs: 5, intervalStepMs: 5, intervalMaxMs: 20 };

describe('BaseTransport: retry logging', () => {
  it('one failed connect attempt: exactly one warn line, without a stack, with the message, the attempt and the next delay', async () => {
    const logger = new FakeLogger();
    const t = new FlakyTransport(Number.POSITIVE_INFINITY, logger, { ...quick, maxRetries: 1 });
    const error = await t.connect().catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_TRANSPORT_CONNECTION_FAILED')).toBe(true);
    expect((error as Error).message).toBe(
      "Transport 'flaky' could not connect to flaky://user:***@127.0.0.1:1/ after 2 attempts: connect ECONNREFUSED 127.0.0.1:1 (try 2)",
    );
    expect(t.connects).toBe(2); // the attempt, and its one retry

    const warns = logger.at('warn');
    expect(warns).toHaveLength(1);
    const [warn] = warns;
    expect(warn?.msg).toBe('transport flaky: connection attempt 1 failed (connect ECONNREFUSED 127.0.0.1:1 (try 1)); retrying in 5 ms');
    expect(warn?.obj).toEqual({ attempt: 1, retryInMs: 5, error: 'connect ECONNREFUSED 127.0.0.1:1 (try 1)' });
    expect(carriesStack(warn as Record)).toBe(false);
    expect(logger.at('error')).toEqual([]);

    // The stacks are at debug, one per failed attempt (the last one too, as it is also thrown).
    const debugs = logger.at('debug');
    expect(debugs.map((d) => d.msg)).toEqual([
      'transport flaky: connection attempt 1 failed',
      'transport flaky: connection attempt 2 failed',
    ]);
    for (const d of debugs) {
      const err = (d.obj as { err?: unknown }).err;
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).stack).toMatch(/\n\s+at /);
    }
  });

  it('one warn per retried attempt, numbered, and none once connected', async () => {
    const logger = new FakeLogger();
    const t = new FlakyTransport(3, logger, { ...quick, maxRetries: 5 });
    await t.connect();
    expect(t.state).toBe('connected');
    expect(logger.at('warn').map((w) => w.msg)).toEqual([
      'transport flaky: connection attempt 1 failed (connect ECONNREFUSED 127.0.0.1:1 (try 1)); retrying in 5 ms',
      'transport flaky: connection attempt 2 failed (connect ECONNREFUSED 127.0.0.1:1 (try 2)); retrying in 10 ms',
      'transport flaky: connection attempt 3 failed (connect ECONNREFUSED 127.0.0.1:1 (try 3)); retrying in 15 ms',
    ]);
    expect(logger.at('warn').some(carriesStack)).toBe(false);
    await t.close();
  });

  it('a lost connection: one warn line for the loss, then one per failed reconnect attempt; stacks at debug', async () => {
    const logger = new FakeLogger();
    const t = new FlakyTransport(0, logger, { ...quick, maxRetries: 3 });
    await t.connect();
    const reconnected = new Promise<void>((resolve) => t.on('connected', ({ reconnected: again }) => again && resolve()));
    t.failures = 1; // the first reconnect attempt fails, the second succeeds
    t.lose(new Error('socket closed\nby peer'));
    await reconnected;
    expect(logger.at('warn').map((w) => w.msg)).toEqual([
      'transport flaky: connection lost (socket closed by peer); reconnecting',
      'transport flaky: connection attempt 1 failed (connect ECONNREFUSED 127.0.0.1:1 (try 2)); retrying in 10 ms',
    ]);
    expect(logger.at('warn').some(carriesStack)).toBe(false);
    expect(logger.at('debug').map((d) => d.msg)).toEqual([
      'transport flaky: connection lost',
      'transport flaky: connection attempt 1 failed',
    ]);
    await t.close();
  });
});
