import type { MessageProperties, WireProperties } from '@tf/transport';
import { describeError } from './errors';

/** A message file's content: one JSON object per message (format version 1). */
export interface MessageFile {
  v?: number;
  exchange?: string;
  topic?: string;
  publishedAt?: string;
  properties?: MessageProperties;
  body: string;
}

/** The text of a new message file. */
export function encodeMessageFile(exchange: string, topic: string, body: string, properties: WireProperties): string {
  const file: MessageFile = { v: 1, exchange, topic, publishedAt: new Date().toISOString(), properties, body };
  return JSON.stringify(file);
}

/** Check a message file's parsed JSON; returns the reason it is unusable, or the message. */
function checkMessage(value: unknown): { message: MessageFile } | { reason: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { reason: 'not a JSON object' };
  const v = value as Record<string, unknown>;
  if (v['v'] !== undefined && v['v'] !== 1) return { reason: `unsupported format version ${JSON.stringify(v['v'])}` };
  if (typeof v['body'] !== 'string') return { reason: 'no string "body"' };
  const p = v['properties'];
  if (p !== undefined) {
    if (p === null || typeof p !== 'object' || Array.isArray(p)) return { reason: '"properties" is not an object' };
    const props = p as Record<string, unknown>;
    for (const key of ['type', 'replyTo', 'correlationId']) {
      if (props[key] !== undefined && typeof props[key] !== 'string') return { reason: `properties.${key} is not a string` };
    }
    const h = props['headers'];
    if (h !== undefined && (h === null || typeof h !== 'object' || Array.isArray(h))) {
      return { reason: 'properties.headers is not an object' };
    }
  }
  return { message: v as unknown as MessageFile };
}

/** Read a message file's text: the message, or why it cannot be delivered. */
export function decodeMessageFile(content: string): { message: MessageFile } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(content);
  } catch (err) {
    return { reason: `not valid JSON (${content.length} chars): ${describeError(err)}` };
  }
  const checked = checkMessage(value);
  return 'reason' in checked ? { reason: `not a tf message: ${checked.reason}` } : checked;
}
