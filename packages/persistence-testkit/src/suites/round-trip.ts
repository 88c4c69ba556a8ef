import { Failure } from '@tf/core';
import { describe, expect, it } from 'vitest';
import { harness } from '../harness';
import type { PersistenceConformanceOptions } from '../options';
import { failureWithCauses, flowRecord, taskRecord } from '../records';

/** Flow and atom records come back as saved: values, failures (with causes) as `Failure` objects, retry history. */
export function roundTripSuite(options: PersistenceConformanceOptions): void {
  describe(`${options.name}: flow and atom records round trip`, () => {
    const h = harness(options);

    it('an unknown flow detail loads as undefined with no atoms', async () => {
      const b = await h.open();
      const uuid = h.id();
      expect(await b.loadFlow(uuid)).toBeUndefined();
      expect(await b.loadAtoms(uuid)).toEqual([]);
    });

    it('a flow record keeps its fields; the backend fills createdAt and updatedAt', async () => {
      const b = await h.open();
      const uuid = h.id();
      await b.saveFlow(flowRecord(uuid, { meta: { owner: 'billing' } }));
      const loaded = await b.loadFlow(uuid);
      expect(loaded).toMatchObject({
        uuid,
        name: 'conformance-flow',
        state: 'RUNNING',
        store: { x: 1, nested: { list: [1, 'two', null] } },
      });
      expect(loaded?.meta).toEqual({ owner: 'billing' });
      expect(Date.parse(loaded?.createdAt ?? '')).not.toBeNaN();
      expect(Date.parse(loaded?.updatedAt ?? '')).not.toBeNaN();
    });

    it('saving a flow again keeps createdAt and moves updatedAt on', async () => {
      const b = await h.open();
      const uuid = h.id();
      await b.saveFlow(flowRecord(uuid));
      const first = await b.loadFlow(uuid);
      await new Promise((r) => setTimeout(r, 5));
      await b.saveFlow(flowRecord(uuid, { state: 'SUCCESS' }));
      const second = await b.loadFlow(uuid);
      expect(second?.state).toBe('SUCCESS');
      expect(second?.createdAt).toBe(first?.createdAt);
      expect((second?.updatedAt ?? '') > (first?.updatedAt ?? '')).toBe(true);
    });

    it('atom results of every JSON kind, and a result of undefined, come back', async () => {
      const b = await h.open();
      const uuid = h.id();
      await b.saveFlow(flowRecord(uuid));
      const results: Record<string, unknown> = {
        object: { a: [1, 2, { b: 'c' }], unicode: 'ünï ✓ 𝄞' },
        number: 3.5,
        string: 'text',
        nothing: null,
        flag: false,
        none: undefined,
      };
      for (const [name, result] of Object.entries(results)) {
        await b.saveAtom(uuid, taskRecord(name, { state: 'SUCCESS', result, progress: 1, version: 2, meta: { m: name } }));
      }
      const atoms = await b.loadAtoms(uuid);
      expect(atoms.map((a) => a.name).sort()).toEqual(Object.keys(results).sort());
      for (const atom of atoms) {
        expect(atom.state).toBe('SUCCESS');
        expect(atom.progress).toBe(1);
        expect(atom.version).toBe(2);
        expect(atom.meta).toEqual({ m: atom.name });
        expect('result' in atom).toBe(true);
        expect(atom.result).toEqual(results[atom.name]);
      }
    });

    it('an atom that has not run has no result key', async () => {
      const b = await h.open();
      const uuid = h.id();
      await b.saveAtom(uuid, taskRecord('pending'));
      const [atom] = await b.loadAtoms(uuid);
      expect(atom && 'result' in atom).toBe(false);
    });

    it('each atom detail gets a uuid that stays the same across saves; a given uuid is kept', async () => {
      const b = await h.open();
      const uuid = h.id();
      await b.saveAtom(uuid, taskRecord('a'));
      await b.saveAtom(uuid, taskRecord('b', { uuid: 'given-atom-uuid' }));
      const first = Object.fromEntries((await b.loadAtoms(uuid)).map((a) => [a.name, a.uuid]));
      await b.saveAtom(uuid, taskRecord('a', { state: 'RUNNING' }));
      const second = Object.fromEntries((await b.loadAtoms(uuid)).map((a) => [a.name, a.uuid]));
      expect(first['a']).toMatch(/^[0-9a-f-]{36}$/);
      expect(second['a']).toBe(first['a']);
      expect(second['b']).toBe('given-atom-uuid');
    });

    it('failures and revert failures come back as Failure objects with their causes', async () => {
      const b = await h.open();
      const uuid = h.id();
      const failure = failureWithCauses();
      const revertFailure = Failure.fromError(new Error('refund failed'));
      await b.saveAtom(uuid, taskRecord('charge', { state: 'REVERT_FAILURE', intention: 'REVERT', failure, revertFailure }));
      const [atom] = await b.loadAtoms(uuid);
      expect(Failure.is(atom?.failure)).toBe(true);
      expect(Failure.is(atom?.revertFailure)).toBe(true);
      const loaded = atom?.failure as Failure;
      expect(loaded.toDict()).toEqual(failure.toDict());
      expect(loaded.exceptionStr).toBe('card declined');
      expect(loaded.causes.map((c) => c.exceptionStr)).toEqual(['gateway said no']);
      expect(loaded.causes[0]?.causes[0]?.excTypeNames[0]).toBe('RangeError');
      expect((atom?.revertFailure as Failure | undefined)?.exceptionStr).toBe('refund failed');
    });

    it('a revert result, including undefined, comes back', async () => {
      const b = await h.open();
      const uuid = h.id();
      await b.saveAtom(uuid, taskRecord('x', { state: 'REVERTED', intention: 'REVERT', revertResult: { refunded: 12 } }));
      await b.saveAtom(uuid, taskRecord('y', { state: 'REVERTED', intention: 'REVERT', revertResult: undefined }));
      const atoms = Object.fromEntries((await b.loadAtoms(uuid)).map((a) => [a.name, a]));
      expect(atoms['x']?.revertResult).toEqual({ refunded: 12 });
      expect(atoms['y'] && 'revertResult' in atoms['y']).toBe(true);
    });

    it("a retry's history keeps each attempt's value and failures as Failure objects", async () => {
      const b = await h.open();
      const uuid = h.id();
      const f1 = failureWithCauses('first try');
      const f2 = Failure.fromError(new Error('second try'));
      const history = [
        { value: 1, failures: { charge: f1 } },
        { value: { delay: 2 }, failures: { charge: f2, book: f1 } },
        { value: undefined, failures: {} },
      ];
      await b.saveAtom(uuid, { name: 'retry', kind: 'retry', state: 'RUNNING', intention: 'RETRY', progress: 0, history, result: 2 });
      const [retry] = await b.loadAtoms(uuid);
      expect(retry?.kind).toBe('retry');
      expect(retry?.history?.map((a) => a.value)).toEqual([1, { delay: 2 }, undefined]);
      const failures = retry?.history?.[1]?.failures ?? {};
      expect(Object.keys(failures).sort()).toEqual(['book', 'charge']);
      expect(Failure.is(failures['charge'])).toBe(true);
      expect((failures['charge'] as Failure).exceptionStr).toBe('second try');
      expect((retry?.history?.[0]?.failures['charge'] as Failure | undefined)?.toDict()).toEqual(f1.toDict());
    });

    it('a loaded record is a copy: changing it changes nothing stored', async () => {
      const b = await h.open();
      const uuid = h.id();
      await b.saveFlow(flowRecord(uuid));
      await b.saveAtom(uuid, taskRecord('a', { state: 'SUCCESS', result: { n: 1 } }));
      const flow = await b.loadFlow(uuid);
      (flow?.store as Record<string, unknown>)['x'] = 99;
      const [atom] = await b.loadAtoms(uuid);
      (atom?.result as Record<string, unknown>)['n'] = 99;
      expect((await b.loadFlow(uuid))?.store['x']).toBe(1);
      expect((await b.loadAtoms(uuid))[0]?.result).toEqual({ n: 1 });
    });
  });
}
