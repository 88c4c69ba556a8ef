import { describe, expect, it } from 'vitest';
import { details, harness, recorder } from '../harness';
import type { JobboardConformanceOptions } from '../options';

/** Events reach another board object (another connection) without it polling. */
export function eventsSuite(options: JobboardConformanceOptions): void {
  describe(`${options.name}: events`, () => {
    const h = harness(options);

    it('posted, claimed, abandoned, consumed and trashed reach a second board object', async () => {
      const open = h.board();
      const a = await open();
      const b = await open();
      const seen = recorder(b);
      const job = await a.post(details());
      expect(await seen.next((e) => e.type === 'posted', 'posted')).toEqual({ type: 'posted', uuid: job.uuid });
      await a.claim(job.uuid, 'c1');
      expect(await seen.next((e) => e.type === 'claimed', 'claimed')).toEqual({ type: 'claimed', uuid: job.uuid, owner: 'c1' });
      await a.abandon(job.uuid, 'c1');
      expect(await seen.next((e) => e.type === 'abandoned', 'abandoned')).toEqual({ type: 'abandoned', uuid: job.uuid, owner: 'c1' });
      await a.claim(job.uuid, 'c2');
      await a.consume(job.uuid, 'c2', { state: 'FAILURE' });
      expect(await seen.next((e) => e.type === 'consumed', 'consumed')).toEqual({ type: 'consumed', uuid: job.uuid, state: 'FAILURE' });
      const other = await a.post(details());
      await a.claim(other.uuid, 'c1');
      await a.trash(other.uuid, 'c1', 'bad');
      expect(await seen.next((e) => e.type === 'trashed', 'trashed')).toEqual({ type: 'trashed', uuid: other.uuid });
    });

    it('an unsubscribed listener hears nothing more; a throwing listener does not stop others', async () => {
      const open = h.board();
      const a = await open();
      const b = await open();
      const heard: string[] = [];
      const stop = b.watch((e) => heard.push(e.type));
      b.watch(() => {
        throw new Error('listener bug');
      });
      const seen = recorder(b);
      const one = await a.post(details());
      await seen.next((e) => e.type === 'posted' && e.uuid === one.uuid, 'posted');
      stop();
      const two = await a.post(details());
      await seen.next((e) => e.type === 'posted' && e.uuid === two.uuid, 'second posted');
      expect(heard).toEqual(['posted']);
    });
  });
}
