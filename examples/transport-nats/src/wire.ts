import { headers as natsHeaders } from '@nats-io/transport-node';
import type { MsgHdrs } from '@nats-io/transport-node';
import type { MessageHeaders, MessageProperties } from '@tf/transport';
import { NatsErrorCode, NatsTransportError, errorMessage } from './errors';

/**
 * NATS header names of a message's properties. Each value is JSON text: a header value may
 * not hold CR or LF and loses edge spaces, JSON keeps any string exactly. The tf headers travel
 * as one JSON object: their keys are arbitrary strings, NATS header keys are not.
 */
export const HEADER = {
  type: 'Tf-Type',
  replyTo: 'Tf-Reply-To',
  correlationId: 'Tf-Correlation-Id',
  headers: 'Tf-Headers',
} as const;

/** Deeper tf headers than this are refused (a JSON parse of a deeply nested header is the cost an attacker would pick). */
export const MAX_HEADER_DEPTH = 64;

/** The NATS headers of a message; `undefined` when it has no properties (no header block at all). */
export function encodeProperties(p: MessageProperties): MsgHdrs | undefined {
  let h: MsgHdrs | undefined;
  const set = (name: string, value: unknown): void => {
    h ??= natsHeaders();
    h.set(name, JSON.stringify(value));
  };
  if (p.type !== undefined) set(HEADER.type, p.type);
  if (p.replyTo !== undefined) set(HEADER.replyTo, p.replyTo);
  if (p.correlationId !== undefined) set(HEADER.correlationId, p.correlationId);
  if (p.headers && Object.keys(p.headers).length > 0) set(HEADER.headers, p.headers);
  return h;
}

function depthOf(value: unknown, limit: number): number {
  // Iterative: a hostile header must not overflow the stack.
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (d > max) max = d;
    if (max > limit) return max;
    if (v !== null && typeof v === 'object') for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return max;
}

function parse(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new NatsTransportError(NatsErrorCode.BadMessage, `nats transport: header ${name} is not JSON: ${errorMessage(err)}`, {
      cause: err,
    });
  }
}

function stringHeader(h: MsgHdrs, name: string): string | undefined {
  if (!h.has(name)) return undefined;
  const value = parse(name, h.get(name));
  if (typeof value !== 'string')
    throw new NatsTransportError(NatsErrorCode.BadMessage, `nats transport: header ${name} is not a JSON string.`);
  return value;
}

/** A received message's properties. Headers that are not ours are ignored; ours, malformed, are a `TF_NATS_BAD_MESSAGE`. */
export function decodeProperties(h: MsgHdrs | undefined): MessageProperties {
  const properties: MessageProperties = { headers: {} };
  if (!h) return properties;
  const type = stringHeader(h, HEADER.type);
  const replyTo = stringHeader(h, HEADER.replyTo);
  const correlationId = stringHeader(h, HEADER.correlationId);
  if (type !== undefined) properties.type = type;
  if (replyTo !== undefined) properties.replyTo = replyTo;
  if (correlationId !== undefined) properties.correlationId = correlationId;
  if (h.has(HEADER.headers)) {
    const value = parse(HEADER.headers, h.get(HEADER.headers));
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new NatsTransportError(NatsErrorCode.BadMessage, `nats transport: header ${HEADER.headers} is not a JSON object.`);
    }
    if (depthOf(value, MAX_HEADER_DEPTH) > MAX_HEADER_DEPTH) {
      throw new NatsTransportError(
        NatsErrorCode.BadMessage,
        `nats transport: header ${HEADER.headers} is nested deeper than ${MAX_HEADER_DEPTH}.`,
      );
    }
    properties.headers = value as MessageHeaders;
  }
  return properties;
}
