import type { MessageHeaders } from '@tf/transport';
import { MAX_RUNNING_LISTED, TfHeader } from './headers';

/** A run an inspected worker has now. */
export interface RunningTask {
  /** The request's correlation id. */
  readonly id: string;
  /** Its task class name (`task_cls`). */
  readonly task: string;
  /** Its atom name (`task_name`). */
  readonly name: string;
  readonly action: 'execute' | 'revert';
  /** When it started running (ms since the epoch). */
  readonly since: number;
}

/** What an inspected tf worker tells beyond the NOTIFY answer (each absent when missing or malformed). */
export interface InspectHeaders {
  readonly startedAt?: number;
  readonly process?: string;
  readonly version?: string;
  readonly active?: number;
  readonly running?: readonly RunningTask[];
}

/** Printable text (no control characters: it ends up on an operator's terminal). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
const TEXT = /^[^\u0000-\u001f\u007f-\u009f]+$/;

function text(value: unknown, max = 200): string | undefined {
  return typeof value === 'string' && value.length <= max && TEXT.test(value) ? value : undefined;
}

function time(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

function runningTask(value: unknown): RunningTask | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const id = text(v['id']);
  const task = text(v['task']);
  const name = text(v['name']);
  const since = time(v['since']);
  const action = v['action'] === 'execute' || v['action'] === 'revert' ? v['action'] : undefined;
  if (id === undefined || task === undefined || name === undefined || since === undefined || action === undefined) return undefined;
  return { id, task, name, action, since };
}

/** Reads an inspected worker's answer headers (untrusted: each value checked, lists bounded). */
export function readInspectHeaders(headers: MessageHeaders): InspectHeaders {
  const out: { -readonly [K in keyof InspectHeaders]: InspectHeaders[K] } = {};
  const startedAt = time(headers[TfHeader.STARTED_AT]);
  if (startedAt !== undefined) out.startedAt = startedAt;
  const proc = text(headers[TfHeader.PROCESS]);
  if (proc !== undefined) out.process = proc;
  const version = text(headers[TfHeader.VERSION], 50);
  if (version !== undefined) out.version = version;
  const active = headers[TfHeader.ACTIVE];
  if (typeof active === 'number' && Number.isSafeInteger(active) && active >= 0) out.active = active;
  const running = headers[TfHeader.RUNNING_TASKS];
  if (Array.isArray(running)) {
    out.running = running.slice(0, MAX_RUNNING_LISTED).flatMap((item) => {
      const checked = runningTask(item);
      return checked ? [checked] : [];
    });
  }
  return out;
}
