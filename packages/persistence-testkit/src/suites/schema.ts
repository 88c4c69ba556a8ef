import { TfError } from '@tf/core';
import { describe, expect, it } from 'vitest';
import { harness } from '../harness';
import type { PersistenceConformanceOptions } from '../options';

async function failure(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** A store that is not ours (foreign, newer, corrupt) is a `TF_BACKEND_SCHEMA` error, never silently used. */
export function schemaSuite(options: PersistenceConformanceOptions): void {
  const cases = options.schemaCases;
  if (!cases) return;
  describe(`${options.name}: foreign, newer and corrupt stores`, () => {
    const h = harness(options);
    const { foreign, newer, corrupt } = cases;

    if (foreign) {
      it("a store holding someone else's data is refused with TF_BACKEND_SCHEMA", async () => {
        const connection = await foreign();
        const error = await failure(async () => (await h.openConnection(connection)).listLogbooks());
        expect(TfError.is(error, 'TF_BACKEND_SCHEMA'), String(error)).toBe(true);
      });
    }
    if (newer) {
      it('a store of a newer schema version is refused with TF_BACKEND_SCHEMA naming the version', async () => {
        const connection = await newer();
        const error = await failure(async () => (await h.openConnection(connection)).listLogbooks());
        expect(TfError.is(error, 'TF_BACKEND_SCHEMA'), String(error)).toBe(true);
        expect((error as Error).message).toMatch(/version/i);
      });
    }
    if (corrupt) {
      it('a corrupt flow detail is a TF_BACKEND_SCHEMA error on load, not garbage', async () => {
        const { connection, flowUuid } = await corrupt();
        const error = await failure(async () => {
          const b = await h.openConnection(connection);
          await b.loadFlow(flowUuid);
          await b.loadAtoms(flowUuid);
        });
        expect(TfError.is(error, 'TF_BACKEND_SCHEMA'), String(error)).toBe(true);
      });
    }
  });
}
