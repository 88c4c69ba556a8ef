/**
 * Operations across processes, on RabbitMQ: one trace for a flow run on two tf-worker
 * processes (engine spans in this process's in-memory exporter, worker spans written to a
 * file by an SDK preloaded into each worker), and `tf inspect workers|requests` (a real `tf`
 * process) against two running tf-worker processes, one of them running a task.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { load } from '@tf/engine';
import { linearFlow } from '@tf/core';
import { squaresFlow, expectEverySquare } from './fixtures/flows';
import { SlowSquare } from './fixtures/tasks';
import { fixtureWorkerArgs, root, startWorker, waitUntil, type WorkerProcess } from './helpers';
import { AMQP_URL, describeWith, uniqueName } from './services';

const folder = mkdtempSync(join(tmpdir(), 'tf-it-telemetry-'));
const spansFile = join(folder, 'worker-spans.jsonl');
const preload = join(root, 'test-integration/fixtures/otel-file-tracing.mjs');
const amqp = ['--transport', 'amqp', '--url', AMQP_URL];
const spans = new InMemorySpanExporter();

let workers: WorkerProcess[] = [];
beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});
afterEach(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  workers = [];
});
afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
  rmSync(folder, { recursive: true, force: true });
});

async function twoWorkers(exchange: string, topics: [string, string], concurrency: [number, number], env: Record<string, string> = {}) {
  const started = await Promise.allSettled(
    topics.map((topic, i) => startWorker(fixtureWorkerArgs(amqp, exchange, topic, ['--concurrency', String(concurrency[i])]), 30_000, env)),
  );
  for (const s of started) if (s.status === 'fulfilled') workers.push(s.value);
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  return workers as [WorkerProcess, WorkerProcess];
}

interface FileSpan {
  pid: number;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

/** Runs `tf` (from source) as its own process; resolves with its exit code and output, or rejects after `timeoutMs`. */
function tf(args: string[], timeoutMs = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'packages/cli/src/cli.ts', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tf ${args.join(' ')} did not exit within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

await describeWith(['rabbitmq'], 'amqp: telemetry and tf inspect across processes', () => {
  it('one trace for a flow run on two tf-worker processes: worker spans are children of the engine request spans', {
    timeout: 120_000,
  }, async () => {
    spans.reset();
    const exchange = uniqueName('it-otel');
    const topics: [string, string] = ['otel-a', 'otel-b'];
    const env = { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import ${preload}`.trim(), TF_TEST_SPANS_FILE: spansFile };
    const [w1, w2] = await twoWorkers(exchange, topics, [1, 1], env);
    const { flow, names } = squaresFlow(4);
    const engine = load(flow, { engine: 'worker-based', transport: 'amqp', url: AMQP_URL, exchange, topics, store: { ms: 300 } });
    try {
      expect(await engine.waitForWorkers(2, 30_000)).toBe(2);
      await engine.run();
      expectEverySquare(engine.storage.fetchAll(), names);
    } finally {
      await engine.close();
    }
    const engineSpans = spans.getFinishedSpans();
    const flowSpan = engineSpans.find((s) => s.name === 'flow sum-of-squares')!;
    expect(flowSpan).toBeDefined();
    const traceId = flowSpan.spanContext().traceId;
    const sends = engineSpans.filter((s) => s.name.startsWith('send '));
    expect(sends.length).toBe(5);
    // Every worker span was written by now: SimpleSpanProcessor exports as a span ends, before the response leaves.
    const workerSpans = readFileSync(spansFile, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as FileSpan)
      .filter((s) => s.traceId === traceId);
    expect(workerSpans.length).toBe(5);
    expect(new Set(workerSpans.map((s) => s.pid))).toEqual(new Set([w1.pid, w2.pid]));
    for (const workerSpan of workerSpans) {
      const parent = sends.find((s) => s.spanContext().spanId === workerSpan.parentSpanId);
      expect(parent, `the parent of ${workerSpan.name} (${String(workerSpan.attributes['tf.atom.name'])})`).toBeDefined();
      expect(parent!.spanContext().traceId).toBe(traceId);
      expect(workerSpan.attributes['messaging.message.id']).toBe(parent!.attributes['messaging.message.id']);
      expect(workerSpan.attributes['messaging.destination.name']).toBe(parent!.attributes['messaging.destination.name']);
      expect(workerSpan.attributes['messaging.system']).toBe('amqp');
      expect(workerSpan.name).toBe(`process ${String(workerSpan.attributes['tf.task.name'])}`);
      // The send's parent is its atom's span, whose parent is the flow's.
      const atom = engineSpans.find((s) => s.spanContext().spanId === parent!.parentSpanContext?.spanId)!;
      expect(atom.name).toBe(`execute ${String(workerSpan.attributes['tf.atom.name'])}`);
      expect(atom.parentSpanContext?.spanId).toBe(flowSpan.spanContext().spanId);
    }
  });

  it('tf inspect workers lists both workers with tasks, concurrency and a running task; tf inspect requests lists the run', {
    timeout: 120_000,
  }, async () => {
    const exchange = uniqueName('it-inspect');
    const [w1, w2] = await twoWorkers(exchange, ['inspect-a', 'inspect-b'], [2, 3]);
    const engine = load(linearFlow('one-slow').add(new SlowSquare({ name: 'slow', inject: { x: 3 }, provides: 'slow' })), {
      engine: 'worker-based',
      transport: 'amqp',
      url: AMQP_URL,
      exchange,
      topics: ['inspect-a'],
      store: { ms: 30_000 },
    });
    let runningSeen = false;
    engine.atomNotifier.on('RUNNING', () => (runningSeen = true));
    const run = engine.run();
    try {
      await waitUntil(() => runningSeen, 30_000, 'the slow task never started');
      // RUNNING in the engine once the worker said so: it is in the worker's hands now.
      const common = [...amqp, '--exchange', exchange, '--topics', 'inspect-a,inspect-b', '--timeout', '1500'];
      const listed = await tf(['inspect', 'workers', ...common]);
      expect(listed.stderr).toBe('');
      expect(listed.code).toBe(0);
      const lines = listed.stdout.trim().split('\n');
      expect(lines[0]).toMatch(/^WORKER\s+TOPIC\s+CONCURRENCY\s+RUNNING\s+UPTIME\s+PROCESS\s+TASKS$/);
      const rowOf = (pid: number) => lines.find((l) => l.includes(`:${pid} `));
      expect(rowOf(w1.pid)).toMatch(/inspect-a\s+2\s+1\/2\s+\d+s\s+\S+:\d+\s+.*it\.SlowSquare/);
      expect(rowOf(w2.pid)).toMatch(/inspect-b\s+3\s+0\/3\s+\d+s\s+\S+:\d+\s+.*it\.SlowSquare/);
      expect(lines.length).toBe(3);

      const requests = await tf(['inspect', 'requests', ...common]);
      expect(requests.code).toBe(0);
      expect(requests.stdout).toMatch(/inspect-a\s+it\.SlowSquare\s+slow\s+execute\s+[\w-]+\s+\d+s/);

      const none = await tf(['inspect', 'workers', ...amqp, '--exchange', exchange, '--topics', 'nobody-here', '--timeout', '500']);
      expect(none.code).toBe(3);
      expect(none.stderr.trim()).toBe(`tf: no worker answered on topic(s) nobody-here within 500 ms [TF_INSPECT_NO_WORKERS]`);
    } finally {
      engine.cancel();
      await run.catch(() => undefined);
      await engine.close();
    }
  });
});
