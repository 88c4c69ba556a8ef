/**
 * The filesystem transport across processes: a worker-based engine (this process) and
 * two `tf-worker` processes sharing one folder.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { load } from '@tf/engine';
import { killAtFirstProgress, startWorker, type WorkerProcess } from './helpers';
import { expectEverySquare, squaresFlow } from './fixtures/flows';

let folder: string;
let workers: WorkerProcess[] = [];

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'tf-it-fs-'));
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
  rmSync(folder, { recursive: true, force: true });
});

const transportOptions = () => ({ data_folder_in: folder, data_folder_out: folder, polling_interval: 0.2 });

async function twoWorkers(): Promise<WorkerProcess[]> {
  const args = [
    '--transport',
    'filesystem',
    '--transport-options',
    JSON.stringify(transportOptions()),
    '--exchange',
    'it',
    '--topic',
    'squares',
    '--tasks',
    './test-integration/fixtures/tasks.ts',
    '--concurrency',
    '2',
  ];
  workers = await Promise.all([startWorker(args), startWorker(args)]);
  return workers;
}

describe('filesystem transport across processes', () => {
  it('shares the work of a flow between two tf-worker processes', async () => {
    const [a, b] = await twoWorkers();
    const { flow, names } = squaresFlow(16);
    const engine = load(flow, {
      engine: 'worker-based',
      exchange: 'it',
      topics: ['squares'],
      transport: 'filesystem',
      transport_options: transportOptions(),
      store: { ms: 150 },
    });
    await engine.run();
    const pids = expectEverySquare(engine.storage.fetchAll(), names);
    expect(new Set(pids.values())).toEqual(new Set([a!.pid, b!.pid]));
    // Nothing is left behind in the topic folders: every request and response was acked.
    const leftovers = readdirSync(join(folder, 'it', 'squares')).filter((f) => f.endsWith('.msg'));
    expect(leftovers).toEqual([]);
  });

  it('completes with every result when a worker is killed with SIGKILL in the middle of a task', async () => {
    const [victim, survivor] = await twoWorkers();
    const { flow, names } = squaresFlow(8);
    const engine = load(flow, {
      engine: 'worker-based',
      exchange: 'it',
      topics: ['squares'],
      transport: 'filesystem',
      transport_options: transportOptions(),
      store: { ms: 1_500 },
      transition_timeout: 60,
    });
    const kill = killAtFirstProgress(engine, victim!);
    await engine.run();
    await kill.exited();
    expect(kill.killedDuring).toBeDefined();
    expect(victim!.child.signalCode).toBe('SIGKILL');
    const pids = expectEverySquare(engine.storage.fetchAll(), names);
    // The survivor finished what the victim held.
    expect(pids.get(kill.killedDuring!)).toBe(survivor!.pid);
    expect([...pids.values()].filter((pid) => pid === victim!.pid).length).toBeLessThan(names.length);
  });
});
