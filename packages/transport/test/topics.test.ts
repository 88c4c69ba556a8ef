import { describe, expect, it } from 'vitest';
import { DEFAULT_PUBLISH_SPEC, DEFAULT_TEMPORARY_TOPIC_EXPIRY_MS, publishSpec, temporaryTopicExpiryMs } from '@tf/transport';

const invalid = (fn: () => unknown): void => {
  expect(fn).toThrow(expect.objectContaining({ code: 'TF_INVALID_ARGUMENT' }));
};

describe('publish options', () => {
  it('no options, or only the defaults, cost no object: the one frozen default', () => {
    expect(publishSpec(undefined)).toBe(DEFAULT_PUBLISH_SPEC);
    expect(publishSpec({})).toBe(DEFAULT_PUBLISH_SPEC);
    expect(publishSpec({ createTopic: true })).toBe(DEFAULT_PUBLISH_SPEC);
    expect(DEFAULT_PUBLISH_SPEC).toEqual({ createTopic: true, ttlMs: undefined });
    expect(Object.isFrozen(DEFAULT_PUBLISH_SPEC)).toBe(true);
  });

  it('createTopic: false and ttlMs (whole milliseconds, rounded up)', () => {
    expect(publishSpec({ createTopic: false })).toEqual({ createTopic: false, ttlMs: undefined });
    expect(publishSpec({ ttlMs: 1.2 })).toEqual({ createTopic: true, ttlMs: 2 });
  });

  it('bad values and unknown keys are TF_INVALID_ARGUMENT', () => {
    invalid(() => publishSpec({ createTopic: 'no' as unknown as boolean }));
    invalid(() => publishSpec({ ttlMs: 0 }));
    invalid(() => publishSpec({ ttlMs: Number.NaN }));
    invalid(() => publishSpec({ mandatory: true } as never));
    invalid(() => publishSpec([] as never));
  });
});

describe('temporaryTopicExpiryMs', () => {
  it('defaults to 60 s and takes a number > 0, naming the transport when it is not one', () => {
    expect(temporaryTopicExpiryMs('redis', undefined)).toBe(DEFAULT_TEMPORARY_TOPIC_EXPIRY_MS);
    expect(DEFAULT_TEMPORARY_TOPIC_EXPIRY_MS).toBe(60_000);
    expect(temporaryTopicExpiryMs('redis', 1500.4)).toBe(1500);
    expect(() => temporaryTopicExpiryMs('redis', -1)).toThrow(/redis transport: temporaryTopicExpiryMs/);
  });
});
