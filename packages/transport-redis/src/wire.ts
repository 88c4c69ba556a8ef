import { TfError } from '@tf/transport';
import type { HeaderValue, MessageHeaders, MessageProperties } from '@tf/transport';
import { errorMessage } from './errors';

/** Field names of a stream entry: a message's body and properties (TaskFlow's AMQP property names). */
export const FIELDS = {
  body: 'body',
  type: 'type',
  replyTo: 'reply_to',
  correlationId: 'correlation_id',
  headers: 'headers',
  /** Deliveries before this copy of the message was added (set by a requeue). */
  prior: 'n',
} as const;

/** The XADD field list of a message. Absent properties and empty headers are left out. */
export function entryFields(body: string, p: MessageProperties): string[] {
  const out: string[] = [FIELDS.body, body];
  if (p.type !== undefined) out.push(FIELDS.type, p.type);
  if (p.replyTo !== undefined) out.push(FIELDS.replyTo, p.replyTo);
  if (p.correlationId !== undefined) out.push(FIELDS.correlationId, p.correlationId);
  if (p.headers && Object.keys(p.headers).length > 0) out.push(FIELDS.headers, JSON.stringify(p.headers));
  return out;
}

/**
 * A decoded entry; `undefined` when it is not one of ours (no `body`). Headers that are not
 * JSON are a `TfError` `TF_REDIS_BAD_ENTRY` (the consumer drops the entry).
 */
export function parseEntry(fields: readonly string[]): { body: string; properties: MessageProperties; prior: number } | undefined {
  let body: string | undefined;
  const properties: MessageProperties = { headers: {} };
  let prior = 0;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i];
    const value = fields[i + 1] as string;
    switch (name) {
      case FIELDS.body:
        body = value;
        break;
      case FIELDS.type:
        properties.type = value;
        break;
      case FIELDS.replyTo:
        properties.replyTo = value;
        break;
      case FIELDS.correlationId:
        properties.correlationId = value;
        break;
      case FIELDS.headers: {
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch (err) {
          throw new TfError('TF_REDIS_BAD_ENTRY', `redis transport: an entry's headers are not JSON: ${errorMessage(err)}`, { cause: err });
        }
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
          properties.headers = parsed as Record<string, HeaderValue> as MessageHeaders;
        }
        break;
      }
      case FIELDS.prior: {
        const n = Number(value);
        if (Number.isInteger(n) && n >= 0) prior = n;
        break;
      }
      default:
        break;
    }
  }
  return body === undefined ? undefined : { body, properties, prior };
}
