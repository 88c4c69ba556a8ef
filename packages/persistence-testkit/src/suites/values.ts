import { TfError } from '@tf/core';
import { describe, expect, it } from 'vitest';
import { harness } from '../harness';
import type { PersistenceConformanceOptions } from '../options';
import { flowRecord, taskRecord } from '../records';

const NOT_JSON: [string, unknown, string][] = [
  ['a function', () => 1, 'result'],
  ['a Map', new Map([[1, 2]]), 'result'],
  ['a Date', new Date(0), 'result'],
  ['a bigint', 10n, 'result'],
  ['NaN', Number.NaN, 'result'],
  ['a nested symbol', { deep: [1, Symbol('s')] }, 'result.deep[1]'],
];

/** Values: not JSON is refused naming the atom; large values are kept up to the limit and refused past it. */
export function valuesSuite(options: PersistenceConformanceOptions): void {
  describe(`${options.name}: values`, () => {
    const h = harness(options);

    for (const [label, value, path] of NOT_JSON) {
      it(`a result that is ${label} is refused with TF_BACKEND_NOT_JSON naming the atom and where`, async () => {
        const b = await h.open();
        const uuid = h.id();
        const error = await Promise.resolve(b.saveAtom(uuid, taskRecord('charge-card', { state: 'SUCCESS', result: value }))).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(TfError.is(error, 'TF_BACKEND_NOT_JSON')).toBe(true);
        expect((error as Error).message).toContain("'charge-card'");
        expect((error as { path?: string }).path).toBe(path);
        expect(await b.loadAtoms(uuid)).toEqual([]);
      });
    }

    it('a circular result is refused; a store value that is not JSON is refused for the flow', async () => {
      const b = await h.open();
      const uuid = h.id();
      const cycle: Record<string, unknown> = {};
      cycle['self'] = cycle;
      await expect(Promise.resolve(b.saveAtom(uuid, taskRecord('a', { result: cycle })))).rejects.toMatchObject({
        code: 'TF_BACKEND_NOT_JSON',
      });
      await expect(Promise.resolve(b.saveFlow(flowRecord(uuid, { store: { when: new Date() } })))).rejects.toMatchObject({
        code: 'TF_BACKEND_NOT_JSON',
        atomName: undefined,
      });
    });

    it('a 2 MiB result round trips', async () => {
      const b = await h.open();
      const uuid = h.id();
      const big = 'x'.repeat(2 * 1024 * 1024);
      await b.saveAtom(uuid, taskRecord('big', { state: 'SUCCESS', result: { big } }));
      expect(((await b.loadAtoms(uuid))[0]?.result as { big: string } | undefined)?.big).toHaveLength(big.length);
    });

    it('a record over maxRecordBytes is refused with TF_BACKEND_TOO_LARGE and nothing is saved', async () => {
      const b = await h.open({ maxRecordBytes: 64 * 1024 });
      const uuid = h.id();
      await b.saveAtom(uuid, taskRecord('small', { state: 'SUCCESS', result: 'ok' }));
      const error = await Promise.resolve(b.saveAtom(uuid, taskRecord('huge', { state: 'SUCCESS', result: 'y'.repeat(100 * 1024) }))).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(TfError.is(error, 'TF_BACKEND_TOO_LARGE')).toBe(true);
      expect((error as Error).message).toContain("'huge'");
      expect((await b.loadAtoms(uuid)).map((a) => a.name)).toEqual(['small']);
    });
  });
}
