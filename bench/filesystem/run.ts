/**
 * The filesystem transport, end to end: a worker-based engine in this process, two
 * tf-worker processes, one shared folder (a tmpfs or disk folder under os.tmpdir()).
 *   (a) tasks/s for a 1,000-task unordered flow
 *   (b) round-trip latency per task of a 200-task linear flow (one request at a time)
 *
 *   pnpm bench:filesystem
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '@tf/core';
import { noopFlow, noopWorkerArgs, startWorkers, timeFlow } from '../workers';

const folder = mkdtempSync(join(tmpdir(), 'tf-bench-fs-'));
const transportOptions = { data_folder_in: folder, data_folder_out: folder };
const workers = await startWorkers(2, [
  ...['--transport', 'filesystem', '--transport-options', JSON.stringify(transportOptions)],
  ...noopWorkerArgs('bench', 8),
]);

const time = (flow: Flow) => timeFlow(flow, { exchange: 'bench', topics: ['noop'], transport: 'filesystem', transportOptions });
const build = noopFlow;

try {
  await time(build('unordered', 100)); // warm-up: JIT, folders, watchers
  const unordered: number[] = [];
  const linear: number[] = [];
  for (let r = 0; r < 3; r++) {
    unordered.push(await time(build('unordered', 1_000)));
    linear.push(await time(build('linear', 200)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const u = median(unordered);
  const l = median(linear);
  console.log(`filesystem transport, 2 tf-worker processes (concurrency 8 each), folder ${folder}, node ${process.version}\n`);
  console.log('| flow | tasks | median ms | tasks/s | ms per task |');
  console.log('|---|---:|---:|---:|---:|');
  console.log(`| unordered | 1000 | ${u.toFixed(0)} | ${Math.round(1_000_000 / u)} | ${(u / 1000).toFixed(2)} |`);
  console.log(`| linear (round trip) | 200 | ${l.toFixed(0)} | ${Math.round(200_000 / l)} | ${(l / 200).toFixed(2)} |`);
  console.log(
    `\nruns (ms): unordered ${unordered.map((x) => x.toFixed(0)).join(', ')}; linear ${linear.map((x) => x.toFixed(0)).join(', ')}`,
  );
} finally {
  await workers.stop();
  rmSync(folder, { recursive: true, force: true });
}
