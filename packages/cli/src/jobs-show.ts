import { Failure, NotFoundError } from '@tf/core';
import type { Jobboard, JobOutcome } from '@tf/jobboard';
import { failureLines, oneLine, summarise } from './summary';

function outcomeLines(outcome: JobOutcome): string[] {
  const out = [`outcome: ${outcome.state} by ${outcome.by} at ${outcome.at}`];
  if (outcome.flowDetailId) out.push(`flow detail: ${outcome.flowDetailId}`);
  if (outcome.reason) out.push(`reason: ${oneLine(outcome.reason)}`);
  if (outcome.failure) {
    let failure: unknown = outcome.failure;
    try {
      failure = Failure.fromDict(outcome.failure);
    } catch {
      // shown as JSON below
    }
    out.push('failure:', ...failureLines(failure, '  '));
  }
  return out;
}

/** `tf jobs show <url> <uuid>`: a job on the board (state, owner, details, notes), or the outcome of one that left it. */
export async function jobsShow(board: Jobboard, uuid: string): Promise<string[]> {
  const job = await board.get(uuid);
  if (!job) {
    const outcome = await board.outcome(uuid);
    if (!outcome) throw new NotFoundError(`No job ${uuid} on the board '${board.name}', and no outcome kept for it.`);
    return [`job ${uuid} on board ${board.name}: no longer on the board`, ...outcomeLines(outcome)];
  }
  const out = [
    `job ${job.uuid} (${oneLine(job.name, 80)}) on board ${job.board}`,
    `state: ${job.state}${job.owner ? ` by ${job.owner}` : ''}, claimed ${job.claims} time${job.claims === 1 ? '' : 's'}`,
    `flow: ${job.details.flow}${job.details.book ? `, book ${job.details.book}` : ''}, priority ${job.priority}`,
    `created: ${job.createdAt}, updated: ${job.updatedAt}`,
    `args: ${summarise(job.details.args, 200)}`,
    `store: ${summarise(job.details.store, 200)}`,
  ];
  if (job.notes.length > 0) {
    out.push('notes:');
    for (const note of job.notes) out.push(`  ${note.at} ${note.by}: ${oneLine(note.reason)}`);
  }
  return out;
}
