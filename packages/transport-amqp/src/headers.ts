import type { HeaderValue, MessageHeaders } from '@tf/transport';

/** How deep a received header value may nest; deeper parts become `null`. */
export const MAX_HEADER_DEPTH = 64;

/**
 * An AMQP field value as amqplib decodes it, made plain JSON: byte arrays become UTF-8
 * strings, typed values (`{ '!': 'timestamp', value }`, decimals) their number, bigints numbers.
 */
export function toHeaderValue(value: unknown, depth = 0): HeaderValue {
  if (value === null || value === undefined) return null;
  // Past the protocol's nesting limit nothing reads it: cut rather than recurse on.
  if (depth > MAX_HEADER_DEPTH) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return Number(value);
    case 'object':
      break;
    default:
      return String(value);
  }
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  if (Array.isArray(value)) return value.map((v) => toHeaderValue(v, depth + 1));
  const obj = value as Record<string, unknown>;
  if (Object.hasOwn(obj, '!') && Object.hasOwn(obj, 'value')) {
    const inner = obj['value'];
    if (obj['!'] === 'decimal' && inner !== null && typeof inner === 'object') {
      const { places, digits } = inner as { places?: unknown; digits?: unknown };
      if (typeof places === 'number' && typeof digits === 'number') {
        const n = digits / 10 ** places;
        return Number.isFinite(n) ? n : null;
      }
    }
    return toHeaderValue(inner, depth + 1);
  }
  const out: Record<string, HeaderValue> = {};
  for (const [k, v] of Object.entries(obj)) setOwn(out, k, toHeaderValue(v, depth + 1));
  return out;
}

/** `out[key] = value`, also for a key named `__proto__` (an assignment would replace the prototype). */
function setOwn(out: Record<string, HeaderValue>, key: string, value: HeaderValue): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
  else out[key] = value;
}

/** Headers of a received message as the transport contract has them: a plain JSON object, `{}` when none. */
export function fromAmqpHeaders(headers: Record<string, unknown> | undefined): MessageHeaders {
  const out: MessageHeaders = {};
  if (!headers) return out;
  for (const k in headers) if (Object.hasOwn(headers, k)) setOwn(out, k, toHeaderValue(headers[k]));
  return out;
}

/** An amqplib field value with its AMQP type stated. */
type AmqpField = string | boolean | null | { '!': 'int' | 'double'; value: number } | AmqpField[] | { [key: string]: AmqpField };

/**
 * Headers as amqplib should encode them so that every AMQP client reads them back: a number
 * left to amqplib may become a 16-bit `s` field, which py-amqp (kombu, Python TaskFlow) reads
 * as a short string and then fails on the whole message. Integers that fit go as 32-bit `I`,
 * other numbers as `d` doubles.
 */
export function toAmqpHeaders(headers: MessageHeaders): Record<string, AmqpField> {
  const out: Record<string, AmqpField> = {};
  for (const k in headers) if (Object.hasOwn(headers, k)) out[k] = toAmqpField(headers[k] as HeaderValue);
  return out;
}

function toAmqpField(value: HeaderValue): AmqpField {
  if (typeof value === 'number') {
    const int32 = Number.isInteger(value) && value >= -2_147_483_648 && value <= 2_147_483_647;
    return { '!': int32 ? 'int' : 'double', value };
  }
  if (Array.isArray(value)) return value.map(toAmqpField);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, AmqpField> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toAmqpField(v);
    return out;
  }
  return value;
}
