import { describe, expect, it } from 'vitest';
import { BaseTransport, DEFAULT_MAX_MESSAGE_BYTES, TfError, resolveTransport } from '@tf/transport';
import type { ConsumerSpec, Logger, RawDelivery, Subscription, WireProperties } from '@tf/transport';

interface Line {
  level: string;
  obj: Record<string, unknown>;
  msg: string | undefined;
}

function recordingLogger(lines: Line[]): Logger {
  const at = (level: string) => (obj: unknown, msg?: string) => lines.push({ level, obj: obj as Record<string, unknown>, msg });
  const logger: Logger = {
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

/** Publishes into an array; `inject` hands a raw delivery to the consumer. */
class LoopTransport extends BaseTransport {
  readonly name = 'loop';
  readonly capabilities = { crossProcess: false, persistent: false, reconnect: false, deliveryCount: false };
  protected readonly driver = 'loop';
  protected readonly driverVersion = '0';
  readonly published: { topic: string; body: string; properties: WireProperties }[] = [];
  deliver: ((raw: RawDelivery) => void) | undefined;
  constructor(options: { maxMessageBytes?: number; logger?: Logger } = {}) {
    super({ url: 'loop://', ...options });
  }
  protected async doConnect(): Promise<void> {}
  protected async doClose(): Promise<void> {}
  protected async doPublish(_exchange: string, topic: string, body: string, properties: WireProperties): Promise<void> {
    this.published.push({ topic, body, properties });
  }
  protected async doConsume(_spec: ConsumerSpec, deliver: (raw: RawDelivery) => void): Promise<Subscription> {
    this.deliver = deliver;
    return { stop: () => undefined };
  }
}

function raw(body: string, settled: string[]): RawDelivery {
  return {
    body,
    properties: { headers: {} },
    redelivered: false,
    ack: () => {
      settled.push('ack');
    },
    reject: (requeue) => {
      settled.push(requeue ? 'requeue' : 'drop');
    },
  };
}

describe('maxMessageBytes', () => {
  it('defaults to 4 MiB', () => {
    expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(4 * 1024 * 1024);
    expect(new LoopTransport().maxMessageBytes).toBe(DEFAULT_MAX_MESSAGE_BYTES);
  });

  it('refuses a bad value', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, '10']) {
      expect(() => new LoopTransport({ maxMessageBytes: bad as number })).toThrow(/maxMessageBytes/);
    }
  });

  it('refuses to publish a message over the limit with TF_MESSAGE_TOO_LARGE naming size and limit', async () => {
    const t = new LoopTransport({ maxMessageBytes: 100 });
    await t.connect();
    await t.publish('ex', 'topic', 'x'.repeat(90));
    const error = await t.publish('ex', 'topic', 'x'.repeat(101)).catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_MESSAGE_TOO_LARGE')).toBe(true);
    expect((error as Error).message).toContain('101 bytes');
    expect((error as Error).message).toContain('100 bytes');
    // Multi-byte characters count in UTF-8 bytes; headers count too.
    await expect(t.publish('ex', 'topic', 'é'.repeat(51))).rejects.toMatchObject({ code: 'TF_MESSAGE_TOO_LARGE' });
    await expect(t.publish('ex', 'topic', 'x'.repeat(60), { headers: { pad: 'y'.repeat(50) } })).rejects.toMatchObject({
      code: 'TF_MESSAGE_TOO_LARGE',
    });
    expect(t.published).toHaveLength(1);
    await t.close();
  });

  it('drops a delivery over the limit without requeue, never calling the handler, and warns', async () => {
    const lines: Line[] = [];
    const t = new LoopTransport({ maxMessageBytes: 100, logger: recordingLogger(lines) });
    await t.connect();
    const handled: string[] = [];
    await t.consume('ex', 'in', (d) => {
      handled.push(d.body);
      return d.ack();
    });
    const settled: string[] = [];
    t.deliver?.(raw('x'.repeat(101), settled));
    t.deliver?.(raw('small', settled));
    await new Promise((r) => setTimeout(r, 10));
    expect(handled).toEqual(['small']);
    expect(settled).toEqual(['drop', 'ack']);
    const warn = lines.find((l) => l.level === 'warn');
    expect(warn?.obj).toMatchObject({ topic: 'in', size: 101, limit: 100 });
    await t.close();
  });

  it('reaches every transport through transportOptions (snake_case too), whatever its factory lists', async () => {
    for (const [transport, transportOptions] of [
      ['memory', { maxMessageBytes: 1000 }],
      ['memory', { max_message_bytes: 1000 }],
      ['redis', { maxMessageBytes: 1000 }],
      ['amqp', { maxMessageBytes: 1000 }],
      ['filesystem', { maxMessageBytes: 1000, dataFolder: '/tmp/tf-limits-test' }],
    ] as const) {
      const t = await resolveTransport({ transport, transportOptions });
      expect((t as BaseTransport).maxMessageBytes).toBe(1000);
    }
  });
});
