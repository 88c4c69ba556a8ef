import { describe, expect, it } from 'vitest';
import { Task } from '@tf/core';

class Add extends Task<{ a: number; b: number }, number> {
  static override taskName = 'test.Add';
  static override requires = ['a', 'b'];
  static override provides = 'sum';
  override execute({ a, b }: { a: number; b: number }): number {
    return a + b;
  }
}

describe('atoms with equal bindings share them, and only them', () => {
  it('shares the collections of instances of one class with the same options', () => {
    const one = new Add({ name: 'one' });
    const two = new Add({ name: 'two' });
    expect(two.requires).toBe(one.requires);
    expect(two.argMapping).toBe(one.argMapping);
    expect(two.saveAs).toBe(one.saveAs);
    expect(two.provides).toBe(one.provides);
    expect(two.version).toBe(one.version);
    expect(Object.isFrozen(one.version)).toBe(true);
  });

  it('gives an instance with other options its own binding and leaves the shared one as it was', () => {
    const plain = new Add({ name: 'plain' });
    const rebound = new Add({ name: 'rebound', rebind: { a: 'x' }, provides: ['first'], requires: ['c'] });
    expect([...rebound.argMapping]).toEqual([
      ['a', 'x'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
    expect([...rebound.requires]).toEqual(['x', 'b', 'c']);
    expect([...rebound.saveAs]).toEqual([['first', 0]]);
    expect([...plain.argMapping]).toEqual([
      ['a', 'a'],
      ['b', 'b'],
    ]);
    expect([...plain.requires]).toEqual(['a', 'b']);
    expect([...plain.saveAs]).toEqual([['sum', null]]);
    expect(new Add({ name: 'again' }).argMapping).toBe(plain.argMapping);
  });

  it('tells a key from an index and from the whole result', () => {
    const byIndex = new Add({ name: 'i', provides: ['x'] });
    const byKey = new Add({ name: 'k', provides: { x: '0' } });
    const whole = new Add({ name: 'w', provides: 'x' });
    expect(byIndex.saveAs.get('x')).toBe(0);
    expect(byKey.saveAs.get('x')).toBe('0');
    expect(whole.saveAs.get('x')).toBeNull();
  });

  it('keeps the order of required symbols as part of what is shared', () => {
    const ab = new Add({ name: 'ab' });
    const ba = new Add({ name: 'ba', rebind: ['b', 'a'] });
    expect([...ba.requires]).toEqual(['b', 'a']);
    expect([...ab.requires]).toEqual(['a', 'b']);
    expect(ba.requires).not.toBe(ab.requires);
  });
});
