import { randomBytes } from 'node:crypto';
import type { Jobboard, JobboardEvent, JobboardOptions, JobDetails } from '@tf/jobboard';
import { afterAll, afterEach } from 'vitest';
import type { JobboardConformanceOptions } from './options';

/** Claim lease of most suites: long enough that a loaded machine renews in time. */
export const CLAIM_TTL_MS = 5_000;
/** Claim lease of the expiry suites. */
export const SHORT_TTL_MS = 400;
/** The details bound the suites set. */
export const MAX_DETAILS_BYTES = 8 * 1024;
/** The longest any wait for an event or a signal lasts. */
export const WAIT_MS = 10_000;

export interface Warned {
  readonly warnings: { obj: unknown; msg: string | undefined }[];
}

/** A logger that keeps warnings (pino's call shapes). */
export function recordingLogger(): NonNullable<JobboardOptions['logger']> & Warned {
  const warnings: Warned['warnings'] = [];
  const keep = (obj: unknown, msg?: string) => {
    warnings.push({ obj, msg });
  };
  const noop = () => undefined;
  const logger = { warnings, trace: noop, debug: noop, info: noop, warn: keep, error: keep, fatal: keep, child: () => logger };
  return logger as unknown as NonNullable<JobboardOptions['logger']> & Warned;
}

/** Opens boards for one suite, on a fresh board name per `board()`; closes them after each test. */
export function harness(options: JobboardConformanceOptions) {
  const opened: Jobboard[] = [];
  const boards = new Set<string>();
  afterEach(async () => {
    await Promise.allSettled(opened.splice(0).map((b) => b.close()));
  });
  afterAll(async () => {
    if (options.cleanup) for (const board of boards) await options.cleanup(board);
  });
  return {
    /** A fresh board; the function it returns opens another board object on it. */
    board(defaults: JobboardOptions = {}) {
      const board = `tfc-${randomBytes(5).toString('hex')}`;
      boards.add(board);
      const open = async (extra: JobboardOptions = {}): Promise<Jobboard> => {
        const b = await options.open({ claimTtlMs: CLAIM_TTL_MS, maxDetailsBytes: MAX_DETAILS_BYTES, ...defaults, ...extra, board });
        opened.push(b);
        return b;
      };
      return Object.assign(open, { boardName: board });
    },
  };
}

export const details = (flow = 'order', args: Record<string, unknown> = {}): JobDetails => ({ flow, args, store: {} });

/** Events a board object sees, and a bounded wait for one. */
export function recorder(board: Jobboard) {
  const events: JobboardEvent[] = [];
  const waiters = new Set<{ match: (e: JobboardEvent) => boolean; resolve: (e: JobboardEvent) => void }>();
  board.watch((event) => {
    events.push(event);
    for (const w of [...waiters]) {
      if (w.match(event)) {
        waiters.delete(w);
        w.resolve(event);
      }
    }
  });
  return {
    events,
    /** The first event (seen already or to come) matching `match`; rejects after WAIT_MS. */
    next(match: (e: JobboardEvent) => boolean, what: string): Promise<JobboardEvent> {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (e: JobboardEvent) => {
            clearTimeout(timer);
            resolve(e);
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no ${what} event within ${WAIT_MS} ms; saw ${JSON.stringify(events)}`));
        }, WAIT_MS);
        waiters.add(waiter);
      });
    },
  };
}

/** Resolves when `signal` aborts, with its reason; rejects after `ms`. */
export function aborted(signal: AbortSignal, ms: number): Promise<unknown> {
  if (signal.aborted) return Promise.resolve(signal.reason);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the signal did not abort within ${ms} ms`)), ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve(signal.reason);
      },
      { once: true },
    );
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function all<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
