/**
 * pnpm --filter @tf/example-prometheus-metrics start [-- --serve]
 *
 * Runs a flow of 5 naps on a worker, then prints the tf metrics as Prometheus scrapes them
 * from http://127.0.0.1:9464/metrics. With --serve it keeps running a flow every 5 s for a
 * Prometheus to scrape (Ctrl-C stops it).
 */
import { startDemo } from './metrics-demo';

const demo = await startDemo(9464);
await demo.runFlow(5, 200);
const text = await (await fetch(demo.url, { signal: AbortSignal.timeout(5_000) })).text();
console.log(
  text
    .split('\n')
    .filter((line) => line.includes('tf_engine_'))
    .join('\n'),
);
if (process.argv.includes('--serve')) {
  console.log(`serving ${demo.url}; Ctrl-C stops`);
  const timer = setInterval(() => void demo.runFlow(5, 200), 5_000);
  process.once('SIGINT', () => {
    clearInterval(timer);
    void demo.close();
  });
} else {
  await demo.close();
}
