import { GroupCommit } from '@tf/persistence';
import { describe, expect, it } from 'vitest';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('GroupCommit', () => {
  it('writes everything in push order, grouping what arrives while a write is in flight', async () => {
    const writes: number[][] = [];
    const group = new GroupCommit<number>(async (_key, items) => {
      writes.push(items);
      await tick(20);
    });
    const done: Promise<void>[] = [group.push('f', 0)];
    await tick(5);
    for (let i = 1; i <= 10; i++) done.push(group.push('f', i));
    await Promise.all(done);
    expect(writes.flat()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(writes).toEqual([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]);
  });

  it('a failed write rejects its items only; the next write goes on', async () => {
    let calls = 0;
    const group = new GroupCommit<string>(async (_key, items) => {
      calls++;
      await tick(5);
      if (items.includes('bad')) throw new Error('disk full');
    });
    const first = group.push('f', 'bad');
    await tick(1);
    const second = group.push('f', 'good');
    await expect(first).rejects.toThrow('disk full');
    await expect(second).resolves.toBeUndefined();
    expect(calls).toBe(2);
  });

  it('keys are written independently; idle() waits for all of them', async () => {
    const order: string[] = [];
    const group = new GroupCommit<string>(async (key, items) => {
      await tick(key === 'slow' ? 30 : 1);
      order.push(`${key}:${items.join(',')}`);
    });
    void group.push('slow', 'a');
    void group.push('fast', 'b');
    await group.idle();
    expect(order).toEqual(['fast:b', 'slow:a']);
  });
});
