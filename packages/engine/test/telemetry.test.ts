/**
 * OpenTelemetry from the worker-based engine, read with the SDK's in-memory exporter and a
 * manual metric reader: the spans of a flow run (flow, atoms, requests) and the worker's
 * spans linked to them through the trace context headers; metric values after known flows.
 * One process, memory transport (the cross-process trace is in test-integration/telemetry).
 */
import { SpanStatusCode, context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionEngine, Task, Times, linearFlow, unorderedFlow } from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
import { load } from '@tf/engine';
import { MemoryTransport, memoryBroker } from '@tf/transport-memory';
import { Worker } from '@tf/worker';

class Nap extends Task<{ ms: number }, string> {
  static override taskName = 'telemetry.Nap';
  static override requires = ['ms'];
  override async execute({ ms }: { ms: number }): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.name;
  }
}

class Nobody extends Task<Record<string, never>, void> {
  static override taskName = 'telemetry.Nobody';
  override execute(): void {}
}

class TestReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const reader = new TestReader();
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
  context.setGlobalContextManager(contextManager.enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
});
afterAll(() => {
  trace.disable();
  context.disable();
  propagation.disable();
  metrics.disable();
});

/** The data points of metric `name` at the last collection. */
async function points(name: string): Promise<DataPoint<unknown>[]> {
  const { resourceMetrics } = await reader.collect();
  const found = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).filter((m) => m.descriptor.name === name);
  return found.flatMap((m) => m.dataPoints as DataPoint<unknown>[]);
}

let exchangeNo = 0;
const newExchange = () => `telemetry-${process.pid}-${++exchangeNo}`;

async function startWorker(exchange: string, topic: string): Promise<Worker> {
  const worker = new Worker({ exchange, topic, tasks: [Nap], transport: 'memory', concurrency: 4 });
  await worker.start();
  return worker;
}

