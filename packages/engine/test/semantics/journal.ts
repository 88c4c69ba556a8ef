/**
 * Where the semantic suite's tasks record what they did. In one process (serial, parallel,
 * in-process workers) an array; across processes (`tf-worker` processes) a JSONL file that
 * every process appends to: each line is one `write` in append mode, so the file keeps the
 * order in which the calls happened, whichever process made them.
 */
import { appendFileSync, readFileSync, rmSync } from 'node:fs';

/** The environment variable naming the journal file, for tasks running in a `tf-worker` process. */
export const JOURNAL_ENV = 'TF_SEMANTICS_JOURNAL';

export interface JournalEntry {
  readonly call: string;
  /** The process that made the call. */
  readonly pid: number;
}

export interface Journal {
  record(call: string): void;
  /** Every entry since the last `clear`, in order. */
  entries(): JournalEntry[];
  clear(): void;
}

export function memoryJournal(): Journal {
  const entries: JournalEntry[] = [];
  return {
    record: (call) => {
      entries.push({ call, pid: process.pid });
    },
    entries: () => [...entries],
    clear: () => {
      entries.length = 0;
    },
  };
}

function isEntry(value: unknown): value is JournalEntry {
  if (value === null || typeof value !== 'object') return false;
  const { call, pid } = value as Record<string, unknown>;
  return typeof call === 'string' && typeof pid === 'number';
}

export function fileJournal(file: string): Journal {
  return {
    record: (call) => appendFileSync(file, `${JSON.stringify({ call, pid: process.pid })}\n`),
    entries: () => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line, i) => {
          const parsed: unknown = JSON.parse(line);
          if (!isEntry(parsed)) throw new Error(`${file}:${i + 1} is no journal entry: ${line}`);
          return parsed;
        });
    },
    clear: () => rmSync(file, { force: true }),
  };
}

let current: Journal = process.env[JOURNAL_ENV] ? fileJournal(process.env[JOURNAL_ENV]) : memoryJournal();

/** The journal tasks record to (a file when `TF_SEMANTICS_JOURNAL` is set, else memory). */
export function journal(): Journal {
  return current;
}

/** Makes `next` the journal tasks record to (the test process of a cross-process run). */
export function useJournal(next: Journal): void {
  current = next;
}

/** What the tasks did since the last clear, in order. */
export function recordedCalls(): string[] {
  return current.entries().map((e) => e.call);
}
