import { InvalidArgumentError } from './tf-error';
import { TransportError, TransportErrorCode } from './errors';
import type { MessageProperties } from './types';

/** The largest message (body plus properties, UTF-8 bytes) a transport publishes or hands to a handler: 4 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

/**
 * Options every `BaseTransport` understands, whichever the transport: accepted in
 * `transportOptions` beside the transport's own (see `BASE_TRANSPORT_OPTION_NAMES`).
 */
export interface CommonTransportOptions {
  /** Largest message published or delivered, in bytes (body plus properties). Default 4 MiB. */
  maxMessageBytes?: number | undefined;
}

/** The `transportOptions` names every transport accepts, beside those its factory lists. */
export const BASE_TRANSPORT_OPTION_NAMES = ['maxMessageBytes'] as const satisfies readonly (keyof CommonTransportOptions)[];

/** A message over `maxMessageBytes`: refused on publish (`TF_MESSAGE_TOO_LARGE`). */
export class MessageTooLargeError extends TransportError {
  readonly size: number;
  readonly limit: number;
  readonly topic: string;
  constructor(topic: string, size: number, limit: number) {
    super(
      TransportErrorCode.MessageTooLarge,
      `A message of ${size} bytes to topic '${topic}' is over the limit of ${limit} bytes (maxMessageBytes).`,
    );
    this.size = size;
    this.limit = limit;
    this.topic = topic;
  }
}

/** Check `maxMessageBytes`: a whole number >= 1, default `DEFAULT_MAX_MESSAGE_BYTES`. */
export function resolveMaxMessageBytes(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_MESSAGE_BYTES;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidArgumentError(`Transport option maxMessageBytes must be a whole number of bytes >= 1, got ${String(value)}.`);
  }
  return value;
}

function headerBytes(properties: MessageProperties): number {
  let bytes = 0;
  for (const key of ['type', 'replyTo', 'correlationId'] as const) {
    const value = properties[key];
    if (typeof value === 'string') bytes += Buffer.byteLength(value, 'utf8');
  }
  const headers = properties.headers;
  if (headers === undefined || headers === null || typeof headers !== 'object') return bytes;
  for (const key of Object.keys(headers)) {
    const value: unknown = headers[key];
    bytes += Buffer.byteLength(key, 'utf8');
    if (typeof value === 'string') bytes += Buffer.byteLength(value, 'utf8');
    else {
      let text: string | undefined;
      try {
        text = JSON.stringify(value);
      } catch {
        // A header no transport can carry: the transport's own encoding refuses it.
        text = undefined;
      }
      bytes += text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
    }
  }
  return bytes;
}

/**
 * The size of a message when it may be over `limit`, else `undefined` (cheap: a body under
 * a third of the limit in UTF-16 units needs no byte count, a unit being at most 3 bytes).
 * The size is the body's UTF-8 bytes plus the properties' (headers as JSON).
 */
export function oversizeBytes(body: string, properties: MessageProperties, limit: number): number | undefined {
  const props = headerBytes(properties);
  if (body.length * 3 + props <= limit) return undefined;
  const size = (body.length > limit ? body.length : Buffer.byteLength(body, 'utf8')) + props;
  return size > limit ? size : undefined;
}
