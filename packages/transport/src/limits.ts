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

/** Bytes of `value` in UTF-8 (`bound`: an upper bound, without encoding: a UTF-16 unit is at most 3 bytes). */
function textBytes(value: string, bound: boolean): number {
  return bound ? value.length * 3 : Buffer.byteLength(value, 'utf8');
}

/**
 * The properties' size in bytes (headers as JSON). `bound`: an upper bound instead, without
 * encoding anything but nested header values.
 */
function headerBytes(properties: MessageProperties, bound: boolean): number {
  let bytes = 0;
  if (typeof properties.type === 'string') bytes += textBytes(properties.type, bound);
  if (typeof properties.replyTo === 'string') bytes += textBytes(properties.replyTo, bound);
  if (typeof properties.correlationId === 'string') bytes += textBytes(properties.correlationId, bound);
  const headers = properties.headers;
  if (headers === undefined || headers === null || typeof headers !== 'object') return bytes;
  for (const key in headers) {
    if (!Object.hasOwn(headers, key)) continue;
    const value: unknown = headers[key];
    bytes += textBytes(key, bound);
    if (typeof value === 'string') bytes += textBytes(value, bound);
    else if (value === null || typeof value !== 'object') bytes += bound ? 24 : String(value).length;
    else if (bound && Array.isArray(value) && value.every((item) => typeof item === 'string')) {
      // An id list (heartbeats, CANCEL): quoted, comma-separated strings, without encoding it.
      bytes += 2;
      for (const item of value as string[]) bytes += item.length * 3 + 3;
    } else {
      let json: string | undefined;
      try {
        json = JSON.stringify(value);
      } catch {
        // A header no transport can carry: the transport's own encoding refuses it.
        json = undefined;
      }
      bytes += json === undefined ? 0 : textBytes(json, bound);
    }
  }
  return bytes;
}

/**
 * The size of a message when it is over `limit`, else `undefined`: the body's UTF-8 bytes
 * plus the properties' (headers as JSON). Cheap for the usual message: under the limit by an
 * upper bound, nothing is encoded or counted exactly.
 */
export function oversizeBytes(body: string, properties: MessageProperties, limit: number): number | undefined {
  if (body.length * 3 + headerBytes(properties, true) <= limit) return undefined;
  const size = Buffer.byteLength(body, 'utf8') + headerBytes(properties, false);
  return size > limit ? size : undefined;
}
