import fc from 'fast-check';

/** Prototype-polluting keys, as JSON text places them (JSON.parse makes them own properties). */
export const POISON_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'] as const;

/** A JSON object text with a poisoned key holding `value`. */
export const poisoned = (value: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...POISON_KEYS), value).map(([key, v]) => `{"${key}":{"polluted":true,"inner":${JSON.stringify(v) ?? 'null'}}}`);

/** JSON text nesting arrays `depth` deep around `inner` (built without recursion). */
export const deepText = (depth: number, inner = '1'): string => '['.repeat(depth) + inner + ']'.repeat(depth);

/** A failure dict's JSON text with a chain of `causes` causes, built without recursion. */
export function chainText(causes: number, extra = ''): string {
  const head = (i: number) => `{"exception_str":"cause ${i}","traceback_str":"","exc_type_names":["Exception"]${extra}`;
  let text = '';
  for (let i = 0; i < causes; i++) text += `${head(i)},"causes":[`;
  text += `${head(causes)}}`;
  for (let i = 0; i < causes; i++) text += ']}';
  return text;
}

/** Something shaped like a failure dict, often wrong in one way. */
export const failureLike: fc.Arbitrary<unknown> = fc.letrec<{ dict: unknown }>((tie) => ({
  dict: fc.record(
    {
      exception_str: fc.oneof(fc.string(), fc.jsonValue()),
      traceback_str: fc.oneof(fc.string(), fc.integer()),
      exc_type_names: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue()),
      version: fc.oneof(fc.nat(), fc.jsonValue()),
      exc_args: fc.oneof(fc.array(fc.jsonValue(), { maxLength: 3 }), fc.jsonValue()),
      causes: fc.oneof({ depthSize: 'small' }, fc.array(tie('dict'), { maxLength: 2 }), fc.jsonValue()),
    },
    { requiredKeys: [] },
  ),
})).dict;

/** Texts that are not JSON, or almost. */
export const badJson: fc.Arbitrary<string> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.json().map((t) => t.slice(0, Math.max(0, t.length - 1))),
  fc.constantFrom('', '{', '[', '"', 'nul', '{"a":}', '\u0000', '\uD800', '{"state":"FAILURE","data":{"result":'),
);

/** True when `Object.prototype` and `Array.prototype` have only their usual own keys. */
export function prototypesClean(): boolean {
  const probe: Record<string, unknown> = {};
  return (
    probe['polluted'] === undefined &&
    ([] as unknown as Record<string, unknown>)['polluted'] === undefined &&
    !Object.getOwnPropertyNames(Object.prototype).includes('polluted') &&
    !Object.getOwnPropertyNames(Object.prototype).includes('inner')
  );
}
