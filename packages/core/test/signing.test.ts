import { describe, expect, it } from 'vitest';
import {
  isTransport,
  parseSigningKeyText,
  SigningConfigError,
  SigningHeader,
  signingKeys,
  signMessage,
  signedTransport,
  TfError,
  TRANSPORT_BRAND,
  verifyMessage,
  type Delivery,
  type DeliveryHandler,
  type MessageHeaders,
  type MessageProperties,
  type SignedEnvelope,
  type Transport,
} from '@tf/core';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const OTHER = 'another-secret-that-is-also-long-enough-98765';
const NOW = 1_800_000_000_000;
const keys = signingKeys(SECRET);
const BODY = JSON.stringify({ state: 'SUCCESS', data: { result: 42 } });

function envelope(properties: MessageProperties = {}): SignedEnvelope {
  return {
    exchange: 'ex',
    topic: 'engine-topic',
    properties: {
      type: 'RESPONSE',
      replyTo: 'r',
      correlationId: 'c-1',
      ...properties,
      headers: { 'x-tf-worker': 'w-1', 'x-tf-attempt': 1, nested: { b: [1, 'two', null], a: true }, ...properties.headers },
    },
  };
}

/** `envelope` as received: signed with `withKeys` at `at`. */
function signed(e: SignedEnvelope = envelope(), at = NOW, withKeys = keys, body = BODY): SignedEnvelope & { body: string } {
  return { ...e, body, properties: { ...e.properties, headers: signMessage(withKeys, e, body, at) } };
}

function verify(e: SignedEnvelope & { body: string }, at = NOW, withKeys = keys) {
  return verifyMessage(withKeys, e, e.body, at);
}

function withHeaders(e: SignedEnvelope & { body: string }, change: (h: MessageHeaders) => void): SignedEnvelope & { body: string } {
  const headers = structuredClone(e.properties.headers ?? {});
  change(headers);
  return { ...e, properties: { ...e.properties, headers } };
}

