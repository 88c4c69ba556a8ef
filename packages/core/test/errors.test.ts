import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TfError } from '@tf/core';

describe('TfError', () => {
  it('is recognised by brand and code, not instanceof', () => {
    const e = new InvalidArgumentError('bad');
    expect(TfError.is(e)).toBe(true);
    expect(TfError.is(e, 'TF_INVALID_ARGUMENT')).toBe(true);
    expect(TfError.is(e, 'TF_CYCLE')).toBe(false);
    expect(e.name).toBe('InvalidArgumentError');
    // A look-alike from another copy of @tf/core carries the same Symbol.for brand.
    const foreign = Object.assign(new Error('x'), { code: 'TF_X', [Symbol.for('tf.error')]: true });
    expect(TfError.is(foreign, 'TF_X')).toBe(true);
    expect(TfError.is(new Error('plain'))).toBe(false);
  });
});
