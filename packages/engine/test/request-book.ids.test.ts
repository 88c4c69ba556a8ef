/** Correlation ids: uuid-shaped, never repeated within a book, different between books. */
import { describe, expect, it } from 'vitest';
import { CorrelationIds, RequestBook } from '../src/worker-based/request-book';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('CorrelationIds', () => {
  it('gives uuid-shaped ids, all different', () => {
    const ids = new CorrelationIds();
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const id = ids.next();
      expect(id).toMatch(UUID);
      seen.add(id);
    }
    expect(seen.size).toBe(10_000);
  });

  it('two generators do not share a prefix', () => {
    expect(new CorrelationIds().next().slice(0, 24)).not.toBe(new CorrelationIds().next().slice(0, 24));
  });

  it("a re-dispatch gets a new id from the book's generator", () => {
    const book = new RequestBook({ transitionTimeoutMs: null, exchange: 'e', topics: ['a'], maxAttempts: 3 });
    const body = { task_cls: 't.T', task_name: 't', task_version: [1, 0] as const, action: 'execute' as const, arguments: {} };
    const { request, outcome } = book.open({ taskName: 't.T', atomName: 't', body, onProgress: () => {}, executionTimeoutMs: undefined });
    outcome.catch(() => undefined);
    const first = request.id;
    book.sent(request, 'a');
    const { again } = book.redispatch(request, 'test');
    expect(again?.id).toMatch(UUID);
    expect(again?.id).not.toBe(first);
    expect(book.get(first)).toBeUndefined();
    expect(book.get(again!.id)).toBe(again);
  });
});
