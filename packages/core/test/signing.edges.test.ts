import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  SigningHeader,
  signingKeys,
  signMessage,
  TfError,
  verifyMessage,
  type SignedEnvelope,
  type SigningOptions,
} from '@tf/core';

const SECRET = 'a secret of at least thirty-two bytes!';
const keys = signingKeys(SECRET);
const envelope = (headers?: Record<string, unknown>): SignedEnvelope =>
  ({
    exchange: 'ex',
    topic: 'jobs',
    properties: { type: 'REQUEST', correlationId: 'c1', ...(headers === undefined ? {} : { headers }) },
  }) as SignedEnvelope;
const now = 1_700_000_000_000;

function configError(input: unknown): Error {
  try {
    signingKeys(input as SigningOptions);
  } catch (error) {
    expect(TfError.is(error, 'TF_SIGNING_CONFIG')).toBe(true);
    return error as Error;
  }
  throw new Error('expected a SigningConfigError');
}

describe('canonicalJson', () => {
  it('writes null for null and undefined, arrays in order, objects with sorted keys and no undefined values', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([2, 'a', null, [true]])).toBe('[2,"a",null,[true]]');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({ b: 1, a: { d: [1], c: 'x' }, u: undefined } as never)).toBe('{"a":{"c":"x","d":[1]},"b":1}');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson('s')).toBe('"s"');
  });
});

describe('signMessage and verifyMessage, the edges', () => {
  it('signs and verifies a message with no headers at all', () => {
    const headers = signMessage(keys, envelope(), '{}', now);
    expect(verifyMessage(keys, envelope(headers), '{}', now)).toEqual({ ok: true, keyId: 'default' });
  });

  it('calls a message with any signing header but not all of them malformed, not unsigned', () => {
    const signed = signMessage(keys, envelope({ a: 1 }), '{}', now);
    for (const only of [SigningHeader.SIGNATURE, SigningHeader.KEY_ID, SigningHeader.SIGNED_AT]) {
      const headers = { a: 1, [only]: signed[only] };
      expect(verifyMessage(keys, envelope(headers), '{}', now)).toEqual({ ok: false, reason: 'malformed' });
    }
    expect(verifyMessage(keys, envelope({ a: 1 }), '{}', now)).toEqual({ ok: false, reason: 'unsigned' });
    expect(verifyMessage(keys, envelope({ ...signed, [SigningHeader.SIGNED_AT]: 1.5 }), '{}', now)).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('covers every header but those a broker sets: changing a look-alike breaks the signature', () => {
    const base = { a: 1, 'x-first-death-queue': 'q', 'x-last-death-reason': 'r', 'my-x-first-death-': 1, 'my-x-last-death-': 1 };
    const signed = signMessage(keys, envelope(base), '{}', now);
    expect(verifyMessage(keys, envelope({ ...signed, 'x-first-death-queue': 'other', 'x-last-death-reason': 'other' }), '{}', now).ok).toBe(
      true,
    );
    expect(verifyMessage(keys, envelope({ ...signed, 'my-x-first-death-': 2 }), '{}', now)).toEqual({ ok: false, reason: 'badSignature' });
    expect(verifyMessage(keys, envelope({ ...signed, 'my-x-last-death-': 2 }), '{}', now)).toEqual({ ok: false, reason: 'badSignature' });
    expect(verifyMessage(keys, envelope({ ...signed, a: [1] }), '{}', now)).toEqual({ ok: false, reason: 'badSignature' });
    expect(verifyMessage(keys, envelope({ ...signed, b: undefined }), '{}', now).ok).toBe(true);
  });
});

describe('signingKeys, the edges', () => {
  it('refuses what is not a secret nor a keyring', () => {
    for (const input of [null, 42, [SECRET]]) {
      expect(configError(input).message).toContain('must be a secret (a string or a Buffer) or { keys: { id: secret }, current: id }.');
    }
  });

  it('refuses keys that are not a non-empty object', () => {
    for (const given of [null, 'k', [SECRET], {}]) {
      expect(configError({ keys: given, current: 'k' }).message).toContain("'keys' must be an object of at least one key id -> secret.");
    }
  });

  it('refuses a secret of the wrong type, naming the type, null included', () => {
    expect(configError({ keys: { k: 5 }, current: 'k' }).message).toContain("key 'k' must be a string or bytes (a Buffer), got number.");
    expect(configError({ keys: { k: null }, current: 'k' }).message).toContain("key 'k' must be a string or bytes (a Buffer), got null.");
  });

  it('takes bytes and base64 with spaces around, and a utf8 string as its bytes', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(signingKeys({ keys: { k: new Uint8Array(bytes) }, current: 'k' }).secret('k')).toEqual(bytes);
    expect(signingKeys({ keys: { k: ` base64:${bytes.toString('base64')} `.trim() }, current: 'k' }).secret('k')).toEqual(bytes);
    expect(signingKeys({ keys: { k: `base64: ${bytes.toString('base64')} ` }, current: 'k' }).secret('k')).toEqual(bytes);
    expect(signingKeys({ keys: { k: 'é'.repeat(16) }, current: 'k' }).secret('k')).toEqual(Buffer.from('é'.repeat(16), 'utf8'));
  });

  it("names the keys a wrong 'current' could have named, and shows only ids in JSON", () => {
    const error = configError({ keys: { a: SECRET, b: SECRET }, current: 'c' });
    expect(error.message).toContain(`'current' must name one of the keys (a, b), got "c".`);
    expect(configError({ keys: { a: SECRET }, current: 1 }).message).toContain('got 1.');
    expect(JSON.parse(JSON.stringify(signingKeys({ keys: { a: SECRET, b: SECRET }, current: 'b' })))).toEqual({
      currentId: 'b',
      ids: ['a', 'b'],
    });
  });

  it('refuses windows that are not finite numbers of milliseconds >= 0, naming which', () => {
    for (const bad of ['5', -1, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(configError({ keys: { a: SECRET }, current: 'a', maxAgeMs: bad }).message).toContain(
        'maxAgeMs must be a number of milliseconds >= 0',
      );
      expect(configError({ keys: { a: SECRET }, current: 'a', maxFutureMs: bad }).message).toContain(
        'maxFutureMs must be a number of milliseconds >= 0',
      );
    }
    expect(signingKeys({ keys: { a: SECRET }, current: 'a', maxAgeMs: 0, maxFutureMs: 0 }).maxAgeMs).toBe(0);
  });
});
