import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Failure, TfError } from '@tf/core';
import { decodeMessage, decodeRequestResult } from '@tf/core/internal';
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
