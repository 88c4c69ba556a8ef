/**
 * Resumption, as behaviour every engine shows: a flow detail left in a backend by an engine
 * that died is loaded by a new engine, which finishes it without running again what finished.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Failure, Task, TfError, Times, linearFlow, unorderedFlow, type AtomRecord, type FlowRecord, type FlowState } from '@tf/core';
import { load, type LoadOptions } from '@tf/engine';
import { journal, recordedCalls } from '../semantics/journal';
import { AddOne, Fail, Flaky, SaveOrder, WootError } from '../semantics/tasks';
import { SnapshotBackend } from './backend';

export interface ResumeTarget {
  name: string;
  options: () => LoadOptions;
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
}

/** Blocks its first execution until `gate.open()`; records every execution in the journal. */
export const gate = {
  reached: undefined as undefined | (() => void),
  blocked: true,
  release: undefined as undefined | (() => void),
};
export class Gate extends Task<{ x: number }, number> {
  static override taskName = 'resume.Gate';
  static override requires = ['x'];
  override async execute({ x }: { x: number }): Promise<number> {
    journal().record(`${this.name}.execute(${x})`);
    if (gate.blocked) {
      gate.blocked = false;
      gate.reached?.();
      await new Promise<void>((resolve) => (gate.release = resolve));
    }
    return x + 1;
  }
}
/** Tells `probe.onExecute` when it starts, then records its execution. */
export const probe = { onExecute: undefined as undefined | ((name: string) => void) };
export class Probe extends Task<Record<string, unknown>, number> {
  static override taskName = 'resume.Probe';
  override execute(): number {
    probe.onExecute?.(this.name);
    journal().record(`${this.name}.execute`);
    return 5;
  }
}
export const resumeTasks = [Gate, Probe];
const resetCalls = (): void => {
  journal().clear();
  probe.onExecute = undefined;
};

const flowRecord = (uuid: string, name: string, state: FlowState, store: Record<string, unknown> = {}): FlowRecord => ({
  uuid,
  name,
  state,
  store,
});
const woot = () => Failure.fromError(new WootError('Woot!'));

/** t0..t(n-1): t_i adds one to x_i and provides x_(i+1); with `mixed`, every odd one is local. */
function chain(n: number, mixed = false) {
  const flow = linearFlow('chain');
  for (let i = 0; i < n; i++) {
    flow.add(new AddOne({ name: `t${i}`, rebind: { x: `x${i}` }, provides: `x${i + 1}`, local: mixed && i % 2 === 1 }));
  }
  return flow;
}

