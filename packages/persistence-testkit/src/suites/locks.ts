import { TfError } from '@tf/core';
import { describe, expect, it } from 'vitest';
import { harness } from '../harness';
import type { PersistenceConformanceOptions } from '../options';

/** `lockFlow`: one holder per flow detail across backend instances; released, it can be taken again. */
export function locksSuite(options: PersistenceConformanceOptions): void {
  if (!options.locks) return;
  describe(`${options.name}: flow detail locks`, () => {
    const h = harness(options);

    it('a second engine cannot lock a flow detail another holds (TF_FLOW_LOCKED), then can once it is released', async () => {
      const one = await h.open();
      const two = await h.open();
      const uuid = h.id();
      const lock = await one.lockFlow?.(uuid);
      expect(lock).toBeDefined();
      const refused = await two.lockFlow?.(uuid).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(TfError.is(refused, 'TF_FLOW_LOCKED')).toBe(true);
      expect((refused as Error).message).toContain(uuid);
      await lock?.release();
      const again = await two.lockFlow?.(uuid);
      expect(again).toBeDefined();
      await again?.release();
    });

    it('locks on different flow details do not conflict; release is idempotent', async () => {
      const one = await h.open();
      const two = await h.open();
      const a = await one.lockFlow?.(h.id());
      const b = await two.lockFlow?.(h.id());
      await a?.release();
      await a?.release();
      await b?.release();
    });

    it('closing a backend releases its locks', async () => {
      const one = await h.open();
      const two = await h.open();
      const uuid = h.id();
      await one.lockFlow?.(uuid);
      await one.close();
      const lock = await two.lockFlow?.(uuid);
      await lock?.release();
    });
  });
}
