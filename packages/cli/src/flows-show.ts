import type { AtomRecord } from '@tf/core';
import { NotFoundError } from '@tf/core';
import type { PersistenceBackend } from '@tf/persistence';
import { failureLines, summarise, table } from './summary';

function outcome(atom: AtomRecord): string {
  if (atom.failure !== undefined) return 'failed (below)';
  if ('result' in atom) return summarise(atom.result);
  return '';
}

/** `tf flows show <id>`: the flow detail, then each atom's state, intention, result summary and failures. */
export async function flowsShow(backend: PersistenceBackend, flowUuid: string): Promise<string[]> {
  const flow = await backend.loadFlow(flowUuid);
  const atoms = await backend.loadAtoms(flowUuid);
  if (!flow && atoms.length === 0) {
    const { scheme, location } = backend.details();
    throw new NotFoundError(`No flow detail ${JSON.stringify(flowUuid)} in the ${scheme} backend at ${location}.`);
  }
  const out = [`flow detail ${flowUuid}`];
  if (flow) {
    out.push(`  name:    ${flow.name}`, `  state:   ${flow.state}`);
    if (flow.logbookUuid !== undefined) {
      const book = await backend.loadLogbook(flow.logbookUuid);
      out.push(`  logbook: ${book ? `${book.name} (${book.uuid})` : flow.logbookUuid}`);
    }
    out.push(`  created: ${flow.createdAt ?? ''}`, `  updated: ${flow.updatedAt ?? ''}`);
    const keys = Object.keys(flow.store);
    if (keys.length) out.push(`  store:   ${summarise(flow.store, 100)}`);
    if (flow.meta && Object.keys(flow.meta).length) out.push(`  meta:    ${summarise(flow.meta, 100)}`);
  } else {
    out.push('  (no flow record: only atom details were saved)');
  }
  const counts = new Map<string, number>();
  for (const atom of atoms) counts.set(atom.state, (counts.get(atom.state) ?? 0) + 1);
  out.push('', `atoms (${atoms.length}): ${[...counts].map(([state, n]) => `${n} ${state}`).join(', ')}`);
  if (!atoms.length) return out;
  out.push(
    ...table(
      [['NAME', 'KIND', 'STATE', 'INTENTION', 'RESULT'], ...atoms.map((a) => [a.name, a.kind, a.state, a.intention, outcome(a)])],
      '  ',
    ),
  );
  for (const atom of atoms) {
    const notes: string[] = [];
    if (atom.failure !== undefined) notes.push('    failure:', ...failureLines(atom.failure, '      '));
    if ('revertResult' in atom) notes.push(`    revert result: ${summarise(atom.revertResult)}`);
    if (atom.revertFailure !== undefined) notes.push('    revert failure:', ...failureLines(atom.revertFailure, '      '));
    if (atom.history?.length) {
      notes.push(`    retry history: ${atom.history.length} attempt(s)`);
      atom.history.forEach((attempt, i) => {
        const failed = Object.keys(attempt.failures);
        notes.push(`      #${i + 1} value ${summarise(attempt.value, 40)}${failed.length ? `, failed: ${failed.join(', ')}` : ''}`);
      });
    }
    if (notes.length) out.push('', `  ${atom.name}`, ...notes);
  }
  return out;
}
