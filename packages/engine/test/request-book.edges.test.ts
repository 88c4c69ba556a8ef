/**
 * The request book's rules at their edges: which requests count as waiting, silent, unclaimed or
 * overdue, exactly when a timeout fires, and what its observer is told. Time is the `now` each
 * call takes, and `Date.now()` set by fake timers for what the book stamps itself.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Failure, TfError, type RequestBody } from '@tf/core';
import { RequestBook, type PendingRequest, type RequestObserver } from '../src/worker-based/request-book';

const T0 = 1_000_000;
const body: RequestBody = { task_cls: 't.T', task_name: 't', task_version: [1, 0], action: 'execute', arguments: {} };
const worker = { worker: 'w1', heartbeatMs: 100, control: 'tf-control-w1' };

interface Seen {
  running: string[];
  finished: [string, string, unknown, number][];
  timedOut: [string, string][];
}

function setup(options: { transitionTimeoutMs?: number | null; maxAttempts?: number } = {}) {
  const seen: Seen = { running: [], finished: [], timedOut: [] };
  const observer: RequestObserver = {
    running: (r) => seen.running.push(r.atomName),
    finished: (r, state, outcome, now) => seen.finished.push([r.atomName, state, outcome, now]),
    timedOut: (r, kind) => seen.timedOut.push([r.atomName, kind]),
  };
  const book = new RequestBook({
    transitionTimeoutMs: options.transitionTimeoutMs === undefined ? 1_000 : options.transitionTimeoutMs,
    exchange: 'e',
    topics: ['a', 'b'],
    maxAttempts: options.maxAttempts ?? 3,
    observer,
  });
  const progress: [number, unknown][] = [];
  const open = (atomName = 't', taskName = 't.T', executionTimeoutMs?: number) => {
    const { request, outcome } = book.open({
      taskName,
      atomName,
      body,
      onProgress: (p, d) => progress.push([p, d]),
      executionTimeoutMs,
    });
    const settled = outcome.then(
      (value) => ({ ok: true, value }) as const,
      (error: unknown) => ({ ok: false, error }) as const,
    );
    return { request, settled };
  };
  return { book, seen, open, progress };
}

const ids = (requests: readonly PendingRequest[]) => requests.map((r) => r.atomName);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'], now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RequestBook: waiting requests', () => {
  it('lists the WAITING requests once each, by task name in the order they began waiting', () => {
    const { book, open } = setup();
    const a1 = open('a1', 'A');
    const b1 = open('b1', 'B');
    const a2 = open('a2', 'A');
    expect(ids(book.waiting())).toEqual(['a1', 'a2', 'b1']);
    expect(book.waitingTaskNames()).toEqual(['A', 'B']);
    book.sent(a1.request, 'a');
    expect(ids(book.waiting())).toEqual(['a2', 'b1']);
    expect(book.nextWaiting('A')).toBe(a2.request);
    // a1 sent again, twice over: queued behind a2 twice, listed once
    book.redispatch(a1.request, 'lost');
    book.sent(a1.request, 'a');
    book.redispatch(a1.request, 'lost');
    expect(ids(book.waiting())).toEqual(['a2', 'a1', 'b1']);
    book.sent(a2.request, 'a');
    expect(book.nextWaiting('A')).toBe(a1.request);
    book.sent(a1.request, 'a');
    book.sent(b1.request, 'b');
    expect(book.nextWaiting('A')).toBeUndefined();
    expect(book.waitingTaskNames()).toEqual(['B']);
    expect(book.nextWaiting('B')).toBeUndefined();
    expect(book.waitingTaskNames()).toEqual([]);
    expect(book.nextWaiting('nobody')).toBeUndefined();
    expect(book.waiting()).toEqual([]);
  });

  it('keeps the order past many thousand requests taken from one queue', () => {
    const { book, open } = setup();
    const all = Array.from({ length: 3000 }, (_, i) => open(`r${i}`).request);
    for (let i = 0; i < all.length; i++) {
      expect(book.nextWaiting('t.T')).toBe(all[i]);
      book.sent(all[i]!, 'a');
    }
    expect(book.nextWaiting('t.T')).toBeUndefined();
    expect(book.outstandingOn('a')).toBe(3000);
  });
});

describe('RequestBook: what a worker says', () => {
  it('counts the requests sent to each topic until they finish', async () => {
    const { book, open } = setup();
    const r1 = open('r1');
    const r2 = open('r2');
    const r3 = open('r3');
    expect(book.outstandingOn('a')).toBe(0);
    book.sent(r1.request, 'a');
    book.sent(r2.request, 'a');
    book.sent(r3.request, 'b');
    expect([book.outstandingOn('a'), book.outstandingOn('b')]).toEqual([2, 1]);
    book.respond(r1.request, { state: 'SUCCESS', data: { result: 1 } }, worker);
    expect(book.outstandingOn('a')).toBe(1);
    book.fail(r2.request, new Error('send failed'));
    book.fail(r3.request, new Error('send failed'));
    expect([book.outstandingOn('a'), book.outstandingOn('b')]).toEqual([0, 0]);
    expect(await r1.settled).toEqual({ ok: true, value: 1 });
    expect(book.size).toBe(0);
  });

  it('RUNNING starts the run clock once; a progress EVENT reaches onProgress, other events do not', () => {
    const { book, open, seen, progress } = setup();
    const { request } = open();
    book.sent(request, 'a');
    book.respond(request, { state: 'RUNNING', data: {} }, worker);
    expect(request.runningSince).toBe(T0);
    vi.setSystemTime(T0 + 50);
    book.respond(request, { state: 'RUNNING', data: {} }, worker);
    expect(request.runningSince).toBe(T0);
    expect(request.lastHeard).toBe(T0 + 50);
    expect(seen.running).toEqual(['t']);
    book.respond(request, { state: 'EVENT', data: { event_type: 'update_progress', details: { progress: 0.5 } } }, worker);
    book.respond(request, { state: 'EVENT', data: { event_type: 'update_progress', details: { progress: 0.7, step: 'x' } } }, worker);
    book.respond(request, { state: 'EVENT', data: { event_type: 'something_else', details: { progress: 0.9 } } }, worker);
    book.respond(request, { state: 'EVENT', data: { event_type: 'update_progress', details: { progress: 'half' } } }, worker);
    expect(progress).toEqual([
      [0.5, undefined],
      [0.7, { step: 'x' }],
    ]);
    expect(request.state).toBe('RUNNING');
  });

  it('a FAILURE response rejects with the failure it carries; the observer hears SUCCESS and FAILURE with the time', async () => {
    const { book, open, seen } = setup();
    const ok = open('ok');
    const bad = open('bad');
    book.sent(ok.request, 'a');
    book.sent(bad.request, 'a');
    book.respond(ok.request, { state: 'SUCCESS', data: { result: 'yes' } }, worker);
    const dict = Failure.fromError(new RangeError('no')).toDict();
    book.respond(bad.request, { state: 'FAILURE', data: { result: dict } }, worker);
    const failed = await bad.settled;
    expect(failed.ok).toBe(false);
    expect((failed as { error: { exceptionStr: string } }).error.exceptionStr).toBe('no');
    expect(seen.finished.map(([name, state, , now]) => [name, state, now])).toEqual([
      ['ok', 'SUCCESS', T0],
      ['bad', 'FAILURE', T0],
    ]);
    // Answered with no RUNNING and no run time (a refusal: it never ran): never started.
    expect(seen.running).toEqual([]);
    // a response for a finished request changes nothing
    book.respond(ok.request, { state: 'RUNNING', data: {} }, worker);
    expect(seen.running).toEqual([]);
    expect(ok.request.state).toBe('SUCCESS');
  });

  it('an answer with no RUNNING that says how long the task ran started that long before it, never before it was sent', () => {
    const seen: [string, number][] = [];
    const finished: [string, number][] = [];
    const book = new RequestBook({
      transitionTimeoutMs: 1_000,
      exchange: 'e',
      topics: ['a'],
      maxAttempts: 3,
      observer: {
        running: (r, now) => seen.push([r.atomName, now]),
        finished: (r, _state, _outcome, now) => finished.push([r.atomName, now - (r.runningSince ?? Number.NaN)]),
        timedOut: () => undefined,
      },
    });
    const quick = book.open({ taskName: 't.T', atomName: 'quick', body, onProgress: () => undefined, executionTimeoutMs: undefined });
    const long = book.open({ taskName: 't.T', atomName: 'long', body, onProgress: () => undefined, executionTimeoutMs: undefined });
    const failed = book.open({ taskName: 't.T', atomName: 'failed', body, onProgress: () => undefined, executionTimeoutMs: undefined });
    for (const r of [quick, long, failed]) {
      book.sent(r.request, 'a');
      void r.outcome.catch(() => undefined);
    }
    vi.setSystemTime(T0 + 500);
    expect(book.respond(quick.request, { state: 'SUCCESS', data: { result: 1 } }, { ...worker, runMs: 0 })).toBe(true);
    expect(book.respond(long.request, { state: 'SUCCESS', data: { result: 2 } }, { ...worker, runMs: 9_000 })).toBe(true);
    const dict = Failure.fromError(new Error('no')).toDict();
    expect(book.respond(failed.request, { state: 'FAILURE', data: { result: dict } }, { ...worker, runMs: 200 })).toBe(true);
    expect(seen).toEqual([
      ['quick', T0 + 500],
      ['long', T0], // 9 s claimed, but it was sent only 500 ms ago
      ['failed', T0 + 300],
    ]);
    expect(finished).toEqual([
      ['quick', 0],
      ['long', 500],
      ['failed', 200],
    ]);
  });

  it('a heartbeat counts only for requests sent; it names their holder, and a worker without an id holds nothing', () => {
    const { book, open } = setup();
    const waiting = open('waiting');
    const sent = open('sent');
    book.sent(sent.request, 'a');
    vi.setSystemTime(T0 + 10);
    expect(book.heartbeat([waiting.request.id, sent.request.id], worker, T0 + 10)).toEqual([]);
    expect(waiting.request.holder).toBeUndefined();
    expect(waiting.request.lastHeard).toBe(T0);
    expect(sent.request.holder).toEqual({ worker: 'w1', heartbeatMs: 100, control: 'tf-control-w1' });
    expect(sent.request.lastHeard).toBe(T0 + 10);
    const other = open('other');
    book.sent(other.request, 'a');
    book.heartbeat([other.request.id], {}, T0 + 20);
    expect(other.request.holder).toBeUndefined();
    expect(other.request.lastHeard).toBe(T0 + 20);
    // another worker takes it over
    book.heartbeat([sent.request.id], { worker: 'w2', heartbeatMs: 200, control: 'c2' }, T0 + 30);
    expect(sent.request.holder).toEqual({ worker: 'w2', heartbeatMs: 200, control: 'c2' });
  });
});

describe('RequestBook: liveness', () => {
  it('a held request is silent after the heartbeat timeout, or three of its worker intervals if longer, not before', () => {
    const { book, open } = setup();
    const fast = open('fast');
    const slow = open('slow');
    const unheld = open('unheld');
    const waiting = open('waiting');
    for (const r of [fast, slow, unheld]) book.sent(r.request, 'a');
    book.heartbeat([fast.request.id], worker, T0);
    book.heartbeat([slow.request.id], { worker: 'w2', heartbeatMs: 1_000, control: 'c2' }, T0);
    expect(ids(book.silent(T0 + 500, 500))).toEqual([]);
    expect(ids(book.silent(T0 + 501, 500))).toEqual(['fast']);
    expect(ids(book.silent(T0 + 3_000, 500))).toEqual(['fast']);
    expect(ids(book.silent(T0 + 3_001, 500))).toEqual(['fast', 'slow']);
    expect(waiting.request.state).toBe('WAITING');
    book.heardAll(T0 + 3_001);
    expect(ids(book.silent(T0 + 3_001, 500))).toEqual([]);
    expect(unheld.request.lastHeard).toBe(T0 + 3_001);
  });

  it('tells which requests a worker holds, and which sent ones nobody claimed, on a topic and up to a time', () => {
    const { book, open } = setup();
    const held = open('held');
    const early = open('early');
    const late = open('late');
    const elsewhere = open('elsewhere');
    open('waiting');
    book.sent(held.request, 'a');
    book.sent(early.request, 'a');
    book.sent(elsewhere.request, 'b');
    vi.setSystemTime(T0 + 100);
    book.sent(late.request, 'a');
    book.heartbeat([held.request.id], worker, T0 + 100);
    expect(ids(book.heldBy('w1'))).toEqual(['held']);
    expect(book.heldBy('w2')).toEqual([]);
    expect(ids(book.unclaimedOn('a'))).toEqual(['early', 'late']);
    expect(ids(book.unclaimedOn('a', T0 + 99))).toEqual(['early']);
    expect(ids(book.unclaimedOn('a', T0 + 100))).toEqual(['early', 'late']);
    expect(ids(book.unclaimed())).toEqual(['early', 'late', 'elsewhere']);
    book.respond(late.request, { state: 'RUNNING', data: {} }, { worker: 'w3' });
    expect(ids(book.unclaimed())).toEqual(['early', 'elsewhere']);
    expect(ids(book.heldBy('w3'))).toEqual(['late']);
  });

  it('a re-dispatch out of attempts fails with WorkerLostError naming the attempt, topic, worker and reason', async () => {
    const { book, open } = setup({ maxAttempts: 2 });
    const { request, settled } = open();
    book.sent(request, 'a');
    book.redispatch(request, 'first loss');
    book.sent(request, 'b');
    book.heartbeat([request.id], worker);
    const old = request.id;
    const { again, superseded } = book.redispatch(request, 'second loss');
    expect(again).toBeUndefined();
    expect(superseded).toEqual({ id: old, holder: { worker: 'w1', heartbeatMs: 100, control: 'tf-control-w1' } });
    const result = await settled;
    expect(result.ok).toBe(false);
    const error = (result as { error: unknown }).error;
    expect(TfError.is(error, 'TF_WORKER_LOST')).toBe(true);
    expect(error).toMatchObject({ atomName: 't', taskName: 't.T', attempts: 2, topic: 'b', worker: 'w1', reason: 'second loss' });
    // a finished request is not sent again
    expect(book.redispatch(request, 'again')).toEqual({ again: undefined, superseded: undefined });
  });

  it('a re-dispatch resets the attempt: new clock, no topic, no holder, not running', () => {
    const { book, open } = setup();
    const { request } = open();
    book.sent(request, 'a');
    book.respond(request, { state: 'RUNNING', data: {} }, worker);
    vi.setSystemTime(T0 + 70);
    book.redispatch(request, 'lost');
    expect(request).toMatchObject({
      state: 'WAITING',
      attempt: 2,
      createdAt: T0 + 70,
      lastHeard: T0 + 70,
      topic: undefined,
      holder: undefined,
      runningSince: undefined,
      sentAt: undefined,
      everSent: true,
    });
    expect(book.outstandingOn('a')).toBe(0);
  });

  it('failAll fails every live request with its own error', async () => {
    const { book, open } = setup();
    const r1 = open('r1');
    const r2 = open('r2');
    book.sent(r2.request, 'a');
    book.failAll((r) => new Error(`stopped ${r.atomName} ${r.state}`));
    expect(((await r1.settled) as { error: Error }).error.message).toBe('stopped r1 WAITING');
    expect(((await r2.settled) as { error: Error }).error.message).toBe('stopped r2 PENDING');
    expect(book.size).toBe(0);
    expect(book.outstandingOn('a')).toBe(0);
  });
});

describe('RequestBook: timeouts', () => {
  it('a WAITING or unclaimed PENDING request fails once it is past the transition timeout, not at it', async () => {
    const { book, open, seen } = setup({ transitionTimeoutMs: 1_000 });
    const waiting = open('waiting');
    const pending = open('pending');
    vi.setSystemTime(T0 + 200);
    book.sent(pending.request, 'a');
    book.expire(T0 + 1_000, () => false);
    expect(book.size).toBe(2);
    book.expire(T0 + 1_001, () => false);
    expect(book.get(waiting.request.id)).toBeUndefined();
    expect(book.get(pending.request.id)).toBe(pending.request);
    book.expire(T0 + 1_200, () => false);
    expect(book.get(pending.request.id)).toBe(pending.request);
    book.expire(T0 + 1_201, () => false);
    expect(book.size).toBe(0);
    const w = ((await waiting.settled) as { error: unknown }).error;
    const p = ((await pending.settled) as { error: unknown }).error;
    expect(w).toMatchObject({ code: 'TF_REQUEST_TIMEOUT', state: 'WAITING', topic: undefined, sentBefore: false, timeoutMs: 1_000 });
    expect(p).toMatchObject({ code: 'TF_REQUEST_TIMEOUT', state: 'PENDING', topic: 'a', sentBefore: true, exchange: 'e' });
    expect((p as { topics: string[] }).topics).toEqual(['a', 'b']);
    expect(seen.timedOut).toEqual([
      ['waiting', 'transition'],
      ['pending', 'transition'],
    ]);
  });

  it('never times out a RUNNING request, a WAITING one a worker serves, or any without a transition timeout', () => {
    const { book, open, seen } = setup({ transitionTimeoutMs: 100 });
    const running = open('running');
    const served = open('served', 'Served');
    book.sent(running.request, 'a');
    book.respond(running.request, { state: 'RUNNING', data: {} }, { worker: 'w' });
    book.expire(T0 + 10_000, (taskName) => taskName === 'Served');
    expect(book.size).toBe(2);
    expect(served.request.state).toBe('WAITING');
    const forever = setup({ transitionTimeoutMs: null });
    const r = forever.open();
    forever.book.expire(T0 + 10_000_000, () => false);
    expect(forever.book.get(r.request.id)).toBe(r.request);
    expect(seen.timedOut).toEqual([]);
  });

  it('fails a RUNNING request past its execution timeout plus the grace, not at it', async () => {
    const { book, open, seen } = setup();
    const timed = open('timed', 't.T', 300);
    const untimed = open('untimed');
    const notRunning = open('not-running', 't.T', 300);
    for (const r of [timed, untimed, notRunning]) book.sent(r.request, 'a');
    for (const r of [timed, untimed]) book.respond(r.request, { state: 'RUNNING', data: {} }, worker);
    book.overdue(T0 + 350, 50);
    expect(book.size).toBe(3);
    book.overdue(T0 + 351, 50);
    expect(book.size).toBe(2);
    const error = ((await timed.settled) as { error: Error }).error;
    expect(TfError.is(error, 'TF_EXECUTION_TIMEOUT')).toBe(true);
    expect(error.message).toBe("Task 'timed' ran longer than its execution timeout of 300 ms (its worker did not report back)");
    expect(seen.timedOut).toEqual([['timed', 'execution']]);
    book.overdue(T0 + 1_000_000, 50);
    expect(book.size).toBe(2);
    expect(untimed.request.state).toBe('RUNNING');
    expect(notRunning.request.state).toBe('PENDING');
  });
});
