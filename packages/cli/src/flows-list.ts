import type { FlowRecord } from '@tf/core';
import type { PersistenceBackend } from '@tf/persistence';
import { table } from './summary';

const flowRow = (f: FlowRecord): string[] => [f.uuid, f.name, f.state, f.updatedAt ?? ''];

/** `tf flows list`: each logbook with its flow details, then flow details outside any logbook. */
export async function flowsList(backend: PersistenceBackend): Promise<string[]> {
  const { scheme, location } = backend.details();
  const out = [`backend: ${scheme} ${location}`];
  const books = await backend.listLogbooks();
  const flows = await backend.listFlows();
  const known = new Set(books.map((b) => b.uuid));
  for (const book of books) {
    out.push('', `logbook ${book.name} (${book.uuid}), updated ${book.updatedAt}`);
    const inBook = flows.filter((f) => f.logbookUuid === book.uuid);
    out.push(...(inBook.length ? table([['UUID', 'NAME', 'STATE', 'UPDATED'], ...inBook.map(flowRow)], '  ') : ['  (no flow details)']));
  }
  const loose = flows.filter((f) => f.logbookUuid === undefined || !known.has(f.logbookUuid));
  if (loose.length) {
    out.push('', 'flow details without a logbook');
    out.push(...table([['UUID', 'NAME', 'STATE', 'UPDATED'], ...loose.map(flowRow)], '  '));
  }
  if (!books.length && !flows.length) out.push('', '(no logbooks and no flow details)');
  return out;
}