export function resumeSemantics(target: ResumeTarget): void {
  describe(`resumption: ${target.name}`, () => {
    if (target.setup) beforeAll(target.setup);
    if (target.teardown) afterAll(target.teardown);
    beforeEach(() => resetCalls());

    const resume = (flow: Parameters<typeof load>[0], backend: SnapshotBackend, flowDetailId: string, store = {}) =>
      load(flow, { ...target.options(), backend, flowDetailId, store });

    for (const mixed of [false, true]) {
      const what = mixed ? 'a linear flow of local and remote tasks' : 'a linear flow';
      it(`resumes ${what} left at every crash point: finished atoms keep results and do not run again`, async () => {
        const n = 5;
        for (let k = 0; k <= n; k++) {
          resetCalls();
          const backend = new SnapshotBackend();
          const id = randomUUID();
          const atoms: AtomRecord[] = [];
          for (let i = 0; i < n; i++) {
            const state = i < k ? 'SUCCESS' : i === k ? 'RUNNING' : 'PENDING';
            atoms.push({ name: `t${i}`, kind: 'task', state, intention: 'EXECUTE', progress: 0, ...(i < k ? { result: i + 1 } : {}) });
          }
          backend.put(flowRecord(id, 'chain', 'RUNNING', { x0: 0 }), atoms);
          const engine = resume(chain(n, mixed), backend, id);
          await engine.run();
          await engine.close();
          expect(recordedCalls()).toEqual(Array.from({ length: n - k }, (_, j) => `t${k + j}.execute(${k + j})`));
          expect(engine.storage.fetch(`x${n}`)).toBe(n);
          expect(engine.storage.flowState).toBe('SUCCESS');
          expect(backend.flows.get(id)?.state).toBe('SUCCESS');
          expect([...backend.atoms.get(id)!.values()].every((a) => a.state === 'SUCCESS')).toBe(true);
        }
      });
    }

    it('writes ahead: before an atom starts, the backend holds every atom that finished before it', async () => {
      const backend = new SnapshotBackend({ delayMs: 2 });
      const id = randomUUID();
      const names = ['a', 'b', 'c', 'd', 'e'];
      const seen: string[] = [];
      probe.onExecute = (name) => {
        const stored = backend.atoms.get(id);
        const before = names.slice(0, names.indexOf(name));
        seen.push(`${name}:${before.map((n) => stored?.get(n)?.state).join(',')}`);
      };
      const flow = linearFlow('write-ahead').add(...names.map((name) => new Probe({ name })));
      const engine = resume(flow, backend, id);
      await engine.run();
      await engine.close();
      expect(seen).toEqual(['a:', 'b:SUCCESS', 'c:SUCCESS,SUCCESS', 'd:SUCCESS,SUCCESS,SUCCESS', 'e:SUCCESS,SUCCESS,SUCCESS,SUCCESS']);
    });

    it('goes on reverting a flow that was reverting: REVERTING atoms revert again, REVERTED ones stay', async () => {
      const backend = new SnapshotBackend();
      const id = randomUUID();
      backend.put(flowRecord(id, 'reverting', 'RUNNING'), [
        { name: 'a', kind: 'task', state: 'SUCCESS', intention: 'REVERT', progress: 1, result: 5 },
        { name: 'b', kind: 'task', state: 'REVERTING', intention: 'REVERT', progress: 1, result: 5 },
        { name: 'c', kind: 'task', state: 'REVERTED', intention: 'REVERT', progress: 1, failure: woot() },
      ]);
      const flow = linearFlow('reverting').add(new SaveOrder({ name: 'a' }), new SaveOrder({ name: 'b' }), new Fail({ name: 'c' }));
      const engine = resume(flow, backend, id);
      await expect(engine.run()).rejects.toThrow('Woot!');
      await engine.close();
      expect(recordedCalls()).toEqual(['b.revert(5)', 'a.revert(5)']);
      expect(engine.storage.getStates()).toEqual({ a: 'REVERTED', b: 'REVERTED', c: 'REVERTED' });
      expect(backend.flows.get(id)?.state).toBe('REVERTED');
    });

    it('reverts an atom left RUNNING that the flow meant to revert, its result unknown (as TaskFlow)', async () => {
      const backend = new SnapshotBackend();
      const id = randomUUID();
      backend.put(flowRecord(id, 'revert-all', 'RUNNING'), [
        { name: 'a', kind: 'task', state: 'SUCCESS', intention: 'REVERT', progress: 1, result: 5 },
        { name: 'b', kind: 'task', state: 'RUNNING', intention: 'REVERT', progress: 0 },
        { name: 'c', kind: 'task', state: 'FAILURE', intention: 'REVERT', progress: 0, failure: woot() },
      ]);
      const flow = unorderedFlow('revert-all').add(new SaveOrder({ name: 'a' }), new SaveOrder({ name: 'b' }), new Fail({ name: 'c' }));
      const engine = resume(flow, backend, id);
      await expect(engine.run()).rejects.toThrow('Woot!');
      await engine.close();
      // No result: undefined in process, null once it crossed the wire to a worker.
      const sorted = recordedCalls()
        .sort()
        .map((c) => c.replace('b.revert(null)', 'b.revert(undefined)'));
      expect(sorted).toEqual(['a.revert(5)', 'b.revert(undefined)', 'c.revert(Failure(Woot!); failures=c)']);
      expect(engine.storage.getStates()).toEqual({ a: 'REVERTED', b: 'REVERTED', c: 'REVERTED' });
    });

    it('resolves a failure the dead engine stored but did not act on: the flow reverts', async () => {
      const backend = new SnapshotBackend();
      const id = randomUUID();
      backend.put(flowRecord(id, 'unresolved', 'RUNNING'), [
        { name: 'a', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 5 },
        { name: 'b', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 5 },
        { name: 'c', kind: 'task', state: 'FAILURE', intention: 'EXECUTE', progress: 0, failure: woot() },
      ]);
      const flow = linearFlow('unresolved').add(new SaveOrder({ name: 'a' }), new SaveOrder({ name: 'b' }), new Fail({ name: 'c' }));
      const engine = resume(flow, backend, id);
      await expect(engine.run()).rejects.toThrow('Woot!');
      await engine.close();
      expect(recordedCalls()).toEqual(['c.revert(Failure(Woot!); failures=c)', 'b.revert(5)', 'a.revert(5)']);
      expect(engine.storage.flowState).toBe('REVERTED');
    });

    it('does not run a flow detail that finished: SUCCESS resolves, REVERTED rejects with its failure, nothing runs', async () => {
      const flow = () => linearFlow('done').add(new SaveOrder({ name: 'a' }), new Fail({ name: 'c' }));
      const backend = new SnapshotBackend();
      const ok = randomUUID();
      backend.put(flowRecord(ok, 'done', 'SUCCESS'), [
        { name: 'a', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 'kept' },
        { name: 'c', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 'also' },
      ]);
      const succeeded = resume(flow(), backend, ok);
      await succeeded.run();
      await succeeded.close();
      expect(succeeded.storage.get('a')).toBe('kept');
      const reverted = randomUUID();
      backend.put(flowRecord(reverted, 'done', 'REVERTED'), [
        { name: 'a', kind: 'task', state: 'REVERTED', intention: 'REVERT', progress: 1, result: 5 },
        { name: 'c', kind: 'task', state: 'REVERTED', intention: 'REVERT', progress: 1, failure: woot() },
      ]);
      const engine = resume(flow(), backend, reverted);
      await expect(engine.run()).rejects.toThrow('Woot!');
      await engine.close();
      expect(engine.storage.flowState).toBe('REVERTED');
      expect(recordedCalls()).toEqual([]);
    });

    it("continues a retry's history: a retry left RETRYING redoes its subflow and counts the attempts before", async () => {
      const backend = new SnapshotBackend();
      const id = randomUUID();
      // The dead engine had marked the retry RETRYING but not yet reset its subflow.
      backend.put(flowRecord(id, 'retrying', 'RUNNING'), [
        {
          name: 'r',
          kind: 'retry',
          state: 'RETRYING',
          intention: 'EXECUTE',
          progress: 1,
          result: 1,
          history: [{ value: 1, failures: { f: woot() } }],
        },
        { name: 'f', kind: 'task', state: 'REVERTED', intention: 'REVERT', progress: 1, failure: woot() },
      ]);
      const flow = linearFlow('retrying', { retry: new Times({ name: 'r', attempts: 3 }) }).add(
        new Flaky({ name: 'f', inject: { failures: 1 } }),
      );
      const engine = resume(flow, backend, id);
      await engine.run();
      await engine.close();
      expect(recordedCalls()).toEqual(['f.execute', 'f.revert', 'f.execute']);
      expect(engine.storage.getHistory('r').length).toBe(3);
      expect(engine.storage.get('f')).toBe('ok');
    });

    it('refuses a flow detail whose atoms the flow no longer has, naming them (TF_FLOW_MISMATCH)', async () => {
      const backend = new SnapshotBackend();
      const id = randomUUID();
      backend.put(flowRecord(id, 'renamed', 'RUNNING'), [
        { name: 'a', kind: 'task', state: 'SUCCESS', intention: 'EXECUTE', progress: 1, result: 5 },
        { name: 'old-name', kind: 'task', state: 'PENDING', intention: 'EXECUTE', progress: 0 },
      ]);
      const flow = linearFlow('renamed').add(new SaveOrder({ name: 'a' }), new SaveOrder({ name: 'new-name' }));
      const engine = resume(flow, backend, id);
      const error = await engine.run().catch((e: unknown) => e);
      await engine.close();
      expect(TfError.is(error, 'TF_FLOW_MISMATCH')).toBe(true);
      expect((error as Error).message).toMatch(/old-name.*new-name/);
      expect(recordedCalls()).toEqual([]);
    });

    it('an engine that dies mid-flow (its writes lost from then on) is resumed by a new one: only the atom in flight runs again', async () => {
      const backend = new SnapshotBackend({ delayMs: 1 });
      const id = randomUUID();
      const flow = () => {
        const f = linearFlow('crash');
        for (let i = 0; i < 6; i++) {
          const Kind = i === 3 ? Gate : AddOne;
          f.add(new Kind({ name: `t${i}`, rebind: { x: `x${i}` }, provides: `x${i + 1}` }));
        }
        return f;
      };
      gate.blocked = true;
      const reached = new Promise<void>((resolve) => (gate.reached = resolve));
      const first = resume(flow(), backend, id, { x0: 0 });
      const firstRun = first.run().catch((e: unknown) => e);
      await reached;
      await first.storage.flush();
      backend.crash();
      // The dead engine lets go of its lock and connections; nothing it does reaches the store.
      await first.close();
      backend.restart();
      expect(backend.flows.get(id)?.state).toBe('RUNNING');
      expect(backend.atoms.get(id)?.get('t3')?.state).toBe('RUNNING');

      const second = resume(flow(), backend, id);
      await second.run();
      await second.close();
      const runs = (name: string) => recordedCalls().filter((c) => c.startsWith(`${name}.execute`)).length;
      expect([0, 1, 2, 3, 4, 5].map((i) => runs(`t${i}`))).toEqual([1, 1, 1, 2, 1, 1]);
      expect(second.storage.fetch('x6')).toBe(6);
      expect(backend.flows.get(id)?.state).toBe('SUCCESS');
      // The dead engine's task in flight ends (a local engine then finishes its run); nothing reaches the store.
      backend.crash();
      gate.release?.();
      await firstRun;
    });
  });
}
