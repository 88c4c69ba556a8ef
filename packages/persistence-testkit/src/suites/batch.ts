import { describe, expect, it } from 'vitest';
import { harness } from '../harness';
import type { PersistenceConformanceOptions } from '../options';
import { flowRecord, taskRecord } from '../records';

/** `saveBatch`: one write; a later state wins; a bad value changes nothing; batches land in order. */
export function batchSuite(options: PersistenceConformanceOptions): void {
  describe(`${options.name}: batches`, () => {
    const h = harness(options);

    it('a batch saves the flow and its atoms; a later record of the same atom wins', async () => {
      const b = await h.open();
      const uuid = h.id();
      await b.saveBatch(uuid, {
        flow: flowRecord(uuid),
        atoms: [
          taskRecord('a', { state: 'RUNNING' }),
          taskRecord('b', { state: 'RUNNING' }),
          taskRecord('a', { state: 'SUCCESS', result: 'A' }),
        ],
      });
      expect((await b.loadFlow(uuid))?.state).toBe('RUNNING');
      const atoms = Object.fromEntries((await b.loadAtoms(uuid)).map((a) => [a.name, a]));
      expect(Object.keys(atoms).sort()).toEqual(['a', 'b']);
      expect(atoms['a']?.state).toBe('SUCCESS');
      expect(atoms['a']?.result).toBe('A');
      expect(atoms['b']?.state).toBe('RUNNING');
    });

    it('a batch with a value that is not JSON fails and saves none of its records', async () => {
      const b = await h.open();
      const uuid = h.id();
      await b.saveBatch(uuid, { flow: flowRecord(uuid), atoms: [taskRecord('a', { state: 'RUNNING' })] });
      const bad = b.saveBatch(uuid, {
        flow: flowRecord(uuid, { state: 'SUCCESS' }),
        atoms: [taskRecord('a', { state: 'SUCCESS', result: 1 }), taskRecord('b', { state: 'SUCCESS', result: () => 1 })],
      });
      await expect(bad).rejects.toMatchObject({ code: 'TF_BACKEND_NOT_JSON', atomName: 'b' });
      expect((await b.loadFlow(uuid))?.state).toBe('RUNNING');
      const atoms = await b.loadAtoms(uuid);
      expect(atoms.map((a) => [a.name, a.state])).toEqual([['a', 'RUNNING']]);
    });

    it('batches started without waiting land in the order they were started', async () => {
      const b = await h.open();
      const uuid = h.id();
      const writes: unknown[] = [];
      for (let i = 0; i < 40; i++) {
        writes.push(
          b.saveBatch(uuid, {
            flow: flowRecord(uuid, { store: { step: i } }),
            atoms: [
              taskRecord('counter', { state: 'RUNNING', progress: i / 40 }),
              taskRecord(`t${i % 5}`, { state: 'SUCCESS', result: i }),
            ],
          }),
        );
      }
      await Promise.all(writes);
      expect((await b.loadFlow(uuid))?.store).toEqual({ step: 39 });
      const atoms = Object.fromEntries((await b.loadAtoms(uuid)).map((a) => [a.name, a]));
      expect(atoms['counter']?.progress).toBe(39 / 40);
      expect([0, 1, 2, 3, 4].map((k) => atoms[`t${k}`]?.result)).toEqual([35, 36, 37, 38, 39]);
    });

    it('saveFlow and saveAtom calls interleaved without waiting keep their order', async () => {
      const b = await h.open();
      const uuid = h.id();
      const writes = [
        b.saveFlow(flowRecord(uuid, { state: 'RUNNING' })),
        b.saveAtom(uuid, taskRecord('a', { state: 'RUNNING' })),
        b.saveAtom(uuid, taskRecord('a', { state: 'SUCCESS', result: 1 })),
        b.saveFlow(flowRecord(uuid, { state: 'SUCCESS' })),
      ];
      await Promise.all(writes);
      expect((await b.loadFlow(uuid))?.state).toBe('SUCCESS');
      expect((await b.loadAtoms(uuid))[0]?.state).toBe('SUCCESS');
    });

    it('a batch of 2,000 atoms is saved whole', async () => {
      const b = await h.open();
      const uuid = h.id();
      const atoms = Array.from({ length: 2_000 }, (_, i) => taskRecord(`task-${i}`, { state: 'SUCCESS', result: { i } }));
      await b.saveBatch(uuid, { flow: flowRecord(uuid), atoms });
      const loaded = await b.loadAtoms(uuid);
      expect(loaded).toHaveLength(2_000);
      expect(loaded.find((a) => a.name === 'task-1999')?.result).toEqual({ i: 1999 });
    });
  });
}
