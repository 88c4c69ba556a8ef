import { TfError } from '@tf/transport';
import { describe, expect, it } from 'vitest';
import { NatsTransport, transport } from '../src/index';
import { parseUrl, resolveOptions } from '../src/options';

describe('nats transport options', () => {
  it('takes servers, user and password (or a token) from the URL', () => {
    expect(parseUrl('nats://u:p%40ss@a:4223, nats://b')).toMatchObject({
      servers: ['a:4223', 'b:4222'],
      user: 'u',
      pass: 'p@ss',
      tls: false,
    });
    expect(parseUrl('tls://s3cret@host:4443')).toMatchObject({ servers: ['host:4443'], token: 's3cret', tls: true });
    expect(parseUrl(undefined).servers).toEqual(['127.0.0.1:4222']);
  });

  it('refuses another scheme, an unknown option and bad values, naming them', () => {
    expect(() => resolveOptions({}, 'redis://x')).toThrow(/nats:\/\/ or tls:\/\//);
    expect(() => new NatsTransport({ url: 'nats://x', lease: 5 } as never)).toThrow(/lease/);
    expect(() => resolveOptions({ leaseMs: -1 }, undefined)).toThrow(/leaseMs/);
    expect(() => resolveOptions({ pullExpiresMs: 10 }, undefined)).toThrow(/at least 1000/);
    expect(() => resolveOptions({ streamPrefix: 'a.b' }, undefined)).toThrow(/streamPrefix/);
    expect(() => resolveOptions({ storage: 'disk' }, undefined)).toThrow(/storage/);
    expect(() => resolveOptions({ tls: { caFile: 1 } }, undefined)).toThrow(/tls.caFile/);
    expect(() => resolveOptions({ tls: { passphrase: 'x' } }, undefined)).toThrow(/unknown key "passphrase"/);
    try {
      resolveOptions({ maxMsgs: 1.5 }, undefined);
      expect.unreachable();
    } catch (err) {
      expect(TfError.is(err, 'TF_INVALID_ARGUMENT')).toBe(true);
    }
  });

  it('accepts snake_case keys and applies the defaults', () => {
    const o = resolveOptions({ lease_ms: 2_000, max_age_ms: 0, temporary_topic_expiry_ms: 500 }, undefined);
    expect(o).toMatchObject({
      leaseMs: 2_000,
      maxAgeMs: 0,
      temporaryTopicExpiryMs: 500,
      maxBytes: 1024 ** 3,
      storage: 'file',
      replicas: 1,
    });
    expect(resolveOptions({ tls: true }, undefined).tls).toEqual({});
  });

  it('is found by name with every option it accepts listed', () => {
    expect(transport.name).toBe('nats');
    expect(transport.schemes).toEqual(['nats']);
    expect(transport.options).toContain('credsFile');
  });

  it('never shows a token or password in details()', () => {
    expect(new NatsTransport({ url: 'nats://u:pw@h:4222' }).details().uri).toBe('nats://u:***@h:4222');
    const withToken = new NatsTransport({ url: 'nats://h:4222', token: 'tok' });
    expect(JSON.stringify(withToken.details())).not.toContain('tok');
  });
});
