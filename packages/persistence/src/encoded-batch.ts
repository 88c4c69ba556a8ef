import type { StorageBatch } from '@tf/core';
import { lastPerAtom } from './batch';
import { encodeAtomRecord, encodeBounded, encodeFlowRecord } from './codec';
import type { StoredAtom, StoredFlow } from './stored';

/** A batch turned into JSON text at the moment it was given (later changes to the live records do not leak in). */
export interface EncodedBatch {
  flow?: { stored: Omit<StoredFlow, 'store' | 'meta'>; text: string };
  /** The last record of each atom in the batch. */
  atoms: { stored: Omit<StoredAtom, 'result' | 'revertResult' | 'history' | 'meta' | 'failure' | 'revertFailure'>; text: string }[];
}

/**
 * Encodes a batch, throwing `NotJsonError` or `BackendTooLargeError` for a bad record before
 * anything is written. The flow's `createdAt`/`updatedAt` are `now`; `retimeFlow` fixes them
 * against what the store holds.
 */
export function encodeBatch(flowUuid: string, batch: Readonly<StorageBatch>, maxRecordBytes: number, now: string): EncodedBatch {
  const out: EncodedBatch = { atoms: [] };
  if (batch.flow) {
    const full = encodeFlowRecord({ ...batch.flow, uuid: flowUuid }, now);
    const { store: _store, meta: _meta, ...stored } = full;
    out.flow = { stored, text: encodeBounded(full, maxRecordBytes, `Flow detail ${flowUuid}`) };
  }
  for (const record of lastPerAtom(batch.atoms)) {
    const stored = encodeAtomRecord(flowUuid, record);
    const text = encodeBounded(stored, maxRecordBytes, `Atom '${record.name}' of flow detail ${flowUuid}`);
    out.atoms.push({
      stored: {
        name: stored.name,
        kind: stored.kind,
        uuid: stored.uuid,
        state: stored.state,
        intention: stored.intention,
        progress: stored.progress,
      },
      text,
    });
  }
  return out;
}

/** The flow's text with `createdAt` kept from the store's first save and `updatedAt` never going back. */
export function retimeFlow(
  flow: NonNullable<EncodedBatch['flow']>,
  previous: { createdAt: string; updatedAt: string } | undefined,
): { text: string; createdAt: string; updatedAt: string } {
  const createdAt = previous?.createdAt ?? flow.stored.createdAt;
  const updatedAt = previous && previous.updatedAt > flow.stored.updatedAt ? previous.updatedAt : flow.stored.updatedAt;
  if (createdAt === flow.stored.createdAt && updatedAt === flow.stored.updatedAt) return { text: flow.text, createdAt, updatedAt };
  const parsed = JSON.parse(flow.text) as StoredFlow;
  return { text: JSON.stringify({ ...parsed, createdAt, updatedAt }), createdAt, updatedAt };
}
