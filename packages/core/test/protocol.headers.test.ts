import { describe, expect, it } from 'vitest';
import type { MessageHeaders } from '@tf/transport';
import { controlTopicOf, MAX_IDS_PER_MESSAGE, MAX_TIMER_MS, readIds, readRequestHeaders, readWorkerHeaders, TfHeader } from '@tf/core';

describe('readIds', () => {
  it('keeps short ids of word characters, dots, colons and dashes, and nothing else', () => {
    expect(readIds(['a', 'b.c:d-e_f', '', 'x'.repeat(200), 'x'.repeat(201), 'sp ace', 'new\nline', 7, null])).toEqual([
      'a',
      'b.c:d-e_f',
      'x'.repeat(200),
    ]);
    expect(readIds([' lead'])).toEqual([]);
    expect(readIds(['trail '])).toEqual([]);
  });

  it('reads at most MAX_IDS_PER_MESSAGE items, and nothing from what is not a list', () => {
    const ids = Array.from({ length: MAX_IDS_PER_MESSAGE + 5 }, (_, i) => `id${i}`);
    expect(readIds(ids)).toEqual(ids.slice(0, MAX_IDS_PER_MESSAGE));
    expect(readIds('id1')).toBeUndefined();
    expect(readIds({ 0: 'id1', length: 1 })).toBeUndefined();
    expect(readIds([])).toEqual([]);
  });
});

describe('readWorkerHeaders', () => {
  const worker = 'w-1';

  it('reads every header a worker sends', () => {
    expect(
      readWorkerHeaders({
        [TfHeader.WORKER]: worker,
        [TfHeader.HEARTBEAT_MS]: 250,
        [TfHeader.RUNNING]: ['c1', 'c2'],
        [TfHeader.CONTROL]: controlTopicOf(worker),
        [TfHeader.CONCURRENCY]: 4,
        [TfHeader.ATTEMPT]: 2,
        [TfHeader.TOPIC]: 'jobs',
      }),
    ).toStrictEqual({
      worker,
      heartbeatMs: 250,
      running: ['c1', 'c2'],
      control: 'tf-control-w-1',
      concurrency: 4,
      attempt: 2,
      topic: 'jobs',
    });
    expect(readWorkerHeaders({})).toStrictEqual({});
  });

  it('keeps each count inside its bounds: a positive integer up to its maximum', () => {
    const read = (header: string, value: unknown) => readWorkerHeaders({ [header]: value } as MessageHeaders);
    expect(read(TfHeader.HEARTBEAT_MS, 3_600_000)).toStrictEqual({ heartbeatMs: 3_600_000 });
    expect(read(TfHeader.CONCURRENCY, 100_000)).toStrictEqual({ concurrency: 100_000 });
    expect(read(TfHeader.ATTEMPT, 1_000)).toStrictEqual({ attempt: 1_000 });
    expect(read(TfHeader.ATTEMPT, 1)).toStrictEqual({ attempt: 1 });
    for (const [header, max] of [
      [TfHeader.HEARTBEAT_MS, 3_600_000],
      [TfHeader.CONCURRENCY, 100_000],
      [TfHeader.ATTEMPT, 1_000],
    ] as const) {
      for (const bad of [max + 1, 0, -1, 1.5, '5', Number.NaN, null]) expect(read(header, bad)).toStrictEqual({});
    }
  });

  it("keeps an answer's run time when it is a whole number of ms from 0 to the longest timer", () => {
    const read = (value: unknown) => readWorkerHeaders({ [TfHeader.RUN_MS]: value } as MessageHeaders);
    expect(read(0)).toStrictEqual({ runMs: 0 });
    expect(read(MAX_TIMER_MS)).toStrictEqual({ runMs: MAX_TIMER_MS });
    for (const bad of [MAX_TIMER_MS + 1, -1, 1.5, '5', Number.NaN, null, true]) expect(read(bad)).toStrictEqual({});
  });

  it('refuses a worker id or topic that is malformed', () => {
    expect(readWorkerHeaders({ [TfHeader.WORKER]: 'has space' })).toStrictEqual({});
    expect(readWorkerHeaders({ [TfHeader.WORKER]: 42 })).toStrictEqual({});
    expect(readWorkerHeaders({ [TfHeader.TOPIC]: '..' })).toStrictEqual({});
    expect(readWorkerHeaders({ [TfHeader.RUNNING]: 'c1' })).toStrictEqual({});
  });

  it('takes only the control topic the worker id gives, or assumes it for a worker that heartbeats', () => {
    const control = (headers: Record<string, unknown>) => readWorkerHeaders(headers as MessageHeaders).control;
    expect(control({ [TfHeader.WORKER]: worker, [TfHeader.CONTROL]: controlTopicOf(worker) })).toBe('tf-control-w-1');
    expect(control({ [TfHeader.WORKER]: worker, [TfHeader.CONTROL]: 'shared-topic', [TfHeader.HEARTBEAT_MS]: 100 })).toBeUndefined();
    expect(control({ [TfHeader.WORKER]: worker, [TfHeader.HEARTBEAT_MS]: 100 })).toBe('tf-control-w-1');
    expect(control({ [TfHeader.WORKER]: worker })).toBeUndefined();
    expect(control({ [TfHeader.CONTROL]: controlTopicOf(worker), [TfHeader.HEARTBEAT_MS]: 100 })).toBeUndefined();
    expect(control({ [TfHeader.WORKER]: worker, [TfHeader.HEARTBEAT_MS]: 0 })).toBeUndefined();
  });
});

