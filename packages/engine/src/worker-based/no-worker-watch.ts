import type { Logger, Notifier, SigningStats, TransportSelection } from '@tf/core';
import type { PendingRequest } from './request-book';
import type { KnownWorker } from './worker-finder';
import { transportNameOf, workerHint } from './worker-hint';

/** The default of `noWorkerWarningMs`. */
export const DEFAULT_NO_WORKER_WARNING_MS = 5_000;

/** The event `engine.workerNotifier` sends when a task has been waiting for a worker too long. */
export const NO_CAPABLE_WORKER_EVENT = 'no_capable_worker';

/** A worker that answered discovery, as a `no_capable_worker` event lists it. */
export interface AnsweredWorker {
  readonly topic: string;
  readonly tasks: readonly string[];
}

/** The details of a `no_capable_worker` event (also logged at warn level). */
export interface NoCapableWorkerDetails {
  /** The task's wire name (`task_cls`), the name a worker's allow-list must hold. */
  readonly taskName: string;
  /** The atom's name in the flow. */
  readonly atomName: string;
  /** What the waiting request asks for. */
  readonly action: 'execute' | 'revert';
  /** The engine's run (and reply topic). */
  readonly flowUuid: string;
  readonly exchange: string;
  /** Every topic the engine asks for workers. */
  readonly topics: readonly string[];
  /** The transport's name (`memory`, `amqp`, ...). */
  readonly transport: string;
  /** How long the request has waited so far. */
  readonly waitedMs: number;
  /** The workers that did answer, with the tasks each serves (none serves this task). */
  readonly workers: readonly AnsweredWorker[];
  /** How to start a worker that would serve it (a `tf-worker` command line, or a `Worker` for memory). */
  readonly hint: string;
  /** With `signingKey`: what signing did so far. Dropped messages point at a worker without this engine's key. */
  readonly signing?: SigningStats;
}

export interface NoWorkerWatchOptions {
  /** How long a request waits before the warning; null: never warn. */
  readonly afterMs: number | null;
  readonly exchange: string;
  readonly topics: readonly string[];
  readonly selection: TransportSelection;
  readonly flowUuid: string;
  readonly logger: Logger;
  readonly notifier: Notifier<NoCapableWorkerDetails>;
  /** The name a task's module exports its class under, if known. */
  readonly exportNameOf: (taskName: string) => string | undefined;
  /** The engine's signing counters; undefined (or absent) when it does not sign. */
  readonly signingStats?: (() => SigningStats | undefined) | undefined;
}

/** What the warning says about signing: workers need the key, and how many messages were dropped. */
function signingNote(stats: SigningStats | undefined): string {
  if (stats === undefined) return '';
  const reasons = Object.entries(stats.rejectedBy)
    .filter(([, n]) => n > 0)
    .map(([reason, n]) => `${reason}: ${n}`);
  const dropped = stats.rejected === 0 ? 'none was dropped so far' : `${stats.rejected} were dropped (${reasons.join(', ')})`;
  return ` This engine signs its messages: a worker needs its key, and the engine drops messages not correctly signed; ${dropped}.`;
}

const quoted = (names: Iterable<string>) => [...names].map((name) => `'${name}'`).join(', ');

/**
 * Warns, once per task until a worker serves it, when a request has waited `afterMs` with
 * no live worker able to take it: a warn log line and a `no_capable_worker` event naming
 * the task, the topics asked, the exchange, and how to start a worker for it.
 */
export class NoWorkerWatch {
  readonly #options: NoWorkerWatchOptions;
  /** Task names already reported, until a worker serves them again. */
  readonly #reported = new Set<string>();

  constructor(options: NoWorkerWatchOptions) {
    this.#options = options;
  }

  /** Reports the requests in `waiting` older than `afterMs` whose task was not reported yet. */
  check(now: number, waiting: readonly PendingRequest[], workers: ReadonlyMap<string, KnownWorker>): void {
    const { afterMs } = this.#options;
    if (afterMs === null) return;
    for (const request of waiting) {
      const waitedMs = now - request.createdAt;
      if (waitedMs < afterMs || this.#reported.has(request.taskName)) continue;
      this.#reported.add(request.taskName);
      this.#report(request, waitedMs, workers);
    }
  }

  /** A worker took a request for `taskName`: warn again if it goes missing later. */
  served(taskName: string): void {
    this.#reported.delete(taskName);
  }

  /** Forgets what was reported (a new run warns afresh). */
  reset(): void {
    this.#reported.clear();
  }

  #report(request: PendingRequest, waitedMs: number, known: ReadonlyMap<string, KnownWorker>): void {
    const { exchange, topics, selection, flowUuid, logger, notifier, exportNameOf } = this.#options;
    const workers = [...known.values()].map((worker) => ({ topic: worker.topic, tasks: [...worker.tasks].sort() }));
    const transport = transportNameOf(selection);
    const signing = this.#options.signingStats?.();
    const hint = workerHint({
      exchange,
      topic: topics[0] ?? '',
      exportName: exportNameOf(request.taskName),
      selection,
      signing: signing !== undefined,
    });
    const details: NoCapableWorkerDetails = {
      taskName: request.taskName,
      atomName: request.atomName,
      action: request.body.action,
      flowUuid,
      exchange,
      topics: [...topics],
      transport,
      waitedMs,
      workers,
      hint,
      ...(signing ? { signing } : {}),
    };
    const answered =
      workers.length === 0
        ? 'No worker answered.'
        : `Workers that answered serve other tasks: ${workers.map((w) => `'${w.topic}' (${w.tasks.join(', ') || 'none'})`).join('; ')}.`;
    logger.warn(
      { task: details.taskName, atom: details.atomName, action: details.action, exchange, topics, transport, waitedMs, workers, hint },
      `No worker serves task '${details.taskName}' (atom '${details.atomName}', ${details.action}) after ${waitedMs} ms: ` +
        `asked topic(s) ${quoted(topics)} on exchange '${exchange}' (transport ${transport}). ${answered}${signingNote(signing)} To serve it: ${hint}`,
    );
    notifier.notify(NO_CAPABLE_WORKER_EVENT, details);
  }
}
