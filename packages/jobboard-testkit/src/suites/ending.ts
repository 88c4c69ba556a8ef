import { describe, expect, it } from 'vitest';
import { all, details, harness } from '../harness';
import type { JobboardConformanceOptions } from '../options';

/** consume, abandon, trash: only by the claim's owner; what each leaves behind. */
export function endingSuite(options: JobboardConformanceOptions): void {
  describe(`${options.name}: consume, abandon, trash`, () => {
    const h = harness(options);

    it('consume by the owner takes the job off the board and keeps its outcome', async () => {
      const open = h.board();
      const a = await open();
      const b = await open();
      const job = await a.post(details());
      await a.claim(job.uuid, 'c1');
      await a.consume(job.uuid, 'c1', { state: 'SUCCESS', flowDetailId: 'fd-1' });
      expect(await b.get(job.uuid)).toBeUndefined();
      expect(await b.count()).toBe(0);
      expect(await b.owner(job.uuid)).toBeUndefined();
      const outcome = await b.outcome(job.uuid);
      expect(outcome).toMatchObject({ uuid: job.uuid, state: 'SUCCESS', by: 'c1', flowDetailId: 'fd-1' });
      expect(Number.isNaN(Date.parse(outcome?.at ?? 'x'))).toBe(false);
      await expect(b.post(details(), { uuid: job.uuid })).rejects.toMatchObject({ code: 'TF_JOB_EXISTS' });
    });

    it('consume, abandon and trash by anyone but the owner are TF_JOB_NOT_OWNER and change nothing', async () => {
      const a = await h.board()();
      const job = await a.post(details());
      await expect(a.consume(job.uuid, 'c1', { state: 'SUCCESS' })).rejects.toMatchObject({ code: 'TF_JOB_NOT_OWNER' });
      await expect(a.abandon(job.uuid, 'c1')).rejects.toMatchObject({ code: 'TF_JOB_NOT_OWNER' });
      await a.claim(job.uuid, 'c1');
      await expect(a.consume(job.uuid, 'c2', { state: 'SUCCESS' })).rejects.toMatchObject({ code: 'TF_JOB_NOT_OWNER' });
      await expect(a.abandon(job.uuid, 'c2')).rejects.toMatchObject({ code: 'TF_JOB_NOT_OWNER' });
      await expect(a.trash(job.uuid, 'c2', 'no')).rejects.toMatchObject({ code: 'TF_JOB_NOT_OWNER' });
      expect(await a.get(job.uuid)).toMatchObject({ state: 'CLAIMED', owner: 'c1' });
      expect(await a.outcome(job.uuid)).toBeUndefined();
    });

    it('consume of a job that is not on the board is TF_JOB_NOT_FOUND', async () => {
      const a = await h.board()();
      await expect(a.consume('missing', 'c1', { state: 'SUCCESS' })).rejects.toMatchObject({ code: 'TF_JOB_NOT_FOUND' });
      await expect(a.trash('missing', 'c1', 'gone')).rejects.toMatchObject({ code: 'TF_JOB_NOT_FOUND' });
    });

    it('abandon makes the job UNCLAIMED at once; another claims it (a second claim)', async () => {
      const open = h.board();
      const a = await open();
      const b = await open();
      const job = await a.post(details());
      const claim = await a.claim(job.uuid, 'c1');
      await a.abandon(job.uuid, 'c1', 'stopping');
      expect(claim.lost.aborted).toBe(false);
      expect(await b.owner(job.uuid)).toBeUndefined();
      expect((await all(b.iterate({ onlyUnclaimed: true }))).map((j) => j.uuid)).toEqual([job.uuid]);
      const again = await b.claim(job.uuid, 'c2');
      expect(again.job).toMatchObject({ state: 'CLAIMED', owner: 'c2', claims: 2 });
    });

    it('trash takes the job off the board; its outcome is TRASHED with the reason', async () => {
      const a = await h.board()();
      const job = await a.post(details());
      await a.claim(job.uuid, 'c1');
      await a.trash(job.uuid, 'c1', 'flow unknown');
      expect(await a.get(job.uuid)).toBeUndefined();
      expect(await a.outcome(job.uuid)).toMatchObject({ uuid: job.uuid, state: 'TRASHED', by: 'c1', reason: 'flow unknown' });
    });

    it('a REVERTED outcome keeps its failure dict with causes', async () => {
      const a = await h.board()();
      const job = await a.post(details());
      await a.claim(job.uuid, 'c1');
      const failure = {
        exception_str: 'card declined',
        traceback_str: '',
        exc_type_names: ['Error'],
        version: 1,
        causes: [{ exception_str: 'gateway timeout', traceback_str: '', exc_type_names: ['TypeError', 'Error'] }],
      };
      await a.consume(job.uuid, 'c1', { state: 'REVERTED', failure, flowDetailId: 'fd' });
      expect((await a.outcome(job.uuid))?.failure).toEqual(failure);
    });
  });
}
