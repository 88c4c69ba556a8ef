import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMessageFile, encodeMessageFile } from '../src/message-file';

const fileLike = fc
  .record(
    {
      v: fc.oneof(fc.constant(1), fc.jsonValue()),
      exchange: fc.oneof(fc.string(), fc.jsonValue()),
      topic: fc.oneof(fc.string(), fc.jsonValue()),
      body: fc.oneof(fc.string(), fc.jsonValue()),
      properties: fc.oneof(
        fc.record(
          {
            type: fc.oneof(fc.string(), fc.jsonValue()),
            replyTo: fc.oneof(fc.string(), fc.jsonValue()),
            correlationId: fc.oneof(fc.string(), fc.jsonValue()),
            headers: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
          },
          { requiredKeys: [] },
        ),
        fc.jsonValue(),
      ),
    },
    { requiredKeys: [] },
  )
  .map((f) => JSON.stringify(f));

const hostile = fc.oneof(
  fc.integer({ min: 1, max: 50_000 }).map((d) => `{"body":"x","properties":{"headers":{"h":${'['.repeat(d)}${']'.repeat(d)}}}}`),
  fc.constantFrom(
    '{"body":"x","__proto__":{"polluted":true}}',
    '{"body":"x","properties":{"__proto__":{"polluted":true},"headers":{"__proto__":{"polluted":true}}}}',
    '{"body":"x","properties":{"constructor":{"prototype":{"polluted":true}}}}',
  ),
);

describe('decodeMessageFile under fuzzing', () => {
  it('any text: the message or a reason to drop it, never a throw, never pollution', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.json(), fileLike, hostile), (text) => {
        const decoded = decodeMessageFile(text);
        if ('reason' in decoded) expect(typeof decoded.reason).toBe('string');
        else expect(typeof decoded.message.body).toBe('string');
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips what encodeMessageFile writes', () => {
    fc.assert(
      fc.property(fc.string(), fc.dictionary(fc.string(), fc.jsonValue()), (body, headers) => {
        const text = encodeMessageFile('ex', 'topic', body, { headers: headers as Record<string, never> });
        const decoded = decodeMessageFile(text);
        expect('message' in decoded && decoded.message.body).toBe(body);
      }),
      { numRuns: 300 },
    );
  });
});
