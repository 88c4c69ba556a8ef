/** The request book's bookkeeping across attempts: what a re-dispatch keeps, drops and counts. */
import { describe, expect, it } from 'vitest';
import { TfError, type RequestBody } from '@tf/core';
import { neverReachedAWorker } from '../src/worker-based/errors';
import { RequestBook } from '../src/worker-based/request-book';

const body: RequestBody = { task_cls: 't.T', task_name: 't', task_version: [1, 0], action: 'execute', arguments: {} };
const book = (maxAttempts = 3) => new RequestBook({ transitionTimeoutMs: 1_000, exchange: 'e', topics: ['a'], maxAttempts });
const open = (b: RequestBook) => {
  const { request, outcome } = b.open({ taskName: 't.T', atomName: 't', body, onProgress: () => {}, executionTimeoutMs: undefined });
  outcome.catch(() => undefined);
  return { request, outcome };
};
const worker = { worker: 'w1', heartbeatMs: 100, control: 'tf-control-w1' };

describe('RequestBook', () => {
  it('counts the requests in flight (sent, not finished) over every topic; a re-dispatch takes one back out', async () => {
    const b = book();
    const one = open(b);
    const two = open(b);
    expect(b.inFlight).toBe(0);
    b.sent(one.request, 'a');
    b.sent(two.request, 'b');
    expect(b.inFlight).toBe(2);
    b.redispatch(two.request, 'test');
    expect(b.inFlight).toBe(1);
    b.respond(one.request, { state: 'SUCCESS', data: { result: 1 } }, worker);
    await expect(one.outcome).resolves.toBe(1);
    expect(b.inFlight).toBe(0);
  });

  it('time held back by flow control does not count: a WAITING clock starts no earlier than `heldAt`', async () => {
    const b = book();
    const { request, outcome } = open(b);
    const opened = request.createdAt;
    // No worker serves it (else it would not time out WAITING at all); the bound was full
    // until 500 ms after it opened: 1.2 s after it opened, it has waited 0.7 s of its own.
    b.expire(opened + 1_200, () => false, opened + 500);
    expect(b.get(request.id)).toBe(request);
    // Past the timeout counted from the last held moment, it times out.
    b.expire(opened + 1_600, () => false, opened + 500);
    expect(TfError.is(await outcome.catch((e: unknown) => e), 'TF_REQUEST_TIMEOUT')).toBe(true);
  });

  it('a re-dispatched request is a new attempt under a new id; the old id finds nothing', () => {
    const b = book();
    const { request } = open(b);
    b.sent(request, 'a');
    const first = request.id;
    expect(b.outstandingOn('a')).toBe(1);
    const { again, superseded } = b.redispatch(request, 'test');
    expect(again).toBe(request);
    expect(superseded?.id).toBe(first);
    expect(request.id).not.toBe(first);
    expect(request.attempt).toBe(2);
    expect(b.get(first)).toBeUndefined();
    expect(b.outstandingOn('a')).toBe(0);
    expect(b.waiting()).toEqual([request]);
  });

  it('a send that failed for a superseded attempt leaves the new attempt alone', async () => {
    const b = book();
    const { request, outcome } = open(b);
    b.sent(request, 'a');
    const first = request.id;
    b.redispatch(request, 'test');
    b.fail(request, new Error('late failure of the first send'), first);
    expect(b.get(request.id)).toBe(request);
    b.respond(request, { state: 'SUCCESS', data: { result: 7 } }, worker);
    await expect(outcome).resolves.toBe(7);
  });

  it('a request sent before, WAITING again when it times out, is not one that never reached a worker', async () => {
    const b = book();
    const { request, outcome } = open(b);
    b.sent(request, 'a');
    b.redispatch(request, 'test');
    b.expire(Date.now() + 5_000, () => false);
    const error = await outcome.catch((e: unknown) => e);
    expect(TfError.is(error, 'TF_REQUEST_TIMEOUT')).toBe(true);
    expect((error as { state: string }).state).toBe('WAITING');
    expect(neverReachedAWorker(error)).toBe(false);
    // Whereas a first attempt that never left the engine did not run anywhere.
    const fresh = open(b);
    b.expire(Date.now() + 5_000, () => false);
    expect(neverReachedAWorker(await fresh.outcome.catch((e: unknown) => e))).toBe(true);
  });

  it('a PENDING request a worker holds does not time out; an unclaimed one does', async () => {
    const b = book();
    const held = open(b);
    const lost = open(b);
    b.sent(held.request, 'a');
    b.sent(lost.request, 'a');
    b.heartbeat([held.request.id], worker);
    b.expire(Date.now() + 5_000, () => true);
    expect(TfError.is(await lost.outcome.catch((e: unknown) => e), 'TF_REQUEST_TIMEOUT')).toBe(true);
    expect(b.get(held.request.id)).toBe(held.request);
  });

  it('re-sends after the engine reconnected do not use up attempts; lost workers do', async () => {
    const b = book(2);
    const { request, outcome } = open(b);
    for (let i = 0; i < 5; i++) {
      b.sent(request, 'a');
      b.redispatch(request, 'reconnected', false);
    }
    b.sent(request, 'a');
    expect(b.redispatch(request, 'worker lost').again).toBe(request);
    b.sent(request, 'a');
    expect(b.redispatch(request, 'worker lost').again).toBeUndefined();
    expect(TfError.is(await outcome.catch((e: unknown) => e), 'TF_WORKER_LOST')).toBe(true);
    expect(b.outstandingOn('a')).toBe(0);
    expect(b.size).toBe(0);
  });

  it('a heartbeat returns the ids the book does not hold', () => {
    const b = book();
    const { request } = open(b);
    b.sent(request, 'a');
    expect(b.heartbeat([request.id, 'gone'], worker)).toEqual(['gone']);
    expect(request.holder?.worker).toBe('w1');
  });
});
