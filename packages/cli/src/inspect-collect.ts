import { randomUUID } from 'node:crypto';
import {
  MessageType,
  readInspectHeaders,
  readWorkerHeaders,
  resolveTransport,
  TfHeader,
  type Delivery,
  type InspectHeaders,
  type Transport,
  type TransportSelection,
} from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
import { InspectConnectTimeoutError } from './inspect-errors';

/** What `tf inspect` asks. */
export interface InspectOptions extends Pick<TransportSelection, 'transport' | 'url' | 'transportOptions'> {
  readonly exchange: string;
  readonly topics: readonly string[];
  /** How long answers are collected (and the most the connection may take). */
  readonly timeoutMs: number;
}

/** A worker that answered. */
export interface InspectedWorker {
  readonly topic: string;
  readonly tasks: readonly string[];
  /** A tf worker's id; undefined for a worker that says none (Python TaskFlow's). */
  readonly id: string | undefined;
  readonly concurrency: number | undefined;
  readonly heartbeatMs: number | undefined;
  /** What a tf worker tells an inspecting NOTIFY; empty for a Python worker. */
  readonly details: InspectHeaders;
  /** When its answer arrived (ms since the epoch). */
  readonly heardAt: number;
}

/** The most workers one inspection keeps (answers are untrusted input). */
export const MAX_INSPECTED_WORKERS = 1_000;

function within<T>(promise: Promise<T>, timeoutMs: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Asks every topic which workers are there, as an engine does (a NOTIFY with `reply_to`),
 * with `x-tf-inspect` so tf workers add what they run now. Topics are asked again several
 * times within `timeoutMs`: a topic shared by several workers hands each NOTIFY to one of
 * them. Resolves with the workers heard when `timeoutMs` is over.
 */
export async function collectWorkers(options: InspectOptions, transport?: Transport): Promise<InspectedWorker[]> {
  const { exchange, topics, timeoutMs } = options;
  const selection: Record<string, unknown> = {};
  if (options.transport !== undefined) selection['transport'] = options.transport;
  if (options.url !== undefined) selection['url'] = options.url;
  if (options.transportOptions !== undefined) selection['transportOptions'] = options.transportOptions;
  const owned = transport === undefined;
  const t = transport ?? (await resolveTransport(selection));
  const started = Date.now();
  try {
    await within(t.connect(), timeoutMs, () => new InspectConnectTimeoutError(timeoutMs));
    const replyTopic = `tf-inspect-${randomUUID()}`;
    const heard = new Map<string, InspectedWorker>();
    const onAnswer = (delivery: Delivery): void => {
      let message: ReturnType<typeof decodeMessage>;
      try {
        message = decodeMessage(delivery);
      } catch {
        return; // not a valid answer: anyone on the broker can send one
      }
      if (message.type !== MessageType.NOTIFY || !('topic' in message.body) || !topics.includes(message.body.topic)) return;
      const headers = message.properties.headers ?? {};
      const worker = readWorkerHeaders(headers);
      const key = worker.worker ?? `python@${message.body.topic}`;
      if (!heard.has(key) && heard.size >= MAX_INSPECTED_WORKERS) return;
      heard.set(key, {
        topic: message.body.topic,
        tasks: message.body.tasks,
        id: worker.worker,
        concurrency: worker.concurrency,
        heartbeatMs: worker.heartbeatMs,
        details: worker.worker === undefined ? {} : readInspectHeaders(headers),
        heardAt: Date.now(),
      });
    };
    const consumer = await within(
      t.consume(exchange, replyTopic, onAnswer, { autoAck: true, temporary: true }),
      Math.max(1, timeoutMs - (Date.now() - started)),
      () => new InspectConnectTimeoutError(timeoutMs),
    );
    const ask = () =>
      Promise.all(
        topics.map((topic) =>
          t
            .publish(
              exchange,
              topic,
              '{}',
              { type: MessageType.NOTIFY, replyTo: replyTopic, headers: { [TfHeader.INSPECT]: true } },
              { createTopic: false },
            )
            .catch(() => undefined),
        ),
      );
    const rounds = 5;
    const interval = Math.max(50, Math.floor(timeoutMs / rounds));
    const deadline = started + timeoutMs;
    while (Date.now() < deadline) {
      await ask();
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(interval, deadline - Date.now()))));
    }
    await consumer.cancel().catch(() => undefined);
    return [...heard.values()].sort((a, b) => a.topic.localeCompare(b.topic) || (a.id ?? '').localeCompare(b.id ?? ''));
  } finally {
    if (owned) await t.close({ timeoutMs: 1_000 }).catch(() => undefined);
  }
}