describe('worker-based engine: OpenTelemetry', () => {
  it('one trace per flow run: flow -> atom -> request (PRODUCER) -> worker process (CONSUMER), linked by traceparent', async () => {
    spans.reset();
    const exchange = newExchange();
    const worker = await startWorker(exchange, 'naps');
    const flow = linearFlow('napping').add(
      unorderedFlow('both').add(new Nap({ name: 'a', provides: 'a' }), new Nap({ name: 'b', provides: 'b' })),
    );
    const engine = load(flow, { engine: 'worker-based', exchange, topics: ['naps'], transport: 'memory', store: { ms: 20 } });
    try {
      await engine.run();
    } finally {
      await engine.close();
      await worker.stop();
    }
    const all = spans.getFinishedSpans();
    const byName = (name: string) => all.filter((s) => s.name === name);
    const [flowSpan] = byName('flow napping');
    expect(flowSpan).toBeDefined();
    const traceId = flowSpan!.spanContext().traceId;
    expect(new Set(all.map((s) => s.spanContext().traceId))).toEqual(new Set([traceId]));
    expect(flowSpan!.attributes['tf.flow.state']).toBe('SUCCESS');
    for (const atom of ['a', 'b']) {
      const [atomSpan] = byName(`execute ${atom}`);
      expect(atomSpan?.parentSpanContext?.spanId).toBe(flowSpan!.spanContext().spanId);
      const send = all.find((s) => s.name === 'send telemetry.Nap' && s.attributes['tf.atom.name'] === atom)!;
      expect(send.parentSpanContext?.spanId).toBe(atomSpan!.spanContext().spanId);
      expect(send.attributes['messaging.destination.name']).toBe('naps');
      expect(send.attributes['messaging.system']).toBe('memory');
      const processSpan = all.find((s) => s.name === 'process telemetry.Nap' && s.attributes['tf.atom.name'] === atom)!;
      expect(processSpan.parentSpanContext?.spanId).toBe(send.spanContext().spanId);
      expect(processSpan.attributes['messaging.message.id']).toBe(send.attributes['messaging.message.id']);
      expect(processSpan.attributes['tf.worker.id']).toBe(worker.id);
      expect(processSpan.attributes['messaging.operation.type']).toBe('process');
    }
  });

  it('a local task gets its atom span under the flow span, and no request span', async () => {
    spans.reset();
    const exchange = newExchange();
    const worker = await startWorker(exchange, 'naps');
    const flow = linearFlow('half-home').add(
      new Nap({ name: 'away', provides: 'a' }),
      new Nap({ name: 'home', provides: 'b', local: true }),
    );
    const engine = load(flow, { engine: 'worker-based', exchange, topics: ['naps'], transport: 'memory', store: { ms: 5 } });
    try {
      await engine.run();
    } finally {
      await engine.close();
      await worker.stop();
    }
    const all = spans.getFinishedSpans();
    const [flowSpan] = all.filter((s) => s.name === 'flow half-home');
    for (const atom of ['away', 'home']) {
      const atomSpans = all.filter((s) => s.name === `execute ${atom}`);
      expect(atomSpans).toHaveLength(1);
      expect(atomSpans[0]!.parentSpanContext?.spanId).toBe(flowSpan!.spanContext().spanId);
    }
    const requestSpans = (atom: string) => all.filter((s) => s.attributes['tf.atom.name'] === atom && !s.name.startsWith('execute '));
    expect(
      requestSpans('away')
        .map((s) => s.name)
        .sort(),
    ).toEqual(['process telemetry.Nap', 'send telemetry.Nap']);
    expect(requestSpans('home')).toEqual([]);
  });

  it('in-process atoms: sync and async, execute and revert, each span ended with its outcome (an error status when it threw)', async () => {
    spans.reset();
    class SyncOk extends Task {
      static override taskName = 'telemetry.SyncOk';
      override execute(): string {
        return this.name;
      }
      override revert(): void {}
    }
    class AsyncOk extends Task {
      static override taskName = 'telemetry.AsyncOk';
      override async execute(): Promise<string> {
        await Promise.resolve();
        return this.name;
      }
      override async revert(): Promise<void> {
        await Promise.resolve();
      }
    }
    class AsyncFails extends Task {
      static override taskName = 'telemetry.AsyncFails';
      override async execute(): Promise<never> {
        await Promise.resolve();
        throw new Error('async woe');
      }
    }
    const flow = linearFlow('in-process', { retry: new Times({ name: 'once', attempts: 1 }) }).add(
      new SyncOk({ name: 's' }),
      new AsyncOk({ name: 'p' }),
      new AsyncFails({ name: 'x' }),
    );
    const engine = new ActionEngine(flow);
    await expect(engine.run()).rejects.toThrow('async woe');
    const all = spans.getFinishedSpans();
    const flowSpan = all.find((s) => s.name === 'flow in-process')!;
    const atomSpan = (name: string) => {
      const found = all.filter((s) => s.name === name);
      expect(found).toHaveLength(1);
      expect(found[0]!.parentSpanContext?.spanId).toBe(flowSpan.spanContext().spanId);
      return found[0]!;
    };
    for (const name of ['execute s', 'execute p', 'revert x', 'revert p', 'revert s']) {
      expect(atomSpan(name).status.code).toBe(SpanStatusCode.UNSET);
    }
    const failed = atomSpan('execute x');
    expect(failed.status).toEqual({ code: SpanStatusCode.ERROR, message: 'async woe' });
    expect(failed.attributes).toEqual({ 'tf.atom.name': 'x', 'tf.atom.action': 'execute', 'tf.task.name': 'telemetry.AsyncFails' });
    // A retry controller is no task: its span names no task.
    expect(atomSpan('execute once').attributes).toEqual({ 'tf.atom.name': 'once', 'tf.atom.action': 'execute' });
    expect(flowSpan.attributes['tf.flow.state']).toBe('REVERTED');
  });

  it('metrics: durations and queue latency per task, workers by topic, requests running during the run', async () => {
    const exchange = newExchange();
    const worker = await startWorker(exchange, 'metric-naps');
    const flow = unorderedFlow('three').add(
      new Nap({ name: 'n1', provides: 'n1' }),
      new Nap({ name: 'n2', provides: 'n2' }),
      new Nap({ name: 'n3', provides: 'n3' }),
    );
    const engine = load(flow, { engine: 'worker-based', exchange, topics: ['metric-naps'], transport: 'memory', store: { ms: 400 } });
    const before = await histogramCount('tf.engine.task.duration', { 'tf.task.name': 'telemetry.Nap', 'tf.request.outcome': 'success' });
    try {
      const running = engine.run();
      // While the naps run: three requests RUNNING, one worker on the topic.
      const deadline = Date.now() + 5_000;
      let seen = 0;
      while (Date.now() < deadline && seen < 3) {
        const requests = await points('tf.engine.requests');
        seen = Number(requests.find((p) => p.attributes['tf.request.state'] === 'running')?.value ?? 0);
        if (seen < 3) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(seen).toBe(3);
      const workers = await points('tf.engine.workers');
      expect(workers.find((p) => p.attributes['messaging.destination.name'] === 'metric-naps')?.value).toBe(1);
      await running;
    } finally {
      await engine.close();
      await worker.stop();
    }
    const after = await histogramCount('tf.engine.task.duration', { 'tf.task.name': 'telemetry.Nap', 'tf.request.outcome': 'success' });
    expect(after.count - before.count).toBe(3);
    // Each nap ran about 400 ms.
    expect((after.sum - before.sum) / 3).toBeGreaterThanOrEqual(0.35);
    const latency = await histogramCount('tf.engine.request.queue_latency', { 'tf.task.name': 'telemetry.Nap' });
    expect(latency.count).toBeGreaterThanOrEqual(3);
  });

  it('metrics: a request no worker runs counts as waiting with no capable worker, then as a transition timeout', async () => {
    const exchange = newExchange();
    const worker = await startWorker(exchange, 'other');
    const engine = load(linearFlow('stuck').add(new Nobody({ name: 'nobody' })), {
      engine: 'worker-based',
      exchange,
      topics: ['other'],
      transport: 'memory',
      transitionTimeoutMs: 800,
    });
    try {
      const outcome = engine.run().then(
        () => 'ran',
        () => 'failed',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      const stuck = await points('tf.engine.requests.no_worker');
      expect(stuck.find((p) => p.attributes['tf.task.name'] === 'telemetry.Nobody')?.value).toBe(1);
      const waiting = await points('tf.engine.requests');
      expect(waiting.find((p) => p.attributes['tf.request.state'] === 'waiting')?.value).toBe(1);
      expect(await outcome).toBe('failed');
    } finally {
      await engine.close();
      await worker.stop();
    }
    const timeouts = await points('tf.engine.request.timeouts');
    const transition = timeouts.find(
      (p) => p.attributes['tf.task.name'] === 'telemetry.Nobody' && p.attributes['tf.timeout.kind'] === 'transition',
    );
    expect(transition?.value).toBe(1);
  });
});

describe('worker-based engine: OpenTelemetry, re-dispatch', () => {
  it('metrics: a request sent again counts as a re-dispatch of its task', async () => {
    const exchange = newExchange();
    // A worker that keeps every request unanswered until the test answers it.
    const held: { correlationId: string; replyTo: string }[] = [];
    const transport = new MemoryTransport();
    await transport.connect();
    await transport.consume(exchange, 'resent', async (delivery) => {
      const message = decodeMessage(delivery);
      const { replyTo, correlationId } = message.properties;
      if (message.type === 'NOTIFY') {
        await transport.publish(exchange, replyTo!, JSON.stringify({ topic: 'resent', tasks: ['telemetry.Nobody'] }), { type: 'NOTIFY' });
      } else if (message.type === 'REQUEST') held.push({ correlationId: correlationId!, replyTo: replyTo! });
      await delivery.ack();
    });
    const engine = load(linearFlow('resend').add(new Nobody({ name: 'nobody' })), {
      engine: 'worker-based',
      exchange,
      topics: ['resent'],
      transport: 'memory',
      notifyIntervalMs: 50,
    });
    const before = await counterValue('tf.engine.request.redispatches', 'telemetry.Nobody');
    try {
      const running = engine.run();
      await expect.poll(() => held.length, { timeout: 5_000 }).toBe(1);
      // Its own connection lost and back: the request no worker claimed is sent again.
      memoryBroker.dropConnection(engine.executor.transport!);
      await expect.poll(() => held.length, { timeout: 5_000 }).toBe(2);
      const again = held[1]!;
      await transport.publish(exchange, again.replyTo, JSON.stringify({ state: 'SUCCESS', data: { result: null } }), {
        type: 'RESPONSE',
        correlationId: again.correlationId,
      });
      await running;
    } finally {
      await engine.close();
      await transport.close();
    }
    expect((await counterValue('tf.engine.request.redispatches', 'telemetry.Nobody')) - before).toBe(1);
  });
});

async function counterValue(name: string, taskName: string): Promise<number> {
  const point = (await points(name)).find((p) => p.attributes['tf.task.name'] === taskName);
  return Number(point?.value ?? 0);
}

async function histogramCount(name: string, attributes: Record<string, string>): Promise<{ count: number; sum: number }> {
  const point = (await points(name)).find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
  const value = point?.value as Histogram | undefined;
  return { count: value?.count ?? 0, sum: value?.sum ?? 0 };
}
