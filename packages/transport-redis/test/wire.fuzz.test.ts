import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TfError } from '@tf/transport';
import { FIELDS, entryFields, parseEntry } from '../src/wire';

const fieldName = fc.oneof(fc.constantFrom(...Object.values(FIELDS), '__proto__', 'constructor'), fc.string());
const fieldValue = fc.oneof(
  fc.string(),
  fc.json(),
  fc.constantFrom('{"__proto__":{"polluted":true}}', '{', 'null', '[]', '-1', '1.5', `${'['.repeat(50_000)}${']'.repeat(50_000)}`),
);

describe('parseEntry under fuzzing', () => {
  it('any field list: a message, undefined (not ours) or TF_REDIS_BAD_ENTRY; never pollutes', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fieldName, fieldValue), { maxLength: 16 }), (fields) => {
        let parsed: ReturnType<typeof parseEntry>;
        try {
          parsed = parseEntry(fields);
        } catch (error) {
          expect(TfError.is(error, 'TF_REDIS_BAD_ENTRY'), String(error)).toBe(true);
        }
        if (parsed !== undefined) {
          expect(typeof parsed.body).toBe('string');
          expect(Number.isInteger(parsed.prior) && parsed.prior >= 0).toBe(true);
          const headers = parsed.properties.headers;
          expect(headers !== null && typeof headers === 'object' && !Array.isArray(headers)).toBe(true);
        }
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips what entryFields writes', () => {
    const headers = fc.dictionary(fc.string(), fc.jsonValue()) as fc.Arbitrary<Record<string, never>>;
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), headers, (body, type, h) => {
        const props = { ...(type === undefined ? {} : { type }), headers: h };
        const parsed = parseEntry(entryFields(body, props));
        expect(parsed?.body).toBe(body);
        expect(parsed?.properties.type).toBe(type);
        expect(JSON.stringify(parsed?.properties.headers)).toBe(JSON.stringify(h));
      }),
      { numRuns: 500 },
    );
  });
});
