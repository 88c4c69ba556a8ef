import { describe, expect, it } from 'vitest';
import { details, harness, MAX_DETAILS_BYTES } from '../harness';
import type { JobboardConformanceOptions } from '../options';

/** What a board refuses to store: details that are not JSON or over the bound, bad names, bad outcomes. */
export function validationSuite(options: JobboardConformanceOptions): void {
  describe(`${options.name}: validation`, () => {
    const h = harness(options);

    it('details that are not JSON are TF_JOB_INVALID, naming where', async () => {
      const a = await h.board()();
      const cyclic: Record<string, unknown> = {};
      cyclic['self'] = cyclic;
      let deep: unknown = 1;
      for (let i = 0; i < 100; i++) deep = [deep];
      const cases: unknown[] = [
        { flow: 'f', args: { fn: () => 1 }, store: {} },
        { flow: 'f', args: { big: 10n }, store: {} },
        { flow: 'f', args: { when: new Date() }, store: {} },
        { flow: 'f', args: { n: Number.NaN }, store: {} },
        { flow: 'f', args: cyclic, store: {} },
        { flow: 'f', args: { deep }, store: {} },
        { flow: 'f', args: [], store: {} },
        { flow: '', args: {}, store: {} },
        { flow: 'f', args: {}, store: 'x' },
        { flow: 'f', args: {}, store: {}, book: 3 },
        'not an object',
      ];
      for (const bad of cases) {
        await expect(a.post(bad as never), JSON.stringify(String(bad))).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      }
      await a.post(details());
      await expect(a.post({ flow: 'f', args: { fn: () => 1 }, store: {} })).rejects.toThrow(/details\.args\.fn/);
      expect(await a.count()).toBe(1);
    });

    it('details over maxDetailsBytes are TF_JOB_INVALID; just under is fine', async () => {
      const a = await h.board()();
      await expect(a.post(details('f', { blob: 'x'.repeat(MAX_DETAILS_BYTES) }))).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      const fits = await a.post(details('f', { blob: 'x'.repeat(MAX_DETAILS_BYTES - 200) }));
      expect((await a.get(fits.uuid))?.details.args['blob']).toHaveLength(MAX_DETAILS_BYTES - 200);
    });

    it('bad uuids, owners, priorities, reasons and outcomes are TF_JOB_INVALID', async () => {
      const a = await h.board()();
      const job = await a.post(details());
      await expect(a.post(details(), { uuid: 'has space' })).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      await expect(a.post(details(), { uuid: 'x'.repeat(200) })).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      await expect(a.post(details(), { priority: 'URGENT' as never })).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      await expect(a.claim(job.uuid, '')).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      await expect(a.claim(job.uuid, 'x'.repeat(300))).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      await expect(a.note(job.uuid, { by: 'c', reason: '' })).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      await a.claim(job.uuid, 'c1');
      await expect(a.consume(job.uuid, 'c1', { state: 'DONE' as never })).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      await expect(a.consume(job.uuid, 'c1', { state: 'FAILURE', failure: { nope: 1 } as never })).rejects.toMatchObject({
        code: 'TF_JOB_INVALID',
      });
      await expect(a.trash(job.uuid, 'c1', '')).rejects.toMatchObject({ code: 'TF_JOB_INVALID' });
      expect(await a.owner(job.uuid)).toBe('c1');
    });
  });
}
