import { describe, expect, it } from 'vitest';
import { details, harness } from '../harness';
import type { JobboardConformanceOptions } from '../options';

/** Notes: left without claiming, idempotent per (by, reason), the last 10 kept. */
export function notesSuite(options: JobboardConformanceOptions): void {
  describe(`${options.name}: notes`, () => {
    const h = harness(options);

    it('a note stays on the unclaimed job; the same note twice is kept once', async () => {
      const open = h.board();
      const a = await open();
      const b = await open();
      const job = await a.post(details('unknown-flow'));
      await a.note(job.uuid, { by: 'conductor-1', reason: "no flow factory named 'unknown-flow'" });
      await a.note(job.uuid, { by: 'conductor-1', reason: "no flow factory named 'unknown-flow'" });
      await b.note(job.uuid, { by: 'conductor-2', reason: "no flow factory named 'unknown-flow'" });
      const seen = await b.get(job.uuid);
      expect(seen?.state).toBe('UNCLAIMED');
      expect(seen?.notes.map((n) => n.by)).toEqual(['conductor-1', 'conductor-2']);
      expect(Number.isNaN(Date.parse(seen?.notes[0]?.at ?? 'x'))).toBe(false);
    });

    it('only the last 10 notes are kept', async () => {
      const a = await h.board()();
      const job = await a.post(details());
      for (let i = 0; i < 15; i++) await a.note(job.uuid, { by: 'c', reason: `reason ${i}` });
      const notes = (await a.get(job.uuid))?.notes ?? [];
      expect(notes.map((n) => n.reason)).toEqual(Array.from({ length: 10 }, (_, i) => `reason ${i + 5}`));
    });

    it('a note on a job that is not on the board is TF_JOB_NOT_FOUND', async () => {
      const a = await h.board()();
      await expect(a.note('missing', { by: 'c', reason: 'r' })).rejects.toMatchObject({ code: 'TF_JOB_NOT_FOUND' });
    });
  });
}
