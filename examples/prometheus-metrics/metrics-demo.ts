/**
 * tf's engine metrics in Prometheus: OpenTelemetry's MeterProvider with the Prometheus
 * exporter (it serves /metrics itself), a worker and a worker-based engine on the memory
 * transport, and a flow of naps. The metrics API is all tf itself uses.
 */
import { metrics } from '@opentelemetry/api';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Task, unorderedFlow } from '@tf/core';
import { load } from '@tf/engine';
import { Worker } from '@tf/worker';

export class Nap extends Task<{ ms: number }, number> {
  static override taskName = 'example.Nap';
  static override requires = ['ms'];
  override async execute({ ms }: { ms: number }): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return ms;
  }
}

export interface Demo {
  /** Where Prometheus scrapes. */
  readonly url: string;
  /** Runs a flow of `naps` naps of `ms` each on the worker. */
  runFlow(naps: number, ms: number): Promise<void>;
  close(): Promise<void>;
}

/** Serves /metrics on 127.0.0.1:`port` (0: any free port) and starts a worker. */
export async function startDemo(port = 9464): Promise<Demo> {
  const exporter = new PrometheusExporter({ host: '127.0.0.1', port, preventServerStart: true });
  await exporter.startServer();
  const provider = new MeterProvider({ readers: [exporter] });
  // Before any engine starts: an engine takes its meter when it starts.
  metrics.setGlobalMeterProvider(provider);
  const exchange = `prometheus-demo-${process.pid}`;
  const worker = new Worker({ exchange, topic: 'naps', tasks: [Nap], transport: 'memory', concurrency: 4 });
  await worker.start();
  const address = (exporter as unknown as { _server: import('node:http').Server })._server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${actualPort}/metrics`,
    async runFlow(naps, ms) {
      const flow = unorderedFlow('naps');
      for (let i = 0; i < naps; i++) flow.add(new Nap({ name: `nap${i}`, provides: `nap${i}` }));
      const engine = load(flow, { engine: 'worker-based', exchange, topics: ['naps'], transport: 'memory', store: { ms } });
      try {
        await engine.run();
      } finally {
        await engine.close();
      }
    },
    async close() {
      await worker.stop();
      await provider.shutdown();
      metrics.disable();
    },
  };
}
