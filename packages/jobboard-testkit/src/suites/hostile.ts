import { describe, expect, it } from 'vitest';
import { all, details, harness, MAX_DETAILS_BYTES, recordingLogger } from '../harness';
import type { JobboardConformanceOptions } from '../options';

/** A job record damaged in the store (not JSON, wrong types, huge): reported and skipped, never a crash. */
export function hostileSuite(options: JobboardConformanceOptions): void {
  const corrupt = options.corrupt;
  if (!corrupt) return;
  describe(`${options.name}: hostile stored data`, () => {
    const h = harness(options);
    const damaged: Record<string, (uuid: string, board: string) => string> = {
      'not JSON': () => '{"v":1, this is not json',
      'wrong types': (uuid, board) =>
        JSON.stringify({
          v: 1,
          uuid,
          name: 7,
          board,
          priority: 'NORMAL',
          createdAt: 'x',
          details: { flow: ['f'], args: 'a', store: null },
        }),
      'another job': (_, board) =>
        JSON.stringify({
          v: 1,
          uuid: 'other',
          name: 'n',
          board,
          priority: 'NORMAL',
          createdAt: 'x',
          details: { flow: 'f', args: {}, store: {} },
        }),
      huge: (uuid, board) =>
        JSON.stringify({
          v: 1,
          uuid,
          name: 'n',
          board,
          priority: 'NORMAL',
          createdAt: 'x',
          details: { flow: 'f', args: { pad: 'x'.repeat(MAX_DETAILS_BYTES + 128 * 1024) }, store: {} },
        }),
    };

    for (const [kind, text] of Object.entries(damaged)) {
      it(`a record that is ${kind}: iterate skips it and logs it, get rejects with TF_JOB_CORRUPT`, async () => {
        const logger = recordingLogger();
        const open = h.board({ logger });
        const a = await open();
        const before = await a.post(details('before'), { priority: 'HIGH' });
        const bad = await a.post(details('bad'));
        const after = await a.post(details('after'), { priority: 'LOW' });
        await corrupt(a.name, bad.uuid, text(bad.uuid, a.name));
        expect((await all(a.iterate())).map((j) => j.uuid)).toEqual([before.uuid, after.uuid]);
        expect(await a.count()).toBe(2);
        expect(logger.warnings.some((w) => JSON.stringify(w.obj).includes(bad.uuid) || String(w.msg).includes('corrupt'))).toBe(true);
        await expect(a.get(bad.uuid)).rejects.toMatchObject({ code: 'TF_JOB_CORRUPT' });
        await expect(a.get(before.uuid)).resolves.toMatchObject({ uuid: before.uuid });
      });
    }
  });
}
