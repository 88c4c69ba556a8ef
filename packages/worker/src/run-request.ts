import { Failure, LocalTaskExecutor, type ProgressSink, type RequestBody, type Task } from '@tf/core';
import { decodeRequestResult } from '@tf/core/internal';

/** How a task's run ended: what it returned (a `Failure` included), or what it threw. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const local = new LocalTaskExecutor();

/**
 * Runs what a REQUEST asks of `task` in this process, through core's `LocalTaskExecutor`:
 * `execute` with the request's arguments, or `revert` with its arguments, its result and
 * the flow's failures (decoded from TaskFlow's dicts). `updateProgress` goes to `onProgress`;
 * `abort.signal` is the task's `context.signal`, read (and made) only if the task reads it.
 */
export async function runRequest(
  task: Task,
  body: RequestBody,
  onProgress: ProgressSink,
  abort: { readonly signal: AbortSignal },
): Promise<Outcome> {
  try {
    const args = body.arguments ?? {};
    if (body.action === 'execute') return { ok: true, value: await local.execute(task, args, { onProgress, abort }) };
    const flowFailures: Record<string, Failure> = {};
    for (const [name, dict] of Object.entries(body.failures ?? {})) flowFailures[name] = Failure.fromDict(dict);
    const value: unknown = await local.revert(task, args, {
      onProgress,
      signal: abort.signal,
      result: decodeRequestResult(body.result),
      flowFailures,
    });
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}
