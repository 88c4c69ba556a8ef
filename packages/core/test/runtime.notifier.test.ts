import { describe, expect, it } from 'vitest';
import { Notifier } from '@tf/core';

describe('Notifier', () => {
  it('delivers to the event and to * listeners, and unsubscribes', () => {
    const n = new Notifier<{ v: number }>();
    const got: string[] = [];
    const off = n.on('SUCCESS', (e, d) => got.push(`s:${e}:${d.v}`));
    n.on('*', (e, d) => got.push(`*:${e}:${d.v}`));
    n.notify('SUCCESS', { v: 1 });
    n.notify('FAILURE', { v: 2 });
    off();
    n.notify('SUCCESS', { v: 3 });
    expect(got).toEqual(['s:SUCCESS:1', '*:SUCCESS:1', '*:FAILURE:2', '*:SUCCESS:3']);
    expect(n.listenerCount()).toBe(1);
  });

  it('keeps delivering when a listener throws, and reports the error', () => {
    const n = new Notifier();
    const errors: unknown[] = [];
    n.onListenerError = (e) => errors.push(e);
    const got: string[] = [];
    n.on('*', () => {
      throw new Error('bad listener');
    });
    n.on('*', (e) => got.push(e));
    n.notify('RUNNING', {});
    expect(got).toEqual(['RUNNING']);
    expect((errors[0] as Error).message).toBe('bad listener');
  });

  it('reports whether anyone listens', () => {
    const n = new Notifier();
    expect(n.hasListeners).toBe(false);
    const off = n.on('x', () => {});
    expect(n.hasListeners).toBe(true);
    off();
    expect(n.hasListeners).toBe(false);
  });
});
