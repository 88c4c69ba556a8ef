import { headers } from '@nats-io/transport-node';
import { TfError } from '@tf/transport';
import { describe, expect, it } from 'vitest';
import { HEADER, MAX_HEADER_DEPTH, decodeProperties, encodeProperties } from '../src/wire';

describe('nats wire: properties as NATS headers', () => {
  it('round-trips properties with CR, LF, edge spaces and a __proto__ key exactly', () => {
    const properties = {
      type: ' REQUEST\r\n',
      replyTo: 'reply.topic',
      correlationId: '',
      headers: JSON.parse('{"__proto__": {"polluted": true}, "nested": [1, {"a": null}], "é": "ü"}'),
    };
    const decoded = decodeProperties(encodeProperties(properties));
    expect(decoded).toEqual(properties);
    expect(Object.getPrototypeOf(decoded.headers)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('sends no header block for a message without properties, and reads one as {}', () => {
    expect(encodeProperties({ headers: {} })).toBeUndefined();
    expect(decodeProperties(undefined)).toEqual({ headers: {} });
  });

  it('ignores headers that are not its own', () => {
    const h = headers();
    h.set('Nats-Msg-Id', 'x');
    expect(decodeProperties(h)).toEqual({ headers: {} });
  });

  it.each([
    ['not JSON', HEADER.headers, '{nope'],
    ['not an object', HEADER.headers, '[1,2]'],
    ['a type that is not a string', HEADER.type, '42'],
    ['headers nested too deep', HEADER.headers, `${'{"a":'.repeat(MAX_HEADER_DEPTH + 1)}1${'}'.repeat(MAX_HEADER_DEPTH + 1)}`],
  ])('refuses %s with TF_NATS_BAD_MESSAGE', (_what, name, value) => {
    const h = headers();
    h.set(name, value);
    try {
      decodeProperties(h);
      expect.unreachable();
    } catch (err) {
      expect(TfError.is(err, 'TF_NATS_BAD_MESSAGE')).toBe(true);
    }
  });
});
