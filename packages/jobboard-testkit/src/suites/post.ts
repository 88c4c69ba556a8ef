import { describe, expect, it } from 'vitest';
import { all, details, harness } from '../harness';
import type { JobboardConformanceOptions } from '../options';

/** post, get, iterate (by priority then age), count, idempotent post by uuid. */
export function postSuite(options: JobboardConformanceOptions): void {
  describe(`${options.name}: post, get, iterate`, () => {
    const h = harness(options);

    it('a posted job is UNCLAIMED, with its details, name, priority and times, and get returns it', async () => {
      const a = await h.board()();
      const job = await a.post({ flow: 'order', args: { id: 7, tags: ['x'] }, store: { when: 'now' }, book: 'shop' });
      expect(job).toMatchObject({ name: 'order', board: a.name, priority: 'NORMAL', state: 'UNCLAIMED', claims: 0, notes: [] });
      expect(job.details).toEqual({ flow: 'order', args: { id: 7, tags: ['x'] }, store: { when: 'now' }, book: 'shop' });
      expect(Number.isNaN(Date.parse(job.createdAt))).toBe(false);
      expect(job.owner).toBeUndefined();
      expect(await a.get(job.uuid)).toEqual(job);
      expect(await a.get('no-such-job')).toBeUndefined();
    });

    it('iterate lists by priority, then oldest first; count agrees', async () => {
      const a = await h.board()();
      const low = await a.post(details('a'), { priority: 'LOW' });
      const n1 = await a.post(details('b'));
      const high = await a.post(details('c'), { priority: 'HIGH' });
      const n2 = await a.post(details('d'), { priority: 'NORMAL' });
      const top = await a.post(details('e'), { priority: 'VERY_HIGH' });
      const bottom = await a.post(details('f'), { priority: 'VERY_LOW' });
      const listed = await all(a.iterate());
      expect(listed.map((j) => j.uuid)).toEqual([top, high, n1, n2, low, bottom].map((j) => j.uuid));
      expect(await a.count()).toBe(6);
    });

    it('a second board object on the same board sees the jobs; another board does not', async () => {
      const open = h.board();
      const a = await open();
      const b = await open();
      const other = await h.board()();
      const job = await a.post(details(), { name: 'first order', uuid: 'order-1' });
      expect(job.uuid).toBe('order-1');
      expect((await b.get('order-1'))?.name).toBe('first order');
      expect(await other.get('order-1')).toBeUndefined();
      expect(await other.count()).toBe(0);
    });

    it('posting a uuid twice is TF_JOB_EXISTS and changes nothing', async () => {
      const a = await h.board()();
      await a.post(details('one'), { uuid: 'dup' });
      await expect(a.post(details('two'), { uuid: 'dup' })).rejects.toMatchObject({ code: 'TF_JOB_EXISTS' });
      expect((await a.get('dup'))?.details.flow).toBe('one');
      expect(await a.count()).toBe(1);
    });
  });
}
