import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { HeaderValue, MessageHeaders, MessageProperties } from '@tf/transport';
import type { SigningKeys } from './signing-keys';

/** The headers a signed message carries. */
export const SigningHeader = {
  /** HMAC-SHA256 of the message (see `signingInput`), lowercase hex. */
  SIGNATURE: 'x-tf-signature',
  /** The id of the key that signed. */
  KEY_ID: 'x-tf-key-id',
  /** When it was signed: ms since the epoch. */
  SIGNED_AT: 'x-tf-signed-at',
} as const;

/** Why a message was refused. */
export type SignatureRejection = 'unsigned' | 'malformed' | 'unknownKey' | 'stale' | 'badSignature';

export type VerifyResult = { readonly ok: true; readonly keyId: string } | { readonly ok: false; readonly reason: SignatureRejection };

/** What a signature covers besides the body. */
export interface SignedEnvelope {
  readonly exchange: string;
  readonly topic: string;
  readonly properties: Readonly<MessageProperties>;
}

const VERSION = 'tf-hmac-sha256-v1';
const SIGNATURE = /^[0-9a-f]{64}$/;

/**
 * Headers a broker adds or changes on the way (RabbitMQ's quorum-queue redelivery count and
 * dead-lettering history): a signature over them would fail on a redelivered message.
 */
function setByBroker(name: string): boolean {
  return name === 'x-delivery-count' || name === 'x-death' || name.startsWith('x-first-death-') || name.startsWith('x-last-death-');
}

function isSigningHeader(name: string): boolean {
  return name === SigningHeader.SIGNATURE || name === SigningHeader.KEY_ID || name === SigningHeader.SIGNED_AT;
}

/** JSON with object keys sorted at every level: the same headers give the same text, whatever order they came in. */
export function canonicalJson(value: HeaderValue | undefined): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const parts: string[] = [];
    for (const key of Object.keys(value).sort()) {
      if (value[key] === undefined) continue; // JSON (every transport's wire) drops it too
      parts.push(`${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The headers a signature covers: all but the signature's own and those a broker sets. */
function coveredHeaders(headers: MessageHeaders | undefined): MessageHeaders {
  const out: MessageHeaders = {};
  if (!headers) return out;
  for (const [name, value] of Object.entries(headers)) {
    // defineProperty: a header named `__proto__` is a key to cover, not a prototype to set.
    if (!isSigningHeader(name) && !setByBroker(name)) Object.defineProperty(out, name, { value, enumerable: true, writable: true });
  }
  return out;
}

/**
 * The text before the body that the MAC covers: one JSON array (self-delimiting, one line)
 * of the version, key id, time, destination, properties and canonical headers.
 */
export function signingInput(envelope: SignedEnvelope, keyId: string, signedAt: number): string {
  const { type, replyTo, correlationId, headers } = envelope.properties;
  const fields = JSON.stringify([
    VERSION,
    keyId,
    signedAt,
    envelope.exchange,
    envelope.topic,
    type ?? null,
    replyTo ?? null,
    correlationId ?? null,
  ]);
  return `${fields.slice(0, -1)},${canonicalJson(coveredHeaders(headers))}]\n`;
}

function mac(secret: KeyObject, envelope: SignedEnvelope, keyId: string, signedAt: number, body: string): Buffer {
  return createHmac('sha256', secret)
    .update(signingInput(envelope, keyId, signedAt))
    .update(body)
    .digest();
}

/**
 * The headers of `envelope` plus the signature's (any earlier signature headers replaced),
 * signed with the current key at `now`.
 */
export function signMessage(keys: SigningKeys, envelope: SignedEnvelope, body: string, now: number = Date.now()): MessageHeaders {
  const keyId = keys.currentId;
  const signature = mac(keys.macKey(keyId)!, envelope, keyId, now, body).toString('hex');
  return {
    ...envelope.properties.headers,
    [SigningHeader.SIGNATURE]: signature,
    [SigningHeader.KEY_ID]: keyId,
    [SigningHeader.SIGNED_AT]: now,
  };
}

/** Checks a received message's signature, key id and time against `keys`, in constant time for the MAC. */
export function verifyMessage(keys: SigningKeys, envelope: SignedEnvelope, body: string, now: number = Date.now()): VerifyResult {
  const headers = envelope.properties.headers ?? {};
  const signature = headers[SigningHeader.SIGNATURE];
  const keyId = headers[SigningHeader.KEY_ID];
  const signedAt = headers[SigningHeader.SIGNED_AT];
  if (signature === undefined && keyId === undefined && signedAt === undefined) return { ok: false, reason: 'unsigned' };
  if (typeof signature !== 'string' || !SIGNATURE.test(signature) || typeof keyId !== 'string' || !Number.isSafeInteger(signedAt)) {
    return { ok: false, reason: 'malformed' };
  }
  const secret = keys.macKey(keyId);
  if (secret === undefined) return { ok: false, reason: 'unknownKey' };
  const at = signedAt as number;
  if (now - at > keys.maxAgeMs || at - now > keys.maxFutureMs) return { ok: false, reason: 'stale' };
  const expected = mac(secret, envelope, keyId, at, body);
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: false, reason: 'badSignature' };
  return { ok: true, keyId };
}
