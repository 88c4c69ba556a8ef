import { randomUUID } from 'node:crypto';
import { Failure } from '@tf/core';
import { describe, expect, it } from 'vitest';
import { harness } from '../harness';
import type { PersistenceConformanceOptions } from '../options';
import { failureWithCauses, flowRecord, taskRecord } from '../records';

/** A new backend on the same connection (a new engine process, say) sees everything the first one saved. */
export function reopenSuite(options: PersistenceConformanceOptions): void {
  if (!options.reopen) return;
  describe(`${options.name}: reopen`, () => {
    const h = harness(options);

    it('a second backend instance loads flows, atoms with failures, and logbooks saved by the first, after it closed', async () => {
      const first = await h.open();
      const uuid = h.id();
      const book = randomUUID();
      const failure = failureWithCauses();
      await first.saveLogbook({ uuid: book, name: 'reopened', meta: { k: 'v' } });
      await first.saveBatch(uuid, {
        flow: flowRecord(uuid, { logbookUuid: book, state: 'REVERTED' }),
        atoms: [taskRecord('done', { state: 'SUCCESS', result: [1, 2] }), taskRecord('failed', { state: 'FAILURE', failure })],
      });
      await first.close();

      const second = await h.open();
      expect((await second.loadFlow(uuid))?.state).toBe('REVERTED');
      const atoms = Object.fromEntries((await second.loadAtoms(uuid)).map((a) => [a.name, a]));
      expect(atoms['done']?.result).toEqual([1, 2]);
      expect(Failure.is(atoms['failed']?.failure)).toBe(true);
      expect((atoms['failed']?.failure as Failure | undefined)?.toDict()).toEqual(failure.toDict());
      expect((await second.loadLogbook(book))?.meta).toEqual({ k: 'v' });
      expect((await second.listFlows(book)).map((f) => f.uuid)).toEqual([uuid]);

      // and it can go on writing the same flow detail
      await second.saveAtom(uuid, taskRecord('failed', { state: 'REVERTED', intention: 'REVERT' }));
      const third = await h.open();
      expect((await third.loadAtoms(uuid)).find((a) => a.name === 'failed')?.state).toBe('REVERTED');
    });
  });
}
