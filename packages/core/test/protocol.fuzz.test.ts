import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Failure, TfError } from '@tf/core';
import { decodeMessage, decodeRequestResult, RUNNING_TEXT, validateRequest, validateResponse } from '@tf/core/internal';
import { badJson, chainText, deepText, failureLike, poisoned, prototypesClean } from './fuzz-arbitraries';

const messageType = fc.oneof(fc.constantFrom('REQUEST', 'RESPONSE', 'NOTIFY'), fc.string(), fc.constant(undefined));

/** Bodies shaped like the protocol's, with every field possibly wrong. */
const shapedBody: fc.Arbitrary<string> = fc.oneof(
  fc
    .record(
      {
        state: fc.oneof(fc.constantFrom('WAITING', 'PENDING', 'RUNNING', 'SUCCESS', 'FAILURE', 'EVENT'), fc.jsonValue()),
        data: fc.oneof(
          fc.record({ result: fc.oneof(failureLike, fc.jsonValue()) }, { requiredKeys: [] }),
          fc.record({ event_type: fc.string(), details: fc.jsonValue() }, { requiredKeys: [] }),
          fc.jsonValue(),
        ),
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  fc
    .record(
      {
        task_cls: fc.oneof(fc.string(), fc.jsonValue()),
        task_name: fc.oneof(fc.string(), fc.jsonValue()),
        task_version: fc.oneof(fc.string(), fc.array(fc.integer()), fc.jsonValue()),
        action: fc.oneof(fc.constantFrom('execute', 'revert'), fc.jsonValue()),
        arguments: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
        result: fc.oneof(fc.tuple(fc.constantFrom('success', 'failure'), fc.oneof(failureLike, fc.jsonValue())), fc.jsonValue()),
        failures: fc.oneof(fc.dictionary(fc.string(), failureLike), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    .map((b) => JSON.stringify(b)),
  fc.record({ topic: fc.jsonValue(), tasks: fc.jsonValue() }, { requiredKeys: [] }).map((b) => JSON.stringify(b)),
);

/** Bodies built to hurt: deep nesting, deep cause chains, poisoned keys. */
const hostileBody: fc.Arbitrary<string> = fc.oneof(
  fc
    .integer({ min: 1, max: 20_000 })
    .map((d) => `{"task_cls":"T","task_name":"t","task_version":"1","action":"execute","arguments":{"a":${deepText(d)}}}`),
  fc.integer({ min: 1, max: 5_000 }).map((n) => `{"state":"FAILURE","data":{"result":${chainText(n)}}}`),
  fc.integer({ min: 1, max: 3_000 }).map((n) => `{"state":"FAILURE","data":{"result":${chainText(n, ',"exc_args":[[[[1]]]]')}}}`),
  fc
    .integer({ min: 1, max: 3_000 })
    .map(
      (n) =>
        `{"task_cls":"T","task_name":"t","task_version":"1","action":"revert","arguments":{},"result":["failure",${chainText(n)}],"failures":{"__proto__":${chainText(n)}}}`,
    ),
  fc.integer({ min: 1, max: 20_000 }).map((d) => deepText(d, '{}')),
  poisoned(fc.jsonValue()),
  poisoned(fc.jsonValue()).map((p) => `{"task_cls":"T","task_name":"t","task_version":"1","action":"execute","arguments":${p}}`),
);

/** Decodes, then reads what a handler would read; only a TfError with a code may come out. */
function decodeAndRead(body: string, type: string | undefined): void {
  try {
    const message = decodeMessage({ body, properties: { type, headers: {} } });
    if (message.type === 'RESPONSE' && message.body.state === 'FAILURE') Failure.fromDict(message.body.data.result);
    if (message.type === 'REQUEST') {
      decodeRequestResult(message.body.result);
      for (const dict of Object.values(message.body.failures ?? {})) Failure.fromDict(dict);
    }
  } catch (error) {
    if (!TfError.is(error) || typeof error.code !== 'string') throw error;
  }
}

describe('decodeMessage under fuzzing', () => {
  it('anything at all: a decoded message or a typed error', () => {
    fc.assert(
      fc.property(fc.oneof(badJson, fc.json(), shapedBody), messageType, (body, type) => {
        decodeAndRead(body, type);
        expect(prototypesClean()).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('deep, chained and poisoned bodies: no stack overflow, no pollution, bounded time', () => {
    fc.assert(
      fc.property(hostileBody, fc.constantFrom('REQUEST', 'RESPONSE', 'NOTIFY'), (body, type) => {
        const started = performance.now();
        decodeAndRead(body, type);
        expect(performance.now() - started).toBeLessThan(2_000);
        expect(prototypesClean()).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/** Nearly-plain SUCCESS responses and execute requests: the shapes decodeMessage accepts without the schema, and their neighbours. */
const nearPlain: fc.Arbitrary<{ type: 'REQUEST' | 'RESPONSE'; body: string }> = fc.oneof(
  fc
    .record(
      {
        state: fc.oneof(fc.constantFrom('SUCCESS', 'RUNNING', 'FAILURE'), fc.jsonValue()),
        data: fc.oneof(
          fc.record({ result: fc.jsonValue(), extra: fc.jsonValue() }, { requiredKeys: ['result'] }),
          fc.record({ result: fc.jsonValue() }, { requiredKeys: [] }),
          fc.jsonValue(),
        ),
        extra: fc.jsonValue(),
      },
      { requiredKeys: ['state', 'data'] },
    )
    .map((b) => ({ type: 'RESPONSE' as const, body: JSON.stringify(b) })),
  fc
    .record(
      {
        task_cls: fc.oneof(fc.constantFrom('', 'T'), fc.jsonValue()),
        task_name: fc.oneof(fc.constantFrom('', 't'), fc.jsonValue()),
        task_version: fc.oneof(fc.constant('1.0'), fc.array(fc.integer()), fc.jsonValue()),
        action: fc.oneof(fc.constantFrom('execute', 'revert', 'other'), fc.jsonValue()),
        arguments: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
        result: fc.jsonValue(),
        failures: fc.jsonValue(),
        extra: fc.jsonValue(),
      },
      { requiredKeys: [] },
    )
    .map((b) => ({ type: 'REQUEST' as const, body: JSON.stringify(b) })),
);

function accepts(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

describe('decodeMessage shortcuts (plain SUCCESS, execute requests, RUNNING)', () => {
  it('accept exactly what the schemas accept', () => {
    fc.assert(
      fc.property(
        fc.oneof(nearPlain, fc.record({ type: fc.constantFrom('REQUEST' as const, 'RESPONSE' as const), body: shapedBody })),
        ({ type, body }) => {
          const parsed: unknown = JSON.parse(body);
          const bySchema = accepts(() => (type === 'REQUEST' ? validateRequest(parsed) : validateResponse(parsed)));
          expect(accepts(() => decodeMessage({ body, properties: { type, headers: {} } }))).toBe(bySchema);
        },
      ),
      { numRuns: 3_000 },
    );
  });

  it('RUNNING_TEXT is the JSON of a RUNNING response, decoded as one', () => {
    expect(JSON.parse(RUNNING_TEXT)).toEqual({ state: 'RUNNING', data: {} });
    expect(decodeMessage({ body: RUNNING_TEXT, properties: { type: 'RESPONSE', headers: {} } }).body).toEqual({
      state: 'RUNNING',
      data: {},
    });
  });

  it('a SUCCESS with an extra key or data that is not an object is refused', () => {
    for (const body of [
      '{"state":"SUCCESS","data":{"result":1,"x":2}}',
      '{"state":"SUCCESS","data":[]}',
      '{"state":"SUCCESS","data":{"result":1},"x":1}',
    ]) {
      expect(() => decodeMessage({ body, properties: { type: 'RESPONSE', headers: {} } })).toThrow(/Invalid RESPONSE/);
    }
    const request = '{"task_cls":"T","task_name":"t","task_version":"1","action":"execute","arguments":[]}';
    expect(() => decodeMessage({ body: request, properties: { type: 'REQUEST', headers: {} } })).toThrow(/Invalid REQUEST/);
  });
});
