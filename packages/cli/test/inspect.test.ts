/**
 * `tf inspect` in-process over the memory transport: real `Worker`s (one running a task held
 * open by the test), a responder that answers NOTIFY as Python TaskFlow's worker does (no tf
 * headers, a task name with a terminal escape), exit codes and one-line errors.
 */
import { MessageType, Task, resolveTransport, type Transport } from '@tf/core';
import { load } from '@tf/engine';
import { Worker } from '@tf/worker';
import { afterEach, expect, it } from 'vitest';
import { main } from '../src/cli';

let release: () => void = () => undefined;
class Hold extends Task<Record<string, never>, string> {
  static override taskName = 'inspect.Hold';
  override execute(): Promise<string> {
    return new Promise((resolve) => {
      release = () => resolve('done');
    });
  }
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  release();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tf(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** Answers NOTIFYs on `topic` as a Python TaskFlow worker does: topic and tasks, no tf headers. */
async function pythonLikeWorker(exchange: string, topic: string, tasks: string[]): Promise<Transport> {
  const transport = await resolveTransport({ transport: 'memory' });
  await transport.connect();
  await transport.consume(exchange, topic, async (delivery) => {
    const replyTo = delivery.properties.replyTo;
    if (delivery.properties.type === MessageType.NOTIFY && replyTo) {
      await transport.publish(exchange, replyTo, JSON.stringify({ topic, tasks }), { type: MessageType.NOTIFY });
    }
    await delivery.ack();
  });
  return transport;
}

it('lists tf workers (concurrency, running, uptime, process, tasks), a Python-like worker, and what runs', async () => {
  const exchange = `inspect-${process.pid}-1`;
  const workers = [
    new Worker({ exchange, topic: 'a', tasks: [Hold], transport: 'memory', concurrency: 2 }),
    new Worker({ exchange, topic: 'b', tasks: [Hold], transport: 'memory', concurrency: 5 }),
  ];
  for (const worker of workers) {
    await worker.start();
    cleanups.push(() => worker.stop());
  }
  const python = await pythonLikeWorker(exchange, 'py', ['tasks.Add', 'evil\u001b[31m']);
  cleanups.push(() => python.close());
  const engine = load(new Hold({ name: 'held' }), { engine: 'worker-based', exchange, topics: ['a'], transport: 'memory' });
  cleanups.push(() => engine.close());
  let running = false;
  engine.atomNotifier.on('RUNNING', () => (running = true));
  const run = engine.run();
  cleanups.push(() => run.catch(() => undefined));
  for (const deadline = Date.now() + 5_000; !running && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 10));
  expect(running).toBe(true);

  const common = ['--transport', 'memory', '--exchange', exchange, '--topics', 'a,b', '--topics', 'py', '--timeout', '300'];
  const listed = await tf(['inspect', 'workers', ...common]);
  expect(listed.stderr).toBe('');
  expect(listed.code).toBe(0);
  const lines = listed.stdout.trimEnd().split('\n');
  expect(lines).toHaveLength(4);
  expect(lines.find((l) => l.startsWith(workers[0]!.id))).toMatch(
    new RegExp(`\\s+a\\s+2\\s+1/2\\s+\\d+s\\s+\\S+:${process.pid}\\s+inspect\\.Hold$`),
  );
  expect(lines.find((l) => l.startsWith(workers[1]!.id))).toMatch(/\s+b\s+5\s+0\/5\s+\d+s\s+\S+:\d+\s+inspect\.Hold$/);
  expect(lines.find((l) => l.startsWith('(python worker)'))).toMatch(/\s+py\s+-\s+-\s+-\s+-\s+tasks\.Add, evil\?\[31m$/);

  const requests = await tf(['inspect', 'requests', ...common]);
  expect(requests.code).toBe(0);
  expect(requests.stdout).toMatch(new RegExp(`^${workers[0]!.id}\\s+a\\s+inspect\\.Hold\\s+held\\s+execute\\s+[\\w-]+\\s+\\d+s$`, 'm'));
  expect(requests.stdout).toContain('python worker(s) on py do not say what they run');

  const json = await tf(['inspect', 'workers', ...common, '--json']);
  const parsed = JSON.parse(json.stdout) as { id?: string; details: { active?: number } }[];
  expect(parsed.find((w) => w.id === workers[0]!.id)?.details.active).toBe(1);
});

it('exits 3 with one line when no worker answers within --timeout, 1 on a bad flag', async () => {
  const none = await tf([
    'inspect',
    'workers',
    '--transport',
    'memory',
    '--exchange',
    `inspect-${process.pid}-2`,
    '--topics',
    'x',
    '--timeout',
    '200',
  ]);
  expect(none.code).toBe(3);
  expect(none.stdout).toBe('');
  expect(none.stderr).toBe('tf: no worker answered on topic(s) x within 200 ms [TF_INSPECT_NO_WORKERS]\n');
  const bad = await tf(['inspect', 'workers', '--transport', 'memory', '--exchange', 'e', '--topics', 'x', '--timeout', 'soon']);
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('--timeout must be a whole number of ms');
});
