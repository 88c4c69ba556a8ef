/**
 * The engine's semantic suite (packages/engine/test/semantics: order, revert, retry, deciders,
 * suspend, mixed local and remote tasks) on the worker-based engine in this process, with
 * every remote task run by one of two `tf-worker` processes (and every local one here), over
 * each real broker. The tasks record what they did in a JSONL
 * journal that the workers append to (journal.ts), so the suite's order assertions hold
 * across processes. The workers start once per broker, on an exchange of their own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadOptions } from '@tf/engine';
import { afterAll, beforeEach, expect, it } from 'vitest';
import { fileJournal, JOURNAL_ENV, journal, memoryJournal, useJournal } from '../packages/engine/test/semantics/journal';
import { engineSemantics } from '../packages/engine/test/semantics/suite';
import { REDIS_URL } from '../packages/transport-redis/test/available';
import { adminClient, deleteKeys } from '../packages/transport-redis/test/util';
import { startWorker, type WorkerProcess } from './helpers';
import { AMQP_URL, describeWith, missing, type Service, uniqueName } from './services';

const TASKS = './packages/engine/test/semantics/tasks.ts';
const TOPICS = ['semantics-a', 'semantics-b'];
const scratch = mkdtempSync(join(tmpdir(), 'tf-it-semantics-'));
const redisPrefix = `${uniqueName('tf-it-semantics')}:`;
const fsOptions = { dataFolderIn: join(scratch, 'fs'), dataFolderOut: join(scratch, 'fs'), pollingIntervalMs: 100 };

interface Broker {
  readonly name: string;
  readonly needs: readonly Service[];
  /** `tf-worker` flags selecting the transport. */
  readonly args: string[];
  readonly options: { transport: string; url?: string; transportOptions: Record<string, unknown> };
  cleanUp?(): Promise<void>;
}

const brokers: Broker[] = [
  {
    name: 'redis',
    needs: ['redis'],
    args: ['--transport', 'redis', '--url', REDIS_URL, '--transport-options', JSON.stringify({ keyPrefix: redisPrefix })],
    options: { transport: 'redis', url: REDIS_URL, transportOptions: { keyPrefix: redisPrefix } },
    cleanUp: async () => {
      const admin = adminClient(REDIS_URL);
      try {
        await deleteKeys(admin, `${redisPrefix}*`);
      } finally {
        admin.disconnect();
      }
    },
  },
  {
    // TaskFlow's default layout: transient, auto-deleted queues that go with the workers.
    name: 'amqp',
    needs: ['rabbitmq'],
    args: ['--transport', 'amqp', '--url', AMQP_URL],
    options: { transport: 'amqp', url: AMQP_URL, transportOptions: {} },
  },
  {
    name: 'filesystem',
    needs: [],
    args: ['--transport', 'filesystem', '--transport-options', JSON.stringify(fsOptions)],
    options: { transport: 'filesystem', transportOptions: fsOptions },
  },
];

afterAll(() => {
  useJournal(memoryJournal());
  rmSync(scratch, { recursive: true, force: true });
});

for (const broker of brokers) {
  const exchange = uniqueName(`it-semantics-${broker.name}`);
  const journalFile = join(scratch, `${broker.name}.jsonl`);
  const workers: WorkerProcess[] = [];
  let reachable = false;
  /** The pids of every call recorded, test after test (the suite clears the journal before each). */
  const callers = new Set<number>();
  /** The pids of the calls of local atoms (named `home-*`): they run in the engine, this process. */
  const homeCallers = new Set<number>();
  const collect = () => {
    for (const entry of journal().entries()) (entry.call.startsWith('home-') ? homeCallers : callers).add(entry.pid);
  };

  await describeWith(broker.needs, `${broker.name}: the semantic suite with two tf-worker processes`, () => {
    beforeEach(collect);

    engineSemantics({
      name: `worker-based over ${broker.name}`,
      options: (): LoadOptions => ({
        engine: 'worker-based',
        exchange,
        topics: TOPICS,
        ...broker.options,
        transitionTimeoutMs: 30_000,
      }),
      concurrent: true,
      remote: true,
      setup: async () => {
        useJournal(fileJournal(journalFile));
        // Under CI a missing broker fails every test (describeWith); no worker could start.
        reachable = (await missing(broker.needs)).length === 0;
        if (!reachable) return;
        const started = await Promise.allSettled(
          TOPICS.map((topic) =>
            startWorker([...broker.args, '--exchange', exchange, '--topic', topic, '--tasks', TASKS, '--concurrency', '4'], 30_000, {
              [JOURNAL_ENV]: journalFile,
            }),
          ),
        );
        for (const s of started) if (s.status === 'fulfilled') workers.push(s.value);
        for (const s of started) if (s.status === 'rejected') throw s.reason;
      },
      teardown: async () => {
        await Promise.all(workers.map((w) => w.stop()));
        if (reachable) await broker.cleanUp?.();
      },
    });

    it('ran every remote task in the tf-worker processes, both of them, and every local one here', () => {
      collect();
      expect(workers).toHaveLength(2);
      expect(callers).toEqual(new Set(workers.map((w) => w.pid)));
      expect(homeCallers).toEqual(new Set([process.pid]));
    });
  });
}
