/**
 * What a decider's "no" ignores, per depth (TaskFlow's `deciders.Depth`, engines/action_engine/deciders.py):
 * ALL every atom after the target; FLOW the tasks after it in its own flow, not through a nested flow, a retry
 * or the flow's exit; NEIGHBORS its direct successor tasks; ATOM the target alone. What is ignored does not run,
 * and what waits only for ignored atoms runs.
 */
import { describe, expect, it } from 'vitest';
import { ActionEngine, Task, graphFlow, linearFlow, type Decider, type DeciderDepth, type LinkOptions } from '@tf/core';

class Rec extends Task {
  constructor(
    name: string,
    private readonly ran: string[],
  ) {
    super({ name });
  }
  override execute(): string {
    this.ran.push(this.name);
    return `${this.name}!`;
  }
}

/**
 * outer (linear): g, z
 *   g (graph): a -> b (the decider); b -> c -> d; b -> inner; inner -> e
 *     inner (linear): n1, n2
 */
function layout(options: LinkOptions) {
  const ran: string[] = [];
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => new Rec(n, ran)) as [Rec, Rec, Rec, Rec, Rec];
  const inner = linearFlow('inner').add(new Rec('n1', ran), new Rec('n2', ran));
  const g = graphFlow('g').add(a, b, c, d, inner, e).link(a, b, options).link(b, c).link(c, d).link(b, inner).link(inner, e);
  return { flow: linearFlow('outer').add(g, new Rec('z', ran)), ran };
}

async function runWith(options: LinkOptions) {
  const { flow, ran } = layout(options);
  const engine = new ActionEngine(flow);
  await engine.run();
  const states = engine.storage.getStates();
  const ignored = Object.keys(states)
    .filter((name) => states[name] === 'IGNORE')
    .sort();
  const intentions = Object.fromEntries(ignored.map((name) => [name, engine.storage.getIntention(name)]));
  return { ran: [...ran].sort(), ignored, intentions, flowState: engine.storage.flowState };
}

const no: Decider = () => false;

describe('decider depth', () => {
  it('ALL ignores the target and every atom after it, through nested flows and past the flow exit', async () => {
    const r = await runWith({ decider: no, deciderDepth: 'ALL' });
    expect(r.ignored).toEqual(['b', 'c', 'd', 'e', 'n1', 'n2', 'z']);
    expect(r.ran).toEqual(['a']);
    expect(r.flowState).toBe('SUCCESS');
  });

  it('FLOW ignores the tasks after the target in its flow; a nested flow, what follows it and what follows the flow run', async () => {
    const r = await runWith({ decider: no, deciderDepth: 'FLOW' });
    expect(r.ignored).toEqual(['b', 'c', 'd']);
    expect(r.intentions).toEqual({ b: 'IGNORE', c: 'IGNORE', d: 'IGNORE' });
    expect(r.ran).toEqual(['a', 'e', 'n1', 'n2', 'z']);
    expect(r.flowState).toBe('SUCCESS');
  });

  it("accepts TaskFlow's lower-case depth", async () => {
    const r = await runWith({ decider: no, deciderDepth: 'flow' });
    expect(r.ignored).toEqual(['b', 'c', 'd']);
  });

  it('NEIGHBORS ignores the target and its direct successor tasks only', async () => {
    const r = await runWith({ decider: no, deciderDepth: 'NEIGHBORS' });
    expect(r.ignored).toEqual(['b', 'c']);
    expect(r.intentions).toEqual({ b: 'IGNORE', c: 'IGNORE' });
    expect(r.ran).toEqual(['a', 'd', 'e', 'n1', 'n2', 'z']);
  });

  it('ATOM ignores the target only', async () => {
    const r = await runWith({ decider: no, deciderDepth: 'ATOM' });
    expect(r.ignored).toEqual(['b']);
    expect(r.ran).toEqual(['a', 'c', 'd', 'e', 'n1', 'n2', 'z']);
  });

  it('a decider that says yes ignores nothing, whatever its depth', async () => {
    for (const depth of ['ALL', 'FLOW', 'NEIGHBORS', 'ATOM'] as const) {
      const r = await runWith({ decider: () => true, deciderDepth: depth });
      expect(r.ignored).toEqual([]);
      expect(r.ran).toEqual(['a', 'b', 'c', 'd', 'e', 'n1', 'n2', 'z']);
    }
  });

  it('a decider on a link into a nested flow with depth FLOW ignores the tasks of that flow, not what follows it', async () => {
    const ran: string[] = [];
    const a = new Rec('a', ran);
    const inner = linearFlow('inner').add(new Rec('n1', ran), new Rec('n2', ran));
    const after = new Rec('after', ran);
    const flow = graphFlow('g').add(a, inner, after).link(a, inner, { decider: no, deciderDepth: 'FLOW' }).link(inner, after);
    const engine = new ActionEngine(flow);
    await engine.run();
    expect(engine.storage.getStates()).toEqual({ a: 'SUCCESS', n1: 'IGNORE', n2: 'IGNORE', after: 'SUCCESS' });
    expect(ran).toEqual(['a', 'after']);
  });
});

