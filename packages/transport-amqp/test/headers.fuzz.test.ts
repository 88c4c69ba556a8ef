import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromAmqpHeaders, MAX_HEADER_DEPTH, toAmqpHeaders } from '../src/headers';

/** Field values as amqplib may decode them: JSON, buffers, bigints, typed values, odd keys. */
const amqpValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
    fc.bigInt(),
    fc.double(),
    fc.constantFrom(undefined, Symbol('s'), () => 1),
    fc.record({ '!': fc.constantFrom('timestamp', 'decimal', 'int', 'x'), value: tie('value') }),
    fc.record({ '!': fc.constant('decimal'), value: fc.record({ places: fc.jsonValue(), digits: fc.jsonValue() }) }),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor', '!')), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** True when `value` is plain JSON data: finite numbers, strings, booleans, null, arrays, plain objects. */
function plainJson(value: unknown): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v === 'string' || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
      continue;
    }
    if (Array.isArray(v)) stack.push(...v);
    else if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) stack.push(...Object.values(v));
    else return false;
  }
  return true;
}

function deep(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe('fromAmqpHeaders under fuzzing', () => {
  it('anything amqplib may hand over: plain JSON headers, never a throw, never pollution', () => {
    const headers = fc.oneof(
      fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'constructor')), amqpValue),
      fc.constant(undefined),
      fc.integer({ min: 1, max: 20_000 }).map((d) => ({ h: deep(d) })),
      fc.constant(JSON.parse('{"__proto__":{"polluted":true}}') as Record<string, unknown>),
    );
    fc.assert(
      fc.property(headers, (h) => {
        const out = fromAmqpHeaders(h as Record<string, unknown> | undefined);
        expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
        expect(plainJson(out)).toBe(true);
        JSON.stringify(out);
        expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
        // What comes out can be sent again.
        toAmqpHeaders(out);
      }),
      { numRuns: 2_000 },
    );
  });

  it('cuts values nested past MAX_HEADER_DEPTH', () => {
    const out = fromAmqpHeaders({ h: deep(MAX_HEADER_DEPTH + 10) });
    expect(JSON.stringify(out)).toContain('null');
  });
});
