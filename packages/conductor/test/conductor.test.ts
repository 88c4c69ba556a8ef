/** The Conductor on the built-in memory board, with the serial engine and a memory backend. */
import { type Jobboard, type JobboardEvent, post, resolveJobboard } from '@tf/jobboard';
import { MemoryPersistenceBackend } from '@tf/persistence';
import { afterEach, describe, expect, it } from 'vitest';
import { type Conductor, ConductorEvent, runJob } from '../src/index';
import { calls, conductor, gate, NeedsX, stepsFlow, uniqueBoard, until } from './helpers';

const running: Conductor[] = [];
const boards: Jobboard[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop({ timeoutMs: 2_000 })));
  await Promise.all(boards.splice(0).map((b) => b.close()));
});

async function board(url: string, options: Record<string, unknown> = {}): Promise<Jobboard> {
  const b = await resolveJobboard({ connection: url, ...options });
  boards.push(b);
  return b;
}

async function started(options: Parameters<typeof conductor>[0]) {
  const made = conductor(options);
  running.push(made.conductor);
  await made.conductor.start();
  return made;
}

describe('Conductor', () => {
  it('runs a posted job on its engine and consumes it with SUCCESS; the flow detail is the job uuid, in the board-named logbook', async () => {
    const b = await board(uniqueBoard());
    const backend = new MemoryPersistenceBackend();
    const { events } = await started({ board: b, backend, flows: { steps: stepsFlow }, engine: 'serial' });
    let uuid = '';
    const outcome = await runJob(b, 'steps', { args: { n: 3 }, timeoutMs: 10_000, onPosted: (job) => (uuid = job.uuid) });
    expect(outcome).toMatchObject({ uuid, state: 'SUCCESS', flowDetailId: uuid });
    expect(calls.filter((c) => c.startsWith(uuid))).toEqual([`${uuid}:0`, `${uuid}:1`, `${uuid}:2`]);
    expect((await backend.loadFlow(uuid))?.state).toBe('SUCCESS');
    const book = await backend.findLogbook(b.name);
    expect((await backend.listFlows(book!.uuid)).map((f) => f.uuid)).toContain(uuid);
    expect(events.filter((e) => e.uuid === uuid).map((e) => e.event)).toEqual([
      ConductorEvent.Claimed,
      ConductorEvent.Started,
      ConductorEvent.Consumed,
    ]);
    expect(await b.get(uuid)).toBeUndefined();
  });

  it('a flow that fails reverts, and the job is consumed REVERTED with the failure', async () => {
    const b = await board(uniqueBoard());
    await started({ board: b, backend: new MemoryPersistenceBackend(), flows: { steps: stepsFlow }, engine: 'serial' });
    let uuid = '';
    const outcome = await runJob(b, 'steps', { args: { n: 1, fail: true }, timeoutMs: 10_000, onPosted: (job) => (uuid = job.uuid) });
    expect(outcome.state).toBe('REVERTED');
    expect(outcome.failure?.exception_str).toBe('boom');
    expect(calls).toContain(`${uuid}:reverted`);
  });

  it('a job naming a flow it does not serve is noted once with the reason, never claimed, and stays on the board', async () => {
    const b = await board(uniqueBoard());
    const { conductor: c, events } = await started({
      board: b,
      backend: new MemoryPersistenceBackend(),
      flows: { steps: stepsFlow, other: stepsFlow },
      engine: 'serial',
      name: 'cond-a',
    });
    const job = await post(b, 'nope');
    await until(async () => ((await b.get(job.uuid))?.notes.length ?? 0) > 0, 'a note');
    // More board events and rescans: the job is looked at again, and left alone.
    for (let i = 0; i < 3; i++) expect((await runJob(b, 'steps', { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    const held = (await b.get(job.uuid))!;
    expect(held).toMatchObject({ state: 'UNCLAIMED', claims: 0 });
    expect(held.notes.map(({ by, reason }) => ({ by, reason }))).toEqual([
      { by: 'cond-a', reason: "no flow factory named 'nope' in this conductor (serves: steps, other)" },
    ]);
    expect(events.filter((e) => e.uuid === job.uuid).map((e) => e.event)).toEqual([ConductorEvent.Skipped]);
    expect(c.activeJobs).toEqual([]);
  });

  it('a job whose factory throws is refused: abandoned with a note, and not claimed again by this conductor', async () => {
    const b = await board(uniqueBoard());
    const { events } = await started({
      board: b,
      backend: new MemoryPersistenceBackend(),
      flows: {
        steps: stepsFlow,
        broken: () => {
          throw new Error('cannot build');
        },
      },
      engine: 'serial',
      name: 'cond-b',
    });
    const job = await post(b, 'broken');
    await until(() => events.some((e) => e.uuid === job.uuid && e.event === ConductorEvent.Refused), 'the refusal');
    for (let i = 0; i < 3; i++) expect((await runJob(b, 'steps', { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    const held = (await b.get(job.uuid))!;
    expect(held).toMatchObject({ state: 'UNCLAIMED', claims: 1 });
    expect(held.notes.map((n) => n.reason)).toEqual(["building the flow: TF_FLOW_FACTORY: the flow factory 'broken' threw: cannot build"]);
  });

  it('a flow that needs a value the store lacks is refused the same way', async () => {
    const b = await board(uniqueBoard());
    const { events } = await started({
      board: b,
      backend: new MemoryPersistenceBackend(),
      flows: { needs: () => new NeedsX() },
      engine: 'serial',
    });
    const job = await post(b, 'needs', { store: { y: 1 } });
    await until(() => events.some((e) => e.uuid === job.uuid && e.event === ConductorEvent.Refused), 'the refusal');
    expect((await b.get(job.uuid))!.notes[0]?.reason).toMatch(/^preparing the flow: TF_MISSING_REQUIREMENTS: /);
  });

  it('a run that fails in the engine (a backend write), not in a task, is abandoned and runs again, not consumed FAILURE', async () => {
    class FailingOnce extends MemoryPersistenceBackend {
      failures = 1;
      override async saveBatch(...args: Parameters<MemoryPersistenceBackend['saveBatch']>): Promise<void> {
        if (this.failures-- > 0) throw new Error('disk full');
        return super.saveBatch(...args);
      }
    }
    const b = await board(uniqueBoard());
    const { events } = await started({ board: b, backend: new FailingOnce(), flows: { steps: stepsFlow }, engine: 'serial' });
    let uuid = '';
    const outcome = await runJob(b, 'steps', { args: { n: 2 }, timeoutMs: 10_000, onPosted: (job) => (uuid = job.uuid) });
    expect(outcome.state).toBe('SUCCESS');
    const mine = events.filter((e) => e.uuid === uuid);
    expect(mine.map((e) => e.event)).toEqual([
      ConductorEvent.Claimed,
      ConductorEvent.Started,
      ConductorEvent.Abandoned,
      ConductorEvent.Claimed,
      ConductorEvent.Started,
      ConductorEvent.Consumed,
    ]);
    expect(mine[2]?.reason).toMatch(/disk full/);
  });

  it('runs at most maxFlows flows at once', async () => {
    const b = await board(uniqueBoard());
    const { conductor: c } = await started({
      board: b,
      backend: new MemoryPersistenceBackend(),
      flows: { steps: stepsFlow },
      engine: 'serial',
      maxFlows: 2,
    });
    const jobs = await Promise.all(Array.from({ length: 5 }, () => post(b, 'steps', { args: { n: 1, gateAt: 0 } })));
    await until(() => c.activeJobs.length === 2, 'two running flows');
    expect(await b.count({ onlyUnclaimed: true })).toBe(3);
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, c.activeJobs.length)), 1);
    for (const job of jobs) gate(job.uuid).open();
    const outcomes = await Promise.all(jobs.map((job) => b.waitForOutcome(job.uuid, { timeoutMs: 10_000 })));
    clearInterval(watch);
    expect(outcomes.map((o) => o.state)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('two conductors on one board: every job runs once, and no claim is ever held twice', async () => {
    const url = uniqueBoard();
    const observer = await board(url);
    const events: JobboardEvent[] = [];
    observer.watch((e) => events.push(e));
    const backend = new MemoryPersistenceBackend();
    for (const name of ['one', 'two'])
      await started({ board: await board(url), backend, flows: { steps: stepsFlow }, engine: 'serial', name });
    const jobs = await Promise.all(Array.from({ length: 12 }, () => post(observer, 'steps', { args: { n: 2 } })));
    for (const job of jobs) expect((await observer.waitForOutcome(job.uuid, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    for (const job of jobs) expect(calls.filter((c) => c.startsWith(job.uuid))).toEqual([`${job.uuid}:0`, `${job.uuid}:1`]);
    const claimed = events.filter((e) => e.type === 'claimed');
    expect(claimed.length).toBe(12);
    expect(new Set(claimed.map((e) => e.uuid)).size).toBe(12);
  });

  it('stop() abandons an unfinished job at once; another conductor resumes its flow detail and finished tasks do not run again', async () => {
    const url = uniqueBoard();
    const backend = new MemoryPersistenceBackend();
    const first = await started({ board: await board(url), backend, flows: { steps: stepsFlow }, engine: 'serial', name: 'first' });
    const b = await board(url);
    const job = await post(b, 'steps', { args: { n: 3, gateAt: 1 } });
    await until(() => gate(job.uuid).entered(), 'step 1 to start');
    const stopping = first.conductor.stop({ timeoutMs: 5_000 });
    gate(job.uuid).open(); // the running step finishes (and is recorded); nothing after it starts
    await stopping;
    expect(first.events.filter((e) => e.uuid === job.uuid).map((e) => e.event)).toEqual([
      ConductorEvent.Claimed,
      ConductorEvent.Started,
      ConductorEvent.Abandoned,
    ]);
    expect(await b.get(job.uuid)).toMatchObject({ state: 'UNCLAIMED', claims: 1 });
    expect(calls.filter((c) => c.startsWith(job.uuid))).toEqual([`${job.uuid}:0`, `${job.uuid}:1`]);

    const second = await started({ board: await board(url), backend, flows: { steps: stepsFlow }, engine: 'serial', name: 'second' });
    expect((await b.waitForOutcome(job.uuid, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    expect(calls.filter((c) => c.startsWith(job.uuid))).toEqual([`${job.uuid}:0`, `${job.uuid}:1`, `${job.uuid}:2`]);
    expect(second.events.find((e) => e.uuid === job.uuid && e.event === ConductorEvent.Claimed)?.claims).toBe(2);
  });

  it('a lost claim stops the run without consuming; after expiry another conductor resumes the flow detail', async () => {
    const url = uniqueBoard();
    const backend = new MemoryPersistenceBackend();
    const options = { claimTtlMs: 300 };
    const losing = await board(url, options);
    const first = await started({ board: losing, backend, flows: { steps: stepsFlow }, engine: 'serial', name: 'first' });
    const b = await board(url, options);
    const job = await post(b, 'steps', { args: { n: 3, gateAt: 1 } });
    await until(() => gate(job.uuid).entered(), 'step 1 to start');
    expect(await b.owner(job.uuid)).toBe('first');
    const second = await started({
      board: await board(url, options),
      backend,
      flows: { steps: stepsFlow },
      engine: 'serial',
      name: 'second',
    });
    await losing.close(); // its claims are lost at once, and no longer renewed: they expire
    await until(() => first.events.some((e) => e.uuid === job.uuid && e.event === ConductorEvent.Lost), 'the loss');
    gate(job.uuid).open(); // the step running in the first conductor's engine ends; nothing after it starts there
    expect((await b.waitForOutcome(job.uuid, { timeoutMs: 10_000 })).state).toBe('SUCCESS');
    expect(first.events.filter((e) => e.uuid === job.uuid).map((e) => e.event)).toEqual([
      ConductorEvent.Claimed,
      ConductorEvent.Started,
      ConductorEvent.Lost,
    ]);
    expect(second.events.filter((e) => e.uuid === job.uuid && e.event === ConductorEvent.Consumed).length).toBe(1);
    // Step 0 finished before the loss and step 1 while the first engine wound down: neither ran again.
    expect(calls.filter((c) => c.startsWith(job.uuid))).toEqual([`${job.uuid}:0`, `${job.uuid}:1`, `${job.uuid}:2`]);
  });
});