describe('signMessage / verifyMessage', () => {
  it('accepts what it signed, and says which key', () => {
    const message = signed();
    expect(message.properties.headers?.[SigningHeader.KEY_ID]).toBe('default');
    expect(message.properties.headers?.[SigningHeader.SIGNED_AT]).toBe(NOW);
    expect(message.properties.headers?.[SigningHeader.SIGNATURE]).toMatch(/^[0-9a-f]{64}$/);
    expect(verify(message)).toEqual({ ok: true, keyId: 'default' });
  });

  it('does not depend on the order of headers, at any depth', () => {
    const message = signed();
    const reordered = withHeaders(message, (h) => {
      const entries = Object.entries(h).reverse();
      for (const key of Object.keys(h)) delete h[key];
      for (const [k, v] of entries) h[k] = v;
      h['nested'] = { a: true, b: [1, 'two', null] };
    });
    expect(Object.keys(reordered.properties.headers!)[0]).not.toBe(Object.keys(message.properties.headers!)[0]);
    expect(verify(reordered).ok).toBe(true);
  });

  it('refuses a changed body', () => {
    expect(verify({ ...signed(), body: BODY.replace('42', '43') })).toEqual({ ok: false, reason: 'badSignature' });
    expect(verify({ ...signed(), body: `${BODY} ` })).toEqual({ ok: false, reason: 'badSignature' });
  });

  it.each([
    ['exchange', (e: SignedEnvelope & { body: string }) => ({ ...e, exchange: 'other' })],
    ['topic', (e: SignedEnvelope & { body: string }) => ({ ...e, topic: 'other' })],
    ['type', (e: SignedEnvelope & { body: string }) => ({ ...e, properties: { ...e.properties, type: 'REQUEST' } })],
    ['replyTo', (e: SignedEnvelope & { body: string }) => ({ ...e, properties: { ...e.properties, replyTo: 'attacker' } })],
    ['correlationId', (e: SignedEnvelope & { body: string }) => ({ ...e, properties: { ...e.properties, correlationId: 'c-2' } })],
    ['a removed type', (e: SignedEnvelope & { body: string }) => ({ ...e, properties: { ...e.properties, type: undefined } })],
  ])('refuses a changed %s', (_name, tamper) => {
    expect(verify(tamper(signed()))).toEqual({ ok: false, reason: 'badSignature' });
  });

  it.each<[string, (h: MessageHeaders) => void]>([
    ['a changed header', (h) => (h['x-tf-worker'] = 'w-2')],
    ['a changed number', (h) => (h['x-tf-attempt'] = 2)],
    ['a number turned string', (h) => (h['x-tf-attempt'] = '1')],
    ['a changed nested value', (h) => ((h['nested'] as { a: boolean }).a = false)],
    ['an added header', (h) => (h['x-tf-running'] = ['c-9'])],
    ['a removed header', (h) => delete h['x-tf-worker']],
  ])('refuses %s', (_name, change) => {
    expect(verify(withHeaders(signed(), change))).toEqual({ ok: false, reason: 'badSignature' });
  });

  it('refuses a changed signature, key id or time', () => {
    const message = signed();
    const flipped = withHeaders(message, (h) => {
      const s = h[SigningHeader.SIGNATURE] as string;
      h[SigningHeader.SIGNATURE] = (s[0] === 'a' ? 'b' : 'a') + s.slice(1);
    });
    expect(verify(flipped)).toEqual({ ok: false, reason: 'badSignature' });
    expect(verify(withHeaders(message, (h) => (h[SigningHeader.SIGNED_AT] = NOW - 1)))).toEqual({ ok: false, reason: 'badSignature' });
    expect(verify(withHeaders(message, (h) => (h[SigningHeader.KEY_ID] = 'old')))).toEqual({ ok: false, reason: 'unknownKey' });
    // A listed key id that did not sign it.
    const ring = signingKeys({ keys: { default: SECRET, old: OTHER }, current: 'default' });
    expect(
      verify(
        withHeaders(message, (h) => (h[SigningHeader.KEY_ID] = 'old')),
        NOW,
        ring,
      ),
    ).toEqual({ ok: false, reason: 'badSignature' });
  });

  it('refuses unsigned and malformed messages', () => {
    const plain = { ...envelope(), body: BODY };
    expect(verify(plain)).toEqual({ ok: false, reason: 'unsigned' });
    const message = signed();
    expect(verify(withHeaders(message, (h) => delete h[SigningHeader.SIGNATURE]))).toEqual({ ok: false, reason: 'malformed' });
    expect(verify(withHeaders(message, (h) => (h[SigningHeader.SIGNATURE] = 'zz')))).toEqual({ ok: false, reason: 'malformed' });
    expect(verify(withHeaders(message, (h) => (h[SigningHeader.SIGNED_AT] = String(NOW))))).toEqual({ ok: false, reason: 'malformed' });
    expect(verify(withHeaders(message, (h) => (h[SigningHeader.KEY_ID] = 7)))).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a message signed with another key', () => {
    expect(verify(signed(envelope(), NOW, signingKeys(OTHER)))).toEqual({ ok: false, reason: 'badSignature' });
  });

  it('refuses stale and future messages, within a configurable window', () => {
    const message = signed();
    expect(verify(message, NOW + 300_000).ok).toBe(true);
    expect(verify(message, NOW + 300_001)).toEqual({ ok: false, reason: 'stale' });
    expect(verify(message, NOW - 60_000).ok).toBe(true);
    expect(verify(message, NOW - 60_001)).toEqual({ ok: false, reason: 'stale' });
    const tight = signingKeys({ keys: { default: SECRET }, current: 'default', maxAgeMs: 1_000, maxFutureMs: 0 });
    expect(verify(message, NOW + 1_001, tight)).toEqual({ ok: false, reason: 'stale' });
    expect(verify(message, NOW - 1, tight)).toEqual({ ok: false, reason: 'stale' });
  });

  it('ignores headers a broker adds on redelivery, and replaces an earlier signature', () => {
    const message = withHeaders(signed(), (h) => {
      h['x-delivery-count'] = 2;
      h['x-death'] = [{ reason: 'expired' }];
    });
    expect(verify(message).ok).toBe(true);
    const resigned = signed(message, NOW + 5);
    expect(resigned.properties.headers?.[SigningHeader.SIGNED_AT]).toBe(NOW + 5);
    expect(verify(resigned, NOW + 5).ok).toBe(true);
  });

  it('rotates keys: an old key verifies while listed, the current one signs', () => {
    const before = signingKeys({ keys: { k1: SECRET }, current: 'k1' });
    const during = signingKeys({ keys: { k1: SECRET, k2: OTHER }, current: 'k2' });
    const after = signingKeys({ keys: { k2: OTHER }, current: 'k2' });
    const old = signed(envelope(), NOW, before);
    expect(verify(old, NOW, during)).toEqual({ ok: true, keyId: 'k1' });
    expect(verify(old, NOW, after)).toEqual({ ok: false, reason: 'unknownKey' });
    const fresh = signed(envelope(), NOW, during);
    expect(fresh.properties.headers?.[SigningHeader.KEY_ID]).toBe('k2');
    expect(verify(fresh, NOW, after)).toEqual({ ok: true, keyId: 'k2' });
    expect(verify(fresh, NOW, before)).toEqual({ ok: false, reason: 'unknownKey' });
  });
});

