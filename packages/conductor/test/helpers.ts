import { randomUUID } from 'node:crypto';
import { type Flow, linearFlow, Task } from '@tf/core';
import type { Job } from '@tf/jobboard';
import { Conductor, type ConductorEventDetails, type ConductorOptions } from '../src/index';

/** What the tasks of these tests did, in order: `<job>:<step>`. */
export const calls: string[] = [];

/** Gates a `Gated` task waits on, by job uuid: the test opens them. */
const gates = new Map<string, { promise: Promise<void>; open: () => void; entered: boolean }>();

export function gate(job: string): { open: () => void; entered: () => boolean } {
  let g = gates.get(job);
  if (!g) {
    let open: () => void = () => {};
    const promise = new Promise<void>((resolve) => {
      open = resolve;
    });
    g = { promise, open, entered: false };
    gates.set(job, g);
  }
  const held = g;
  return { open: () => held.open(), entered: () => held.entered };
}

export class Step extends Task<{ job: string; step: number }, number> {
  static override taskName = 'conductor.Step';
  static override requires = ['job', 'step'];
  override execute({ job, step }: { job: string; step: number }): number {
    calls.push(`${job}:${step}`);
    return step;
  }
}

/** Waits for the test to open the job's gate, then records itself like a Step. */
export class Gated extends Task<{ job: string; step: number }, number> {
  static override taskName = 'conductor.Gated';
  static override requires = ['job', 'step'];
  override async execute({ job, step }: { job: string; step: number }): Promise<number> {
    gate(job);
    const g = gates.get(job)!;
    g.entered = true;
    await g.promise;
    calls.push(`${job}:${step}`);
    return step;
  }
}

/** Needs `x`, which no job's store of these tests gives. */
export class NeedsX extends Task<{ x: number }, number> {
  static override taskName = 'conductor.NeedsX';
  static override requires = ['x'];
  override execute({ x }: { x: number }): number {
    return x;
  }
}

export class Boom extends Task<{ job: string }, never> {
  static override taskName = 'conductor.Boom';
  static override requires = ['job'];
  override execute(): never {
    throw new Error('boom');
  }
  override revert({ job }: { job: string }): void {
    calls.push(`${job}:reverted`);
  }
}

/** `{ n }` steps (default 2); `{ gateAt: i }` makes step i wait for the job's gate; `{ fail: true }` adds a failing last task. */
export function stepsFlow(args: Record<string, unknown>, job: Job): Flow {
  const n = typeof args['n'] === 'number' ? args['n'] : 2;
  const flow = linearFlow('steps');
  for (let step = 0; step < n; step++) {
    const Cls = args['gateAt'] === step ? Gated : Step;
    flow.add(new Cls({ name: `s${step}`, inject: { job: job.uuid, step } }));
  }
  if (args['fail'] === true) flow.add(new Boom({ name: 'boom', inject: { job: job.uuid } }));
  return flow;
}

export const uniqueBoard = (): string => `memory://cond-${randomUUID().slice(0, 8)}`;

/** A conductor with its events recorded. */
export function conductor(options: ConductorOptions): { conductor: Conductor; events: (ConductorEventDetails & { event: string })[] } {
  const c = new Conductor(options);
  const events: (ConductorEventDetails & { event: string })[] = [];
  c.notifier.on('*', (event, details) => events.push({ event, ...details }));
  return { conductor: c, events };
}

/** Polls `condition` every 10 ms, failing after `timeoutMs` with `what`. */
export async function until(condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
