/**
 * An engine that dies mid-flow loses nothing: an engine PROCESS runs a 500-task linear flow
 * (each execution appends a line to a log file), is killed with kill -9 mid-flow, and a new
 * engine process resumes the same flow detail from the backend. The flow completes with every
 * result, and no task that finished before the kill ran again (at most the one in flight).
 * Worker-based on two tf-worker processes (filesystem transport, RabbitMQ) with the sqlite
 * and PostgreSQL backends; the local parallel engine with the dir backend; and a flow that
 * was reverting when its engine died finishes reverting.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { fixtureWorkerArgs, root, startWorker, waitUntil, type WorkerProcess } from './helpers';
import { AMQP_URL, describeWith, uniqueName } from './services';

const N = 500;
const PG_URL = process.env['TF_TEST_POSTGRES_URL'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const folder = mkdtempSync(join(tmpdir(), 'tf-it-resume-'));
const schemas: string[] = [];

afterAll(async () => {
  rmSync(folder, { recursive: true, force: true });
  if (schemas.length === 0) return;
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

interface EngineProcess {
  output(): string;
  exited: Promise<void>;
  kill9(): Promise<void>;
}

function spawnEngine(config: Record<string, unknown>): EngineProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test-integration/fixtures/resume-engine.ts', JSON.stringify(config)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    output: () => out,
    exited,
    kill9: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

const lines = (log: string): string[] => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : []);
const count = (log: string, kind: 'execute' | 'revert'): number => lines(log).filter((l) => l.startsWith(`${kind} t`)).length;

/** How many times each task ran, by index. */
function executions(log: string): number[] {
  const runs = new Array<number>(N).fill(0);
  for (const line of lines(log)) {
    const m = /^execute t(\d+) /.exec(line);
    if (m) runs[Number(m[1])]!++;
  }
  return runs;
}

/** Runs the flow in an engine process, kill -9s it once `killAfter` lines of `kind` are logged, resumes it in a new one. */
async function killAndResume(loadOptions: Record<string, unknown>, options: { fail?: boolean; kind?: 'execute' | 'revert' } = {}) {
  const log = join(folder, `${randomUUID()}.log`);
  const config = { n: N, log, fail: options.fail ?? false, load: { ...loadOptions, flowDetailId: randomUUID() } };
  const kind = options.kind ?? 'execute';
  const killAfter = N / 3;
  const first = spawnEngine(config);
  await waitUntil(
    () => count(log, kind) >= killAfter || /^flow /m.test(first.output()),
    90_000,
    () => `${killAfter} ${kind} lines (have ${count(log, kind)}):\n${first.output()}`,
    20,
  );
  await first.kill9();
  expect(first.output()).not.toMatch(/^flow /m);
  const atKill = count(log, kind);
  expect(atKill).toBeGreaterThanOrEqual(killAfter);
  expect(atKill).toBeLessThan(N);

  const second = spawnEngine(config);
  const timer = setTimeout(() => void second.kill9(), 120_000);
  await second.exited;
  clearTimeout(timer);
  return { log, output: second.output(), atKill };
}

function expectEveryTaskOnceButTheOneInFlight(log: string): void {
  const runs = executions(log);
  expect(runs.filter((r) => r === 0).length).toBe(0);
  const again = runs.flatMap((r, i) => (r > 1 ? [`t${i} x${r}`] : []));
  const detail = () => {
    const names = new Set(again.map((a) => `${a.split(' ')[0]} `));
    return lines(log)
      .map((l, n) => `${n}: ${l}`)
      .filter((l) => [...names].some((name) => l.includes(`execute ${name}`)))
      .join('\n');
  };
  expect(again.length, `ran again: ${again.join(', ')}\n${detail()}`).toBeLessThanOrEqual(1);
  expect(Math.max(...runs), `ran again: ${again.join(', ')}\n${detail()}`).toBeLessThanOrEqual(2);
}

const backends = {
  sqlite: () => `sqlite://${join(folder, `${randomUUID()}.db`)}`,
  postgresql: () => {
    const schema = `tf_it_resume_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    return { connection: PG_URL, schema };
  },
};

const fsOptions = { dataFolderIn: join(folder, 'broker'), dataFolderOut: join(folder, 'broker'), pollingIntervalMs: 50 };
const transports = [
  {
    name: 'filesystem',
    needs: [] as const,
    args: ['--transport', 'filesystem', '--transport-options', JSON.stringify(fsOptions)],
    options: { transport: 'filesystem', transportOptions: fsOptions },
  },
  {
    name: 'RabbitMQ',
    needs: ['rabbitmq'] as const,
    args: ['--transport', 'amqp', '--url', AMQP_URL],
    options: { transport: 'amqp', url: AMQP_URL },
  },
];

for (const transport of transports) {
  await describeWith(transport.needs, `resumption: worker-based engine process on ${transport.name}, two tf-worker processes`, () => {
    let workers: WorkerProcess[] = [];
    const exchange = uniqueName('it-resume');
    afterAll(async () => {
      await Promise.all(workers.map((w) => w.stop()));
      workers = [];
    });

    for (const [name, backend] of Object.entries(backends)) {
      it(`kill -9 mid-flow, resumed from ${name}: every result, nothing that finished ran again`, { timeout: 240_000 }, async () => {
        if (workers.length === 0) {
          workers = await Promise.all(
            ['resume-a', 'resume-b'].map((topic) =>
              startWorker(fixtureWorkerArgs(transport.args, exchange, topic, ['--concurrency', '2'])),
            ),
          );
        }
        const { log, output } = await killAndResume({
          engine: 'worker-based',
          ...transport.options,
          exchange,
          topics: ['resume-a', 'resume-b'],
          notifyIntervalMs: 500,
          backend: backend(),
        });
        expect(output).toContain(`flow SUCCESS ${N}`);
        expectEveryTaskOnceButTheOneInFlight(log);
      });
    }
  });
}

describe('resumption: the local parallel engine process on dir://', () => {
  it('kill -9 mid-flow, resumed: every result, nothing that finished ran again', { timeout: 240_000 }, async () => {
    const { log, output } = await killAndResume({ engine: 'parallel', backend: `dir://${join(folder, randomUUID())}` });
    expect(output).toContain(`flow SUCCESS ${N}`);
    expectEveryTaskOnceButTheOneInFlight(log);
  });

  it('a flow that was reverting when its engine died finishes its revert', { timeout: 240_000 }, async () => {
    const { log, output } = await killAndResume(
      { engine: 'parallel', backend: `dir://${join(folder, randomUUID())}` },
      { fail: true, kind: 'revert' },
    );
    expect(output).toContain('error the last task fails');
    expect(output).toMatch(/^flow REVERTED /m);
    // Every task ran once and reverted at least once (the revert in flight may have run twice); none ran again.
    expect(executions(log).every((r) => r === 1)).toBe(true);
    const reverts = new Map<string, number>();
    for (const line of lines(log)) if (line.startsWith('revert ')) reverts.set(line, (reverts.get(line) ?? 0) + 1);
    expect(reverts.size).toBe(N);
    expect([...reverts.values()].filter((r) => r > 1).length).toBeLessThanOrEqual(1);
  });
});
