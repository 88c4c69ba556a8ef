import { describe, expect, it } from 'vitest';
import { all, details, harness } from '../harness';
import type { JobboardConformanceOptions } from '../options';

/** claim: exclusive (also under N concurrent claimers on N connections), owner, claim counts. */
export function claimSuite(options: JobboardConformanceOptions): void {
  describe(`${options.name}: claims`, () => {
    const h = harness(options);

    it('a claim makes the job CLAIMED by its owner; a second claim is TF_JOB_CLAIMED', async () => {
      const open = h.board();
      const a = await open();
      const b = await open();
      const job = await a.post(details());
      const claim = await a.claim(job.uuid, 'conductor-a');
      expect(claim.owner).toBe('conductor-a');
      expect(claim.job).toMatchObject({ uuid: job.uuid, state: 'CLAIMED', owner: 'conductor-a', claims: 1 });
      expect(claim.lost.aborted).toBe(false);
      expect(await b.owner(job.uuid)).toBe('conductor-a');
      expect(await b.get(job.uuid)).toMatchObject({ state: 'CLAIMED', owner: 'conductor-a' });
      await expect(b.claim(job.uuid, 'conductor-b')).rejects.toMatchObject({ code: 'TF_JOB_CLAIMED' });
      await expect(a.claim(job.uuid, 'conductor-a')).rejects.toMatchObject({ code: 'TF_JOB_CLAIMED' });
      expect(await b.owner(job.uuid)).toBe('conductor-a');
    });

    it('iterate with onlyUnclaimed leaves claimed jobs out', async () => {
      const a = await h.board()();
      const one = await a.post(details('one'));
      const two = await a.post(details('two'));
      await a.claim(one.uuid, 'c');
      expect((await all(a.iterate({ onlyUnclaimed: true }))).map((j) => j.uuid)).toEqual([two.uuid]);
      expect(await a.count({ onlyUnclaimed: true })).toBe(1);
      expect(await a.count()).toBe(2);
    });

    it('of 8 claimers on 8 board objects at once, exactly one wins', async () => {
      const open = h.board();
      const boards = await Promise.all(Array.from({ length: 8 }, () => open()));
      const job = await boards[0]!.post(details());
      const results = await Promise.allSettled(boards.map((b, i) => b.claim(job.uuid, `claimer-${i}`)));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'TF_JOB_CLAIMED' });
      const winner = (won[0] as PromiseFulfilledResult<{ owner: string }>).value.owner;
      expect(await boards[3]!.owner(job.uuid)).toBe(winner);
      expect((await boards[5]!.get(job.uuid))?.claims).toBe(1);
    });

    it('claiming a job that is not on the board is TF_JOB_NOT_FOUND; its owner is undefined', async () => {
      const a = await h.board()();
      await expect(a.claim('missing', 'c')).rejects.toMatchObject({ code: 'TF_JOB_NOT_FOUND' });
      expect(await a.owner('missing')).toBeUndefined();
      const job = await a.post(details());
      expect(await a.owner(job.uuid)).toBeUndefined();
    });
  });
}
