import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY_OPTIONS,
  TfError,
  TypedEmitter,
  assertDestinationName,
  camelCaseKey,
  checkTransportOptions,
  normaliseOptionKeys,
  parseRetryOptions,
  retryDelayMs,
} from '@tf/transport';
import type { UnknownTransportOptionError } from '@tf/transport';

describe('option normalisation', () => {
  it('camelCases snake_case and kebab-case keys once, shallowly', () => {
    expect(camelCaseKey('data_folder_in')).toBe('dataFolderIn');
    expect(camelCaseKey('transport-options')).toBe('transportOptions');
    expect(camelCaseKey('alreadyCamel')).toBe('alreadyCamel');
    const nested = { inner_key: 1 };
    expect(normaliseOptionKeys({ data_folder_in: '/in', dataFolderOut: '/out', nested_thing: nested, gone: undefined })).toEqual({
      dataFolderIn: '/in',
      dataFolderOut: '/out',
      nestedThing: { inner_key: 1 },
    });
    expect(normaliseOptionKeys(undefined)).toEqual({});
  });

  it('rejects two spellings of one option with different values', () => {
    expect(normaliseOptionKeys({ data_folder_in: 'a', dataFolderIn: 'a' })).toEqual({ dataFolderIn: 'a' });
    expect(() => normaliseOptionKeys({ data_folder_in: 'a', dataFolderIn: 'b' })).toThrow(/data_folder_in|dataFolderIn/);
    expect(() => normaliseOptionKeys([] as unknown as object)).toThrow(/object/);
  });

  it('checkTransportOptions names an unknown option and the allowed ones', () => {
    expect(checkTransportOptions('fs', { data_folder_in: '/q' }, ['dataFolderIn', 'dataFolderOut'])).toEqual({ dataFolderIn: '/q' });
    try {
      checkTransportOptions('fs', { data_folder_inn: '/q' }, ['dataFolderIn', 'dataFolderOut']);
      expect.unreachable();
    } catch (e) {
      expect(TfError.is(e, 'TF_TRANSPORT_UNKNOWN_OPTION')).toBe(true);
      const err = e as UnknownTransportOptionError;
      expect(err.option).toBe('dataFolderInn');
      expect(err.allowed).toEqual(['dataFolderIn', 'dataFolderOut']);
      expect(err.message).toContain("'dataFolderInn'");
      expect(err.message).toContain('dataFolderIn, dataFolderOut');
    }
  });
});

describe('retry options', () => {
  it("default to TaskFlow's (3 retries, 1 s apart)", () => {
    expect(parseRetryOptions()).toEqual({ intervalStartMs: 1000, intervalStepMs: 1000, intervalMaxMs: 1000, maxRetries: 3 });
    expect(parseRetryOptions(undefined)).toEqual(DEFAULT_RETRY_OPTIONS);
  });

  it('take milliseconds under *Ms names and kombu seconds under kombu names', () => {
    expect(parseRetryOptions({ intervalStartMs: 10, intervalStepMs: 20, intervalMaxMs: 50, maxRetries: 7 })).toEqual({
      intervalStartMs: 10,
      intervalStepMs: 20,
      intervalMaxMs: 50,
      maxRetries: 7,
    });
    expect(parseRetryOptions({ interval_start: 0.5, interval_step: 2, interval_max: 30, max_retries: null })).toEqual({
      intervalStartMs: 500,
      intervalStepMs: 2000,
      intervalMaxMs: 30_000,
      maxRetries: null,
    });
    expect(parseRetryOptions({ intervalStart: 2, maxRetries: Number.POSITIVE_INFINITY })).toMatchObject({
      intervalStartMs: 2000,
      maxRetries: null,
    });
  });

  it('reject unknown keys, bad values and two spellings of one option', () => {
    expect(() => parseRetryOptions({ interval: 1 } as never)).toThrow(/interval/);
    try {
      parseRetryOptions({ retries: 1 } as never);
      expect.unreachable();
    } catch (e) {
      expect(TfError.is(e, 'TF_TRANSPORT_UNKNOWN_OPTION')).toBe(true);
    }
    expect(() => parseRetryOptions({ maxRetries: -1 })).toThrow(/maxRetries/);
    expect(() => parseRetryOptions({ maxRetries: 1.5 })).toThrow(/maxRetries/);
    expect(() => parseRetryOptions({ intervalStartMs: -5 })).toThrow(/intervalStartMs/);
    expect(() => parseRetryOptions({ intervalStartMs: 'soon' } as never)).toThrow(/intervalStartMs/);
    expect(() => parseRetryOptions({ intervalStartMs: 1, interval_start: 1 })).toThrow(/both set/);
  });

  it('give kombu delays: start, plus step per attempt, capped; undefined once used up', () => {
    const r = parseRetryOptions({ intervalStartMs: 100, intervalStepMs: 200, intervalMaxMs: 450, maxRetries: 4 });
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, r))).toEqual([100, 300, 450, 450, undefined]);
    const forever = parseRetryOptions({ maxRetries: null });
    expect(retryDelayMs(1_000_000, forever)).toBe(1000);
    expect(retryDelayMs(1, parseRetryOptions({ maxRetries: 0 }))).toBeUndefined();
  });
});

describe('destination names', () => {
  it('accept TaskFlow-style exchange and topic names, reject the rest', () => {
    for (const ok of ['test-exchange', 'topic1', 'a.b_c-d', '6f1e6a3c-1d2b-4c5e-9f00-1234567890ab']) {
      expect(() => assertDestinationName('topic', ok)).not.toThrow();
    }
    for (const bad of ['', 'a/b', 'a b', '..', 'x'.repeat(201), 42]) {
      expect(() => assertDestinationName('topic', bad)).toThrow(/topic/);
    }
  });
});

describe('TypedEmitter', () => {
  it('calls listeners in order, supports once/off, survives a throwing listener', () => {
    const logged: unknown[] = [];
    const noop = () => undefined;
    const logger = { trace: noop, debug: noop, info: noop, warn: noop, error: (o: unknown) => logged.push(o) };
    const e = new TypedEmitter<{ tick: number; error: Error }>(logger);
    const seen: string[] = [];
    e.on('tick', () => {
      throw new Error('bad listener');
    });
    const off = e.on('tick', (n) => seen.push(`a${n}`));
    e.once('tick', (n) => seen.push(`once${n}`));
    expect(e.emit('tick', 1)).toBe(true);
    off();
    e.emit('tick', 2);
    expect(seen).toEqual(['a1', 'once1']);
    expect(logged.length).toBe(2);
    expect(e.emit('error', new Error('nobody listens'))).toBe(false); // no throw
    expect(e.listenerCount('tick')).toBe(1);
  });
});
