import type { ClaimNext, Jobboard } from '@tf/jobboard';
import { describe, expect, it } from 'vitest';
import { details, harness } from '../harness';
import type { JobboardConformanceOptions } from '../options';

type WithClaimNext = Jobboard & ClaimNext;

function claimNextOf(board: Jobboard): WithClaimNext {
  const candidate = board as Jobboard & Partial<ClaimNext>;
  if (typeof candidate.claimNext !== 'function') throw new Error('this board has no claimNext');
  return candidate as WithClaimNext;
}

/** claimNext (an addition to the contract every first-party board has): the first free job, allow-listed flows, no double claims. */
export function claimNextSuite(options: JobboardConformanceOptions): void {
  describe(`${options.name}: claimNext`, () => {
    const h = harness(options);

    it('claims by priority then age, only the flows allowed, and says undefined when none is left', async () => {
      const a = claimNextOf(await h.board()());
      const old = await a.post(details('ship'));
      const urgent = await a.post(details('ship'), { priority: 'HIGH' });
      const other = await a.post(details('unknown'), { priority: 'VERY_HIGH' });
      const newer = await a.post(details('bill'));
      const flows = ['ship', 'bill'];
      const first = await a.claimNext('c1', { flows });
      expect(first?.job).toMatchObject({ uuid: urgent.uuid, state: 'CLAIMED', owner: 'c1', claims: 1 });
      expect(first?.lost.aborted).toBe(false);
      expect((await a.claimNext('c1', { flows }))?.job.uuid).toBe(old.uuid);
      expect((await a.claimNext('c1', { flows }))?.job.uuid).toBe(newer.uuid);
      expect(await a.claimNext('c1', { flows })).toBeUndefined();
      expect((await a.claimNext('c2'))?.job.uuid).toBe(other.uuid);
      expect(await a.owner(first?.job.uuid ?? '')).toBe('c1');
      await expect(a.claimNext('c1', { flows: 'ship' as never })).rejects.toMatchObject({ code: 'TF_INVALID_ARGUMENT' });
    });

    it('8 board objects calling claimNext at once on 5 jobs: each job claimed once, 3 find none', async () => {
      const open = h.board();
      const boards = (await Promise.all(Array.from({ length: 8 }, () => open()))).map(claimNextOf);
      const posted = [];
      for (let i = 0; i < 5; i++) posted.push(await boards[0]!.post(details('f', { i })));
      const claims = await Promise.all(boards.map((b, i) => b.claimNext(`c${i}`)));
      const won = claims.filter((c) => c !== undefined);
      expect(won).toHaveLength(5);
      expect(new Set(won.map((c) => c?.job.uuid))).toEqual(new Set(posted.map((j) => j.uuid)));
      for (const c of won) expect(await boards[1]!.owner(c?.job.uuid ?? '')).toBe(c?.owner);
    });
  });
}