describe('several deciders on one atom', () => {
  /** b is gated by a1 -> b and a2 -> b, each decider saying no with its depth (in link order). */
  async function twoNays(first: DeciderDepth, second: DeciderDepth) {
    const ran: string[] = [];
    const [a1, a2, b, c, d] = ['a1', 'a2', 'b', 'c', 'd'].map((n) => new Rec(n, ran)) as [Rec, Rec, Rec, Rec, Rec];
    const flow = graphFlow('g')
      .add(a1, a2, b, c, d)
      .link(a1, b, { decider: no, deciderDepth: first })
      .link(a2, b, { decider: no, deciderDepth: second })
      .link(b, c)
      .link(c, d);
    const engine = new ActionEngine(flow);
    await engine.run();
    const states = engine.storage.getStates();
    return Object.keys(states)
      .filter((name) => states[name] === 'IGNORE')
      .sort();
  }

  it('the widest depth among the "no" voters applies, whichever link comes first', async () => {
    expect(await twoNays('ATOM', 'NEIGHBORS')).toEqual(['b', 'c']);
    expect(await twoNays('NEIGHBORS', 'ATOM')).toEqual(['b', 'c']);
    expect(await twoNays('NEIGHBORS', 'FLOW')).toEqual(['b', 'c', 'd']);
    expect(await twoNays('FLOW', 'ATOM')).toEqual(['b', 'c', 'd']);
  });

  it('every decider gets the results of the atoms it comes from, as its own copy', async () => {
    const ran: string[] = [];
    const [a1, a2, b] = ['a1', 'a2', 'b'].map((n) => new Rec(n, ran)) as [Rec, Rec, Rec];
    const seen: Record<string, unknown>[] = [];
    const flow = graphFlow('g')
      .add(a1, a2, b)
      .link(a1, b, {
        decider: (history) => {
          seen.push({ ...history });
          history['a1'] = 'changed';
          return true;
        },
      })
      .link(a2, b, {
        decider: (history) => {
          seen.push({ ...history });
          return true;
        },
      });
    const engine = new ActionEngine(flow);
    await engine.run();
    expect(seen).toEqual([
      { a1: 'a1!', a2: 'a2!' },
      { a1: 'a1!', a2: 'a2!' },
    ]);
    expect(ran).toContain('b');
  });

  it('a decider whose source atom was ignored does not vote; the others still do', async () => {
    const ran: string[] = [];
    const [a, b, c, x] = ['a', 'b', 'c', 'x'].map((n) => new Rec(n, ran)) as [Rec, Rec, Rec, Rec];
    const asked: Record<string, unknown>[] = [];
    const flow = graphFlow('g')
      .add(a, b, c, x)
      .link(a, b, { decider: no, deciderDepth: 'ATOM' })
      .link(b, c, {
        decider: (history) => {
          asked.push(history);
          return false;
        },
      })
      .link(x, c, {
        decider: (history) => {
          asked.push(history);
          return true;
        },
      });
    const engine = new ActionEngine(flow);
    await engine.run();
    // b is ignored: its "no" for c does not count, x's "yes" (given x's result only) lets c run
    expect(asked).toEqual([{ x: 'x!' }]);
    expect(engine.storage.getStates()).toEqual({ a: 'SUCCESS', b: 'IGNORE', c: 'SUCCESS', x: 'SUCCESS' });
  });

  it('a decider on a link from a nested flow votes with the history of atom sources only', async () => {
    const ran: string[] = [];
    const inner = linearFlow('inner').add(new Rec('n1', ran));
    const [x, c] = ['x', 'c'].map((n) => new Rec(n, ran)) as [Rec, Rec];
    const asked: Record<string, unknown>[] = [];
    const flow = graphFlow('g')
      .add(inner, x, c)
      .link(inner, c, {
        decider: (history) => {
          asked.push(history);
          return false;
        },
        deciderDepth: 'ATOM',
      })
      .link(x, c, { decider: () => true });
    const engine = new ActionEngine(flow);
    await engine.run();
    expect(asked).toEqual([{ x: 'x!' }]);
    expect(engine.storage.getState('c')).toBe('IGNORE');
  });
});

describe('reverting past ignored atoms', () => {
  it('an ignored atom does not hold back the revert of what came before it', async () => {
    const ran: string[] = [];
    const reverted: string[] = [];
    class Undo extends Rec {
      override revert(): void {
        reverted.push(this.name);
      }
    }
    class Fails extends Task {
      override execute(): never {
        throw new Error('late failure');
      }
    }
    const [a, b, late] = [new Undo('a', ran), new Undo('b', ran), new Fails({ name: 'late' })];
    const flow = graphFlow('g').add(a, b, late).link(a, b, { decider: no, deciderDepth: 'ATOM' }).link(b, late);
    const engine = new ActionEngine(flow);
    const error = await engine.run().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe('late failure');
    expect(engine.storage.getStates()).toEqual({ a: 'REVERTED', b: 'IGNORE', late: 'REVERTED' });
    expect(reverted).toEqual(['a']);
    expect(engine.storage.flowState).toBe('REVERTED');
  });
});
