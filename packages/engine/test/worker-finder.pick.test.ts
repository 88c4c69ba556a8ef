/** WorkerFinder.pick: the least-loaded capable topic, in turn among equals, never a full one. */
import { describe, expect, it } from 'vitest';
import { WorkerFinder } from '../src/worker-based/worker-finder';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function finder(outstanding: Record<string, number>) {
  return new WorkerFinder(
    { topics: ['a', 'b', 'c'], notifyIntervalMs: 60_000, workerExpiryMs: 60_000, logger: quiet },
    { sendNotify: () => Promise.resolve(), workersChanged: () => undefined, outstandingOn: (topic) => outstanding[topic] ?? 0 },
  );
}

describe('WorkerFinder.pick', () => {
  it('takes the topic with the fewest outstanding requests per slot', () => {
    const load: Record<string, number> = { a: 4, b: 2 };
    const f = finder(load);
    f.heard('a', ['T'], { worker: 'wa', concurrency: 8 });
    f.heard('b', ['T'], { worker: 'wb', concurrency: 2 });
    // a: 4/8 = 0.5, b: 2/2 = 1
    expect(f.pick('T')).toBe('a');
    load.a = 9;
    // a: 9/8 > 1; b: 1
    expect(f.pick('T')).toBe('b');
  });

  it('goes round among equally loaded topics', () => {
    const f = finder({});
    f.heard('a', ['T'], { worker: 'wa', concurrency: 4 });
    f.heard('b', ['T'], { worker: 'wb', concurrency: 4 });
    f.heard('c', ['U'], { worker: 'wc', concurrency: 4 });
    expect([f.pick('T'), f.pick('T'), f.pick('T'), f.pick('T')]).toEqual(['a', 'b', 'a', 'b']);
  });

  it('skips a topic holding its prefetch (slots + one per worker), and a topic without the task', () => {
    const load: Record<string, number> = { a: 5, b: 0 };
    const f = finder(load);
    f.heard('a', ['T'], { worker: 'wa', concurrency: 4 });
    f.heard('b', ['U'], { worker: 'wb', concurrency: 4 });
    expect(f.pick('T')).toBeUndefined();
    load.a = 4;
    expect(f.pick('T')).toBe('a');
    expect(f.pick('V')).toBeUndefined();
  });

  it('counts a topic whose worker does not say its concurrency by its outstanding requests, uncapped', () => {
    const load: Record<string, number> = { a: 1000, b: 3 };
    const f = finder(load);
    f.heard('a', ['T']);
    f.heard('b', ['T'], { worker: 'wb', concurrency: 1 });
    // a: 1000 outstanding, no cap; b: 3 >= its prefetch of 2, full.
    expect(f.pick('T')).toBe('a');
    load.b = 0;
    // b: 0/1 = 0 < a's 1000
    expect(f.pick('T')).toBe('b');
  });
});
