import { describe, expect, it } from 'vitest';
import { aborted, details, harness, recorder, SHORT_TTL_MS, sleep, WAIT_MS } from '../harness';
import type { JobboardConformanceOptions } from '../options';

/** Claims are leases: renewed while the board object lives, expired when it stops; `lost` says so. */
export function expirySuite(options: JobboardConformanceOptions): void {
  describe(`${options.name}: claim expiry and renewal`, () => {
    const h = harness(options);

    it('a claim whose board object closes without abandoning expires; others hear `expired` and claim it', async () => {
      const open = h.board({ claimTtlMs: SHORT_TTL_MS });
      const a = await open();
      const b = await open();
      const seen = recorder(b);
      const job = await a.post(details());
      await a.claim(job.uuid, 'dead-conductor');
      await a.close();
      const expired = await seen.next((e) => e.type === 'expired' && e.uuid === job.uuid, 'expired');
      expect(expired).toEqual({ type: 'expired', uuid: job.uuid, owner: 'dead-conductor' });
      expect(await b.owner(job.uuid)).toBeUndefined();
      const claim = await b.claim(job.uuid, 'survivor');
      expect(claim.job).toMatchObject({ owner: 'survivor', claims: 2 });
    });

    it('a renewed claim outlives its TTL many times over', async () => {
      const open = h.board({ claimTtlMs: SHORT_TTL_MS * 2 });
      const a = await open();
      const b = await open();
      const job = await a.post(details());
      const claim = await a.claim(job.uuid, 'alive');
      await sleep(SHORT_TTL_MS * 6);
      expect(claim.lost.aborted).toBe(false);
      expect(await b.owner(job.uuid)).toBe('alive');
      await expect(b.claim(job.uuid, 'thief')).rejects.toMatchObject({ code: 'TF_JOB_CLAIMED' });
      await a.consume(job.uuid, 'alive', { state: 'SUCCESS' });
      expect((await b.outcome(job.uuid))?.state).toBe('SUCCESS');
    });

    it('`lost` aborts (TF_JOB_CLAIM_LOST) when the claim is taken away from its holder', async () => {
      const open = h.board({ claimTtlMs: SHORT_TTL_MS });
      const a = await open();
      const b = await open();
      const job = await a.post(details());
      const claim = await a.claim(job.uuid, 'holder');
      // Another process, misconfigured with the same owner name, gives the claim up; a third takes it.
      await b.abandon(job.uuid, 'holder');
      await b.claim(job.uuid, 'taker');
      const reason = await aborted(claim.lost, WAIT_MS);
      expect(reason).toMatchObject({ code: 'TF_JOB_CLAIM_LOST' });
      expect(await a.owner(job.uuid)).toBe('taker');
      await expect(a.consume(job.uuid, 'holder', { state: 'SUCCESS' })).rejects.toMatchObject({ code: 'TF_JOB_NOT_OWNER' });
    });

    it('`lost` aborts when the job is consumed by another board object under the same owner', async () => {
      const open = h.board({ claimTtlMs: SHORT_TTL_MS });
      const a = await open();
      const b = await open();
      const job = await a.post(details());
      const claim = await a.claim(job.uuid, 'same');
      await b.consume(job.uuid, 'same', { state: 'SUCCESS' });
      expect(await aborted(claim.lost, WAIT_MS)).toMatchObject({ code: 'TF_JOB_CLAIM_LOST' });
    });
  });
}
