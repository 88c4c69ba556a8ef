import { describe, expect, it } from 'vitest';
import { Slots } from '../src/slots';

describe('Slots (the members of a set that changes all the time, without a hash table)', () => {
  it('lists what it holds in the order added, reuses freed slots, and removes a slot once', () => {
    const slots = new Slots<string>();
    const a = slots.add('a');
    const b = slots.add('b');
    const c = slots.add('c');
    slots.remove(b);
    slots.remove(b);
    expect(slots.size).toBe(2);
    const d = slots.add('d');
    expect(d).toBe(b);
    expect(slots.values()).toEqual(['a', 'c', 'd']);
    slots.remove(a);
    slots.remove(c);
    slots.remove(-1);
    expect(slots.values()).toEqual(['d']);
    expect(slots.size).toBe(1);
  });
});
