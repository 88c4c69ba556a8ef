import { randomUUID } from 'node:crypto';
import type { Logger, MessageHeaders, RequestBody, ResponseBody } from '@tf/core';
import { decodeMessage, encodeBody, type DecodedMessage } from '@tf/core/internal';
import { MemoryTransport } from '@tf/transport-memory';
import { vi } from 'vitest';

let counter = 0;

/** A unique exchange name per test, so tests never see each other's messages. */
export function uniqueExchange(): string {
  counter += 1;
  return `wx-${process.pid}-${counter}-${randomUUID().slice(0, 8)}`;
}

export interface Received {
  readonly type: string;
  readonly correlationId: string | undefined;
  readonly body: DecodedMessage['body'];
  readonly headers: MessageHeaders;
}

/**
 * Plays the engine's side over the memory transport: publishes REQUESTs and NOTIFYs as
 * TaskFlow's engine does and collects what comes back on its reply topic, validated with
 * decodeMessage.
 */
export class FakeEngine {
  readonly transport = new MemoryTransport();
  readonly replyTo = `engine-${randomUUID()}`;
  readonly received: Received[] = [];
  readonly invalid: unknown[] = [];

  constructor(readonly exchange: string) {}

  async start(): Promise<this> {
    await this.transport.connect();
    await this.transport.consume(this.exchange, this.replyTo, async (delivery) => {
      try {
        const m = decodeMessage(delivery);
        this.received.push({ type: m.type, correlationId: m.properties.correlationId, body: m.body, headers: delivery.properties.headers });
      } catch (error) {
        this.invalid.push(error);
      }
      await delivery.ack();
    });
    return this;
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  /** Publishes a REQUEST; returns its correlation id. */
  async request(
    topic: string,
    body: Partial<RequestBody> & { task_cls: string },
    correlationId: string = randomUUID(),
    headers: MessageHeaders = {},
  ): Promise<string> {
    const full: RequestBody = {
      task_name: body.task_cls,
      task_version: [1, 0],
      action: 'execute',
      arguments: {},
      ...body,
    };
    await this.transport.publish(this.exchange, topic, encodeBody(full), {
      type: 'REQUEST',
      replyTo: this.replyTo,
      correlationId,
      headers,
    });
    return correlationId;
  }

  /** Publishes an engine's NOTIFY (`{}`). */
  async notify(topic: string): Promise<void> {
    await this.transport.publish(this.exchange, topic, '{}', { type: 'NOTIFY', replyTo: this.replyTo });
  }

  /** Publishes anything, raw. */
  async raw(
    topic: string,
    body: string,
    properties: { type?: string; replyTo?: string; correlationId?: string; headers?: MessageHeaders } = {},
  ): Promise<void> {
    await this.transport.publish(this.exchange, topic, body, properties);
  }

  responses(correlationId: string): ResponseBody[] {
    return this.received.filter((m) => m.type === 'RESPONSE' && m.correlationId === correlationId).map((m) => m.body as ResponseBody);
  }

  /** Waits for a SUCCESS or FAILURE for `correlationId`; returns every response for it so far. */
  async final(correlationId: string, timeout = 3000): Promise<ResponseBody[]> {
    return vi.waitFor(
      () => {
        const all = this.responses(correlationId);
        if (!all.some((r) => r.state === 'SUCCESS' || r.state === 'FAILURE')) throw new Error(`no final response for ${correlationId} yet`);
        return all;
      },
      { timeout, interval: 5 },
    );
  }
}

/** A logger that records what it is told. */
export function recordingLogger(): Logger & { records: { level: string; obj: unknown; msg: string | undefined }[] } {
  const records: { level: string; obj: unknown; msg: string | undefined }[] = [];
  const at =
    (level: string) =>
    (obj: unknown, msg?: string): void => {
      records.push({ level, obj, msg });
    };
  const logger = {
    records,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