describe('signingKeys', () => {
  const fails = (input: unknown, pattern: RegExp) => {
    let error: unknown;
    try {
      signingKeys(input as string);
    } catch (caught) {
      error = caught;
    }
    expect(TfError.is(error, 'TF_SIGNING_CONFIG')).toBe(true);
    expect(error).toBeInstanceOf(SigningConfigError);
    expect((error as Error).message).toMatch(pattern);
  };

  it('takes a string, base64 bytes, a Buffer, or a keyring', () => {
    expect(signingKeys(SECRET).ids).toEqual(['default']);
    const bytes = Buffer.alloc(32, 7);
    expect(signingKeys(`base64:${bytes.toString('base64')}`).current).toEqual(bytes);
    expect(signingKeys(bytes).current).toEqual(bytes);
    const ring = signingKeys({ keys: { a: SECRET, b: bytes }, current: 'b' });
    expect(ring.currentId).toBe('b');
    expect(signingKeys(ring)).toBe(ring);
    expect(JSON.stringify(ring)).not.toContain(SECRET);
  });

  it('refuses short keys and bad keyrings with TF_SIGNING_CONFIG', () => {
    fails('short', /at least 32/);
    fails(Buffer.alloc(31), /31 bytes/);
    fails(`base64:${Buffer.alloc(16).toString('base64')}`, /16 bytes/);
    fails('base64:not base64!', /not valid base64/);
    fails(42, /must be a secret/);
    fails({ keys: {}, current: 'a' }, /at least one/);
    fails({ keys: { a: SECRET }, current: 'b' }, /'current' must name/);
    fails({ keys: { 'bad id': SECRET }, current: 'bad id' }, /key id/);
    fails({ keys: { a: SECRET }, current: 'a', maxAgeMs: -1 }, /maxAgeMs/);
    fails({ keys: { a: SECRET }, current: 'a', extra: 1 }, /unknown field 'extra'/);
  });

  it('reads a key file or variable: one secret, or a JSON keyring, never echoing it', () => {
    expect(parseSigningKeyText(`${SECRET}\n`, 'file').current.toString()).toBe(SECRET);
    const ring = parseSigningKeyText(JSON.stringify({ keys: { a: SECRET, b: OTHER }, current: 'a' }), 'file');
    expect(ring.ids).toEqual(['a', 'b']);
    expect(() => parseSigningKeyText(`{ ${SECRET}`, 'file')).toThrow(
      expect.objectContaining({ code: 'TF_SIGNING_CONFIG', message: expect.not.stringContaining(SECRET) }),
    );
    expect(() => parseSigningKeyText(`{ ${SECRET}`, 'file')).toThrow(/not a valid JSON keyring/);
  });
});

