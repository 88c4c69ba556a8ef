import { Failure, LocalTaskExecutor, type ExecutionContext, type ProgressSink, type RequestBody, type Task } from '@tf/core';
import { decodeRequestResult } from '@tf/core/internal';

/** How a task's run ended: what it returned (a `Failure` included), or what it threw. */
export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const local = new LocalTaskExecutor();

/**
 * Runs what a REQUEST asks of `task` in this process, through core's `LocalTaskExecutor`:
 * `execute` with the request's arguments, or `revert` with its arguments, its result and
 * the flow's failures (decoded from TaskFlow's dicts). `updateProgress` goes to `onProgress`.
 */
export async function runRequest(task: Task, body: RequestBody, onProgress: ProgressSink): Promise<Outcome> {
  // LocalTaskExecutor reads `onProgress` alone of these (plus `result` and `flowFailures` to
  // revert). A worker runs one task outside any flow: there is no graph node or flow uuid.
  const context = { onProgress } as ExecutionContext;
  try {
    const args = body.arguments ?? {};
    if (body.action === 'execute') return { ok: true, value: await local.execute(task, args, context) };
    const flowFailures: Record<string, Failure> = {};
    for (const [name, dict] of Object.entries(body.failures ?? {})) flowFailures[name] = Failure.fromDict(dict);
    const value: unknown = await local.revert(task, args, { ...context, result: decodeRequestResult(body.result), flowFailures });
    return { ok: true, value };
  } catch (error) {
    return { ok: false, error };
  }
}
