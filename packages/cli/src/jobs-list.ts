import type { Job, Jobboard } from '@tf/jobboard';
import { oneLine, table } from './summary';

const row = (j: Job): string[] => [
  j.uuid,
  oneLine(j.name, 40),
  oneLine(j.details.flow, 40),
  j.priority,
  j.state,
  j.owner ?? '-',
  String(j.claims),
  String(j.notes.length),
  j.updatedAt,
];

/** `tf jobs list <url>`: the jobs on the board, by priority then age (as conductors see them). */
export async function jobsList(board: Jobboard, location: string, options: { unclaimed?: boolean } = {}): Promise<string[]> {
  const jobs: Job[] = [];
  for await (const job of board.iterate({ onlyUnclaimed: options.unclaimed === true })) jobs.push(job);
  const out = [`board: ${board.name} at ${location}`];
  if (jobs.length === 0) return [...out, '', options.unclaimed ? '(no unclaimed jobs)' : '(no jobs on the board)'];
  return [...out, '', ...table([['UUID', 'NAME', 'FLOW', 'PRIORITY', 'STATE', 'OWNER', 'CLAIMS', 'NOTES', 'UPDATED'], ...jobs.map(row)])];
}
