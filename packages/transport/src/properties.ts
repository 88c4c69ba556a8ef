import { InvalidArgumentError } from './tf-error';
import { normaliseOptionKeys } from './options';
import type { MessageHeaders, MessageProperties } from './types';

/** Message properties as a `BaseTransport` subclass receives and returns them: headers always present. */
export type WireProperties = MessageProperties & { headers: MessageHeaders };

/** A copy of the known properties; headers copied one level deep and `{}` when absent. */
export function copyProperties(p: MessageProperties): WireProperties {
  const out: WireProperties = { headers: { ...(p.headers ?? {}) } };
  if (p.type !== undefined) out.type = p.type;
  if (p.replyTo !== undefined) out.replyTo = p.replyTo;
  if (p.correlationId !== undefined) out.correlationId = p.correlationId;
  return out;
}

const PROPERTY_NAMES = ['type', 'replyTo', 'correlationId', 'headers'];

/**
 * The common case of `normaliseProperties` (every publish): camelCase names only, strings
 * and a plain headers object. `undefined` when anything else is there (the general path
 * then checks it and says what is wrong).
 */
function fastProperties(p: MessageProperties | undefined): WireProperties | undefined {
  if (p === undefined || p === null) return { headers: {} };
  if (typeof p !== 'object' || Array.isArray(p)) return undefined;
  const out: WireProperties = { headers: {} };
  for (const key of Object.keys(p)) {
    const value = (p as Record<string, unknown>)[key];
    if (value === undefined) continue;
    switch (key) {
      case 'type':
      case 'replyTo':
      case 'correlationId':
        if (typeof value !== 'string') return undefined;
        out[key] = value;
        break;
      case 'headers':
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
        out.headers = { ...(value as MessageHeaders) };
        break;
      default:
        return undefined;
    }
  }
  return out;
}

/** Check and copy publish properties (snake_case `reply_to`/`correlation_id` accepted). */
export function normaliseProperties(properties: MessageProperties | undefined): WireProperties {
  const fast = fastProperties(properties);
  if (fast !== undefined) return fast;
  const p = normaliseOptionKeys(properties);
  for (const [key, value] of Object.entries(p)) {
    if (!PROPERTY_NAMES.includes(key)) {
      throw new InvalidArgumentError(`Unknown message property '${key}'. Allowed: ${PROPERTY_NAMES.join(', ')}.`);
    }
    if (key === 'headers') {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new InvalidArgumentError('Message property headers must be an object.');
      }
    } else if (typeof value !== 'string') {
      throw new InvalidArgumentError(`Message property '${key}' must be a string, got ${typeof value}.`);
    }
  }
  return copyProperties(p as MessageProperties);
}