/** A transport that records publishes and lets the test deliver. */
function fakeTransport() {
  const published: { args: unknown[] }[] = [];
  let handler: DeliveryHandler | undefined;
  let closed = 0;
  const transport = {
    [TRANSPORT_BRAND]: true as const,
    name: 'fake',
    capabilities: { crossProcess: false, persistent: false, reconnect: false, deliveryCount: false },
    retryOptions: { intervalStartMs: 1, intervalStepMs: 1, intervalMaxMs: 1, maxRetries: 0 },
    state: 'connected' as const,
    connect: async () => {},
    close: async () => {
      closed += 1;
    },
    publish: async (...args: unknown[]) => {
      published.push({ args });
    },
    consume: async (exchange: string, topic: string, h: DeliveryHandler) => {
      handler = h;
      return { exchange, topic, active: true, cancel: async () => {} };
    },
    details: () => ({ name: 'fake', driver: 'fake', version: '0', uri: undefined }),
    on: () => () => {},
    off: () => {},
  } satisfies Transport;
  const deliver = async (exchange: string, topic: string, body: string, properties: MessageProperties, settled = false) => {
    const outcome: { acked: boolean; rejected?: { requeue?: boolean } } = { acked: false };
    const delivery: Delivery = {
      exchange,
      topic,
      body,
      properties: { ...properties, headers: properties.headers ?? {} },
      redelivered: false,
      deliveryCount: 1,
      settled,
      ack: async () => {
        outcome.acked = true;
      },
      reject: async (options) => {
        outcome.rejected = options ?? {};
      },
    };
    await handler!(delivery);
    return outcome;
  };
  return { transport, published, deliver, closed: () => closed };
}

describe('signedTransport', () => {
  it('is a transport, signs on publish, passes extra arguments on, and closes what it wraps', async () => {
    const fake = fakeTransport();
    const t = signedTransport(fake.transport, SECRET, { now: () => NOW });
    expect(isTransport(t)).toBe(true);
    expect(t.name).toBe('fake');
    await t.publish('ex', 'topic', BODY, { type: 'REQUEST', reply_to: 'me' } as MessageProperties, ...([{ extra: 1 }] as unknown as []));
    const [exchange, topic, body, properties, extra] = fake.published[0]!.args as [string, string, string, MessageProperties, unknown];
    expect([exchange, topic, body, extra]).toEqual(['ex', 'topic', BODY, { extra: 1 }]);
    expect(properties.replyTo).toBe('me');
    expect(verifyMessage(keys, { exchange, topic, properties }, body, NOW).ok).toBe(true);
    expect(t.counters.snapshot().signed).toBe(1);
    await t.close();
    expect(fake.closed()).toBe(1);
    expect(() => signedTransport(t, SECRET)).toThrow(/already signs/);
  });

  it('hands on what verifies; drops the rest without requeue, counts and logs it (rate-limited, no body)', async () => {
    const fake = fakeTransport();
    const warnings: unknown[] = [];
    const logger = { trace() {}, debug() {}, info() {}, error() {}, warn: (o: unknown) => warnings.push(o) };
    let clock = NOW;
    const t = signedTransport(fake.transport, SECRET, { now: () => clock, logger, logIntervalMs: 1_000 });
    const received: string[] = [];
    await t.consume('ex', 'engine-topic', (d) => {
      received.push(d.body);
    });
    const good = signed();
    expect(await fake.deliver(good.exchange, good.topic, good.body, good.properties)).toEqual({ acked: false });
    expect(received).toEqual([BODY]);

    const forged = { ...envelope().properties };
    for (let i = 0; i < 3; i++) {
      expect(await fake.deliver('ex', 'engine-topic', 'FORGED', forged)).toEqual({ acked: false, rejected: { requeue: false } });
    }
    // Already settled (autoAck): ignored, nothing to reject.
    expect(await fake.deliver('ex', 'engine-topic', 'FORGED', forged, true)).toEqual({ acked: false });
    clock += 1_001;
    await fake.deliver(good.exchange, good.topic, good.body, signed(envelope(), NOW, signingKeys(OTHER)).properties);
    await fake.deliver('ex', 'engine-topic', 'FORGED', forged);
    expect(received).toEqual([BODY]);
    expect(t.counters.snapshot()).toEqual({
      signed: 0,
      verified: 1,
      rejected: 6,
      rejectedBy: { unsigned: 5, malformed: 0, unknownKey: 0, stale: 0, badSignature: 1 },
    });
    expect(warnings).toEqual([
      expect.objectContaining({ reason: 'unsigned', suppressed: 0, type: 'RESPONSE', topic: 'engine-topic' }),
      expect.objectContaining({ reason: 'badSignature', suppressed: 0, keyId: 'default' }),
      expect.objectContaining({ reason: 'unsigned', suppressed: 3 }),
    ]);
    expect(JSON.stringify(warnings)).not.toContain('FORGED');
  });
});
