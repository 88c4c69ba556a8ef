import type { AtomRecord, FlowRecord, StorageBatch } from '@tf/core';

/** The last record of each atom in a batch, in first-seen order: what a batch leaves behind. */
export function lastPerAtom(atoms: readonly Readonly<AtomRecord>[]): Readonly<AtomRecord>[] {
  const last = new Map<string, Readonly<AtomRecord>>();
  for (const record of atoms) last.set(record.name, record);
  return [...last.values()];
}

/** `saveFlow` as a batch. */
export const flowBatch = (record: Readonly<FlowRecord>): StorageBatch => ({ flow: record, atoms: [] });

/** `saveAtom` as a batch. */
export const atomBatch = (record: Readonly<AtomRecord>): StorageBatch => ({ atoms: [record] });

/** Newest first, by `updatedAt` then name: the order `listLogbooks` and `listFlows` return. */
export function byUpdatedDesc<T extends { updatedAt?: string | undefined; name: string }>(a: T, b: T): number {
  const ta = a.updatedAt ?? '';
  const tb = b.updatedAt ?? '';
  if (ta !== tb) return ta < tb ? 1 : -1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** Now as ISO 8601, never earlier than `previous` (clocks step back; updatedAt orders lists). */
export function nowIso(previous?: string): string {
  const now = new Date().toISOString();
  return previous !== undefined && previous > now ? previous : now;
}
