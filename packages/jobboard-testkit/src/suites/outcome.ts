import { describe, expect, it } from 'vitest';
import { details, harness } from '../harness';
import type { JobboardConformanceOptions } from '../options';

/** Waiting for a job's outcome: resolved by a consume elsewhere; bounded by a timeout; cancelled by a signal. */
export function outcomeSuite(options: JobboardConformanceOptions): void {
  describe(`${options.name}: outcomes`, () => {
    const h = harness(options);

    it('waitForOutcome resolves when another board object consumes the job', async () => {
      const open = h.board();
      const poster = await open();
      const conductor = await open();
      const job = await poster.post(details());
      const waiting = poster.waitForOutcome(job.uuid, { timeoutMs: 20_000 });
      await conductor.claim(job.uuid, 'c1');
      await conductor.consume(job.uuid, 'c1', { state: 'REVERTED', flowDetailId: 'fd-9' });
      await expect(waiting).resolves.toMatchObject({ uuid: job.uuid, state: 'REVERTED', by: 'c1', flowDetailId: 'fd-9' });
    });

    it('waitForOutcome of a job already consumed resolves at once; of a trashed one, TRASHED', async () => {
      const a = await h.board()();
      const done = await a.post(details());
      await a.claim(done.uuid, 'c1');
      await a.consume(done.uuid, 'c1', { state: 'SUCCESS' });
      await expect(a.waitForOutcome(done.uuid, { timeoutMs: 20_000 })).resolves.toMatchObject({ state: 'SUCCESS' });
      const bad = await a.post(details());
      const waiting = a.waitForOutcome(bad.uuid, { timeoutMs: 20_000 });
      await a.claim(bad.uuid, 'c1');
      await a.trash(bad.uuid, 'c1', 'refused');
      await expect(waiting).resolves.toMatchObject({ state: 'TRASHED', reason: 'refused' });
    });

    it('waitForOutcome rejects with TF_JOB_TIMEOUT when nothing ends the job in time', async () => {
      const a = await h.board()();
      const job = await a.post(details());
      await expect(a.waitForOutcome(job.uuid, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'TF_JOB_TIMEOUT' });
      expect(await a.outcome(job.uuid)).toBeUndefined();
    });

    it('waitForOutcome rejects with the signal’s reason when it aborts', async () => {
      const a = await h.board()();
      const job = await a.post(details());
      const controller = new AbortController();
      const waiting = a.waitForOutcome(job.uuid, { timeoutMs: 20_000, signal: controller.signal });
      controller.abort(new Error('caller gave up'));
      await expect(waiting).rejects.toThrow('caller gave up');
    });
  });
}