describe('readRequestHeaders', () => {
  it('reads attempt, execution timeout, expiry and deliveries', () => {
    expect(
      readRequestHeaders({
        [TfHeader.ATTEMPT]: 3,
        [TfHeader.EXECUTION_TIMEOUT_MS]: 1.5,
        [TfHeader.EXPIRES_AT]: 1_700_000_000_000,
        [TfHeader.DELIVERIES]: 1_000_000,
      }),
    ).toStrictEqual({ attempt: 3, executionTimeoutMs: 1.5, expiresAt: 1_700_000_000_000, deliveries: 1_000_000 });
    expect(readRequestHeaders({})).toStrictEqual({});
  });

  it('reads x-tf-running-optional only when it is exactly true', () => {
    expect(readRequestHeaders({ [TfHeader.RUNNING_OPTIONAL]: true })).toStrictEqual({ runningOptional: true });
    for (const other of [false, 'true', 1, null, {}]) {
      expect(readRequestHeaders({ [TfHeader.RUNNING_OPTIONAL]: other } as MessageHeaders)).toStrictEqual({});
    }
  });

  it('refuses values out of their bounds', () => {
    const read = (header: string, value: unknown) => readRequestHeaders({ [header]: value } as MessageHeaders);
    expect(read(TfHeader.EXECUTION_TIMEOUT_MS, MAX_TIMER_MS)).toStrictEqual({ executionTimeoutMs: MAX_TIMER_MS });
    for (const bad of [MAX_TIMER_MS + 1, 0, -5, Number.POSITIVE_INFINITY, Number.NaN, '100']) {
      expect(read(TfHeader.EXECUTION_TIMEOUT_MS, bad)).toStrictEqual({});
    }
    expect(read(TfHeader.EXPIRES_AT, 1)).toStrictEqual({ expiresAt: 1 });
    for (const bad of [0, -1, 1.5, 2 ** 53, '1700000000000']) expect(read(TfHeader.EXPIRES_AT, bad)).toStrictEqual({});
    for (const bad of [1_000_001, 0]) expect(read(TfHeader.DELIVERIES, bad)).toStrictEqual({});
    for (const bad of [1_001, 0]) expect(read(TfHeader.ATTEMPT, bad)).toStrictEqual({});
  });
});
