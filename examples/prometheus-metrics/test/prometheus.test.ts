/** The example end to end: Prometheus text from the exporter's HTTP endpoint during and after a known flow. */
import { expect, it } from 'vitest';
import { startDemo } from '../metrics-demo';

async function scrape(url: string): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
  expect(response.status).toBe(200);
  return response.text();
}

it('serves tf_engine_* metrics to Prometheus: requests running and the worker during a flow, then durations and latencies', async () => {
  const demo = await startDemo(0);
  try {
    const flow = demo.runFlow(3, 600);
    const running = /^tf_engine_requests\{[^}]*tf_request_state="running"[^}]*\} 3$/m;
    let text = '';
    for (const deadline = Date.now() + 5_000; Date.now() < deadline && !running.test(text); ) {
      text = await scrape(demo.url);
      if (!running.test(text)) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(text).toMatch(running);
    expect(text).toMatch(/^tf_engine_workers\{[^}]*messaging_destination_name="naps"[^}]*\} 1$/m);
    await flow;
    text = await scrape(demo.url);
    expect(text).toContain('# TYPE tf_engine_task_duration histogram');
    expect(text).toMatch(/^tf_engine_task_duration_count\{[^}]*tf_task_name="example\.Nap"[^}]*\} 3$/m);
    expect(text).toMatch(/^tf_engine_request_queue_latency_count\{[^}]*tf_task_name="example\.Nap"[^}]*\} 3$/m);
    // Buckets in seconds: each nap took 0.6 s.
    expect(text).toMatch(/^tf_engine_task_duration_bucket\{[^}]*le="0.5"\} 0$/m);
    expect(text).toMatch(/^tf_engine_task_duration_bucket\{[^}]*le="0.75"\} 3$/m);
  } finally {
    await demo.close();
  }
});
