import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactUri } from '@tf/transport';

describe('redactUri', () => {
  it.each([
    ['amqp://guest:guest@localhost:5672//', 'amqp://guest:***@localhost:5672//'],
    ['amqps://user:p%40ss@rabbit.example.com/vhost', 'amqps://user:***@rabbit.example.com/vhost'],
    ['redis://:secret@localhost:6379/0', 'redis://:***@localhost:6379/0'],
    ['redis://localhost:6379', 'redis://localhost:6379'],
    ['amqp://guest@localhost//', 'amqp://guest@localhost//'],
    ['amqp://a:b@h1//;amqp://c:d@h2//', 'amqp://a:***@h1//;amqp://c:***@h2//'],
    ['redis://h:6379?password=hunter2&db=1', 'redis://h:6379?password=***&db=1'],
    ['file:///tmp/queues', 'file:///tmp/queues'],
    // An unencoded `@` in the password: everything up to the last `@` is the password.
    ['redis://user:p@ss@host:6379', 'redis://user:***@host:6379'],
    ['amqp://u:a@b@c@host', 'amqp://u:***@host'],
    ['rediss://:p@ss@host:6380/1', 'rediss://:***@host:6380/1'],
    ['redis://:@host', 'redis://:***@host'],
    // Other characters a hand-written password holds.
    ['amqp://u:pa:ss@host//', 'amqp://u:***@host//'],
    ['amqp://u:a/b?c#d@host/vh', 'amqp://u:***@host/vh'],
    // An unencoded `@` in the user name: the user is kept, the password masked.
    ['amqp://me@corp:pw@host//', 'amqp://me@corp:***@host//'],
    ['redis://host:6379/0?token=abc#frag', 'redis://host:6379/0?token=***#frag'],
    ['redis://host?auth=x;amqp://host?pass=y', 'redis://host?auth=***;amqp://host?pass=***'],
    ['REDIS://U:P@H', 'REDIS://U:***@H'],
    // Inside a message: the URI ends at whitespace or a quote.
    [
      `could not connect to "amqp://u:p@ss@h:5672//": ECONNREFUSED, see x@y`,
      `could not connect to "amqp://u:***@h:5672//": ECONNREFUSED, see x@y`,
    ],
    ['to redis://:s@h:1 (and redis://:t@g:2)', 'to redis://:***@h:1 (and redis://:***@g:2)'],
  ])('%s -> %s', (input, output) => {
    expect(redactUri(input)).toBe(output);
  });

  it('passes undefined through', () => {
    expect(redactUri(undefined)).toBeUndefined();
  });

  // Characters a password may hold: anything but whitespace, `;` (kombu's separator) and quotes.
  const passwordChar = fc.constantFrom(...'abcXYZ019@:/?#%!$&()*+,=[]{}~^|\\-_.'.split(''));
  const password = fc.string({ unit: passwordChar, minLength: 0, maxLength: 24 });
  const user = fc.string({ unit: fc.constantFrom(...'abcdefXYZ019_.-%'.split('')), maxLength: 10 });
  const host = fc.oneof(fc.domain(), fc.ipV4(), fc.constant('localhost'));
  const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
  const path = fc.constantFrom('', '/', '//', '/0', '/vhost', '/%2F');
  const scheme = fc.constantFrom('amqp', 'amqps', 'redis', 'rediss', 'nats', 'db+driver');

  it('masks the whole password of any scheme://user:password@host[:port][/path]', () => {
    fc.assert(
      fc.property(scheme, user, password, host, port, path, (s, u, p, h, n, v) => {
        const tail = `${h}${n === undefined ? '' : `:${n}`}${v}`;
        expect(redactUri(`${s}://${u}:${p}@${tail}`)).toBe(`${s}://${u}:***@${tail}`);
      }),
    );
  });

  it('masks each URI of a failover list and leaves what follows a URI alone', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(scheme, user, password, host), { minLength: 1, maxLength: 4 }), (uris) => {
        const input = uris.map(([s, u, p, h]) => `${s}://${u}:${p}@${h}//`).join(';');
        const output = uris.map(([s, u, , h]) => `${s}://${u}:***@${h}//`).join(';');
        expect(redactUri(`failed: ${input} (see ops@example.com)`)).toBe(`failed: ${output} (see ops@example.com)`);
      }),
    );
  });

  it('masks secret query values and keeps the rest of the query', () => {
    const name = fc.constantFrom('password', 'PASSWORD', 'pass', 'pwd', 'secret', 'token', 'auth', 'access_token');
    const value = fc.string({ unit: fc.constantFrom(...'abcXYZ019@:/?%!$()*+,=-_.'.split('')), maxLength: 20 });
    fc.assert(
      fc.property(scheme, host, name, value, (s, h, k, v) => {
        expect(redactUri(`${s}://${h}/0?db=1&${k}=${v}&x=y`)).toBe(`${s}://${h}/0?db=1&${k}=***&x=y`);
      }),
    );
  });

  it('leaves a URI without a password unchanged', () => {
    fc.assert(
      fc.property(scheme, fc.option(user, { nil: undefined }), host, port, path, (s, u, h, n, v) => {
        const uri = `${s}://${u === undefined ? '' : `${u}@`}${h}${n === undefined ? '' : `:${n}`}${v}`;
        expect(redactUri(uri)).toBe(uri);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (text) => {
        const once = redactUri(text);
        expect(redactUri(once)).toBe(once);
      }),
    );
  });
});
