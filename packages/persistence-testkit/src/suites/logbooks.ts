import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { harness } from '../harness';
import type { PersistenceConformanceOptions } from '../options';
import { flowRecord } from '../records';

/** Logbooks: save, load, find the most recent by name, list; flow details listed by logbook. */
export function logbooksSuite(options: PersistenceConformanceOptions): void {
  describe(`${options.name}: logbooks`, () => {
    const h = harness(options);

    it('a saved logbook loads back with its meta and times; an unknown one is undefined', async () => {
      const b = await h.open();
      const uuid = randomUUID();
      const saved = await b.saveLogbook({ uuid, name: `book-${uuid}`, meta: { team: 'payments' } });
      expect(saved).toMatchObject({ uuid, name: `book-${uuid}`, meta: { team: 'payments' } });
      expect(await b.loadLogbook(uuid)).toEqual(saved);
      expect(await b.loadLogbook(randomUUID())).toBeUndefined();
    });

    it('saving a logbook again keeps createdAt; meta is kept unless given', async () => {
      const b = await h.open();
      const uuid = randomUUID();
      const first = await b.saveLogbook({ uuid, name: 'n', meta: { a: 1 } });
      await new Promise((r) => setTimeout(r, 5));
      const second = await b.saveLogbook({ uuid, name: 'n' });
      expect(second.createdAt).toBe(first.createdAt);
      expect(second.updatedAt > first.updatedAt).toBe(true);
      expect(second.meta).toEqual({ a: 1 });
    });

    it('findLogbook gives the most recently updated logbook of a name', async () => {
      const b = await h.open();
      const name = `shared-${randomUUID()}`;
      const older = randomUUID();
      const newer = randomUUID();
      await b.saveLogbook({ uuid: older, name });
      await new Promise((r) => setTimeout(r, 5));
      await b.saveLogbook({ uuid: newer, name });
      expect((await b.findLogbook(name))?.uuid).toBe(newer);
      expect(await b.findLogbook(`missing-${randomUUID()}`)).toBeUndefined();
      const listed = (await b.listLogbooks()).filter((l) => l.name === name).map((l) => l.uuid);
      expect(listed).toEqual([newer, older]);
    });

    it('listFlows gives the flow details of one logbook, or all of them', async () => {
      const b = await h.open();
      const bookA = randomUUID();
      const bookB = randomUUID();
      await b.saveLogbook({ uuid: bookA, name: 'a' });
      await b.saveLogbook({ uuid: bookB, name: 'b' });
      const a1 = h.id();
      const a2 = h.id();
      const b1 = h.id();
      await b.saveFlow(flowRecord(a1, { logbookUuid: bookA, name: 'first' }));
      await new Promise((r) => setTimeout(r, 5));
      await b.saveFlow(flowRecord(a2, { logbookUuid: bookA, name: 'second' }));
      await b.saveFlow(flowRecord(b1, { logbookUuid: bookB }));
      expect((await b.listFlows(bookA)).map((f) => f.uuid)).toEqual([a2, a1]);
      expect((await b.listFlows(bookB)).map((f) => f.uuid)).toEqual([b1]);
      const all = (await b.listFlows()).map((f) => f.uuid);
      expect(all).toEqual(expect.arrayContaining([a1, a2, b1]));
      expect((await b.listFlows(bookA))[0]?.logbookUuid).toBe(bookA);
    });

    it('details() names the scheme and a location without a password', async () => {
      const b = await h.open();
      const details = b.details();
      expect(typeof details.scheme).toBe('string');
      expect(typeof details.location).toBe('string');
      expect(JSON.stringify(details)).not.toMatch(/password|secret/i);
    });
  });
}
