import type { Channel, ConsumeMessage, Options } from 'amqplib';
import type { RawDelivery, WireProperties } from '@tf/transport';
import { fromAmqpHeaders, toAmqpHeaders } from './headers';
import type { DeclareFlags } from './options';

/** The queue of `topic` in `exchange`, as TaskFlow names it. */
export function queueName(exchange: string, topic: string): string {
  return `${exchange}_${topic}`;
}

/** AMQP properties of a published message: TaskFlow's (kombu's) exactly, plus what was given (and `expiration` for a TTL). */
export function publishOptions(p: WireProperties, ttlMs?: number): Options.Publish {
  const out: Options.Publish = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    deliveryMode: 2,
    headers: toAmqpHeaders(p.headers),
    mandatory: true,
  };
  if (p.type !== undefined) out.type = p.type;
  if (p.replyTo !== undefined) out.replyTo = p.replyTo;
  if (p.correlationId !== undefined) out.correlationId = p.correlationId;
  if (ttlMs !== undefined) out.expiration = String(ttlMs);
  return out;
}

export function deliveryOf(msg: ConsumeMessage, ack: RawDelivery['ack'], reject: RawDelivery['reject']): RawDelivery {
  const headers = fromAmqpHeaders(msg.properties.headers);
  const props: WireProperties = { headers };
  const { type, replyTo, correlationId } = msg.properties as { type?: unknown; replyTo?: unknown; correlationId?: unknown };
  if (typeof type === 'string') props.type = type;
  if (typeof replyTo === 'string') props.replyTo = replyTo;
  if (typeof correlationId === 'string') props.correlationId = correlationId;
  // Quorum queues count earlier deliveries in x-delivery-count; classic queues do not.
  const previous = headers['x-delivery-count'];
  return {
    body: msg.content.toString('utf8'),
    properties: props,
    redelivered: msg.fields.redelivered,
    deliveryCount: typeof previous === 'number' ? previous + 1 : undefined,
    ack,
    reject,
  };
}

/**
 * Declare `<exchange>` (direct) and `<exchange>_<topic>` bound with routing key `<topic>`.
 * `expiresMs`: the queue's `x-expires` (a temporary topic under flags that are not auto-delete).
 */
export async function declareTopic(
  ch: Channel,
  exchange: string,
  topic: string,
  ex: DeclareFlags,
  q: DeclareFlags,
  expiresMs?: number,
): Promise<string> {
  const queue = queueName(exchange, topic);
  await ch.assertExchange(exchange, 'direct', { durable: ex.durable, autoDelete: ex.autoDelete });
  // No `arguments` at all otherwise: Python TaskFlow declares its queues without any, and
  // RabbitMQ refuses (406) a declaration whose arguments differ from the queue's.
  await ch.assertQueue(
    queue,
    expiresMs === undefined
      ? { durable: q.durable, autoDelete: q.autoDelete, exclusive: false }
      : { durable: q.durable, autoDelete: q.autoDelete, exclusive: false, arguments: { 'x-expires': expiresMs } },
  );
  await ch.bindQueue(queue, exchange, topic);
  return queue;
}
