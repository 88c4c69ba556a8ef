import type { InspectedWorker } from './inspect-collect';
import { oneLine, table } from './summary';

/** `12s`, `5m 3s`, `2h 10m`, `3d 4h`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  if (s < 86_400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
}

/** Text from the broker made safe for a terminal: control characters (escape sequences) become `?`. */
function printable(text: string, max: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return oneLine(text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?'), max);
}

const unknown = (value: number | string | undefined): string => (value === undefined ? '-' : String(value));

/** `tf inspect workers`: one row per worker; a Python TaskFlow worker shows what its NOTIFY answer tells (topic, tasks). */
export function workersLines(workers: readonly InspectedWorker[], now = Date.now()): string[] {
  const rows = workers.map((w) => {
    const { details } = w;
    const running = details.active === undefined ? '-' : `${details.active}/${unknown(w.concurrency)}`;
    const uptime = details.startedAt === undefined ? '-' : formatDuration(now - details.startedAt);
    return [
      w.id ?? '(python worker)',
      printable(w.topic, 255),
      unknown(w.concurrency),
      running,
      uptime,
      unknown(details.process),
      printable(w.tasks.join(', '), 200),
    ];
  });
  return table([['WORKER', 'TOPIC', 'CONCURRENCY', 'RUNNING', 'UPTIME', 'PROCESS', 'TASKS'], ...rows]);
}

/** `tf inspect requests`: what each tf worker runs now (a Python worker does not say). */
export function requestsLines(workers: readonly InspectedWorker[], now = Date.now()): string[] {
  const rows: string[][] = [];
  for (const w of workers) {
    for (const run of w.details.running ?? []) {
      rows.push([
        w.id ?? '-',
        printable(w.topic, 255),
        run.task,
        oneLine(run.name, 80),
        run.action,
        run.id,
        formatDuration(now - run.since),
      ]);
    }
  }
  const out = rows.length
    ? table([['WORKER', 'TOPIC', 'TASK', 'ATOM', 'ACTION', 'CORRELATION ID', 'RUNNING FOR'], ...rows])
    : ['(nothing running)'];
  const truncated = workers.filter((w) => (w.details.active ?? 0) > (w.details.running?.length ?? 0));
  for (const w of truncated) out.push(`worker ${w.id ?? w.topic} runs ${w.details.active} (listed ${w.details.running?.length ?? 0})`);
  const silent = workers.filter((w) => w.id === undefined).map((w) => w.topic);
  if (silent.length) out.push(`python worker(s) on ${printable(silent.join(', '), 500)} do not say what they run`);
  return out;
}
