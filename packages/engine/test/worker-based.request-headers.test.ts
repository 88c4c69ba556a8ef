/**
 * What the worker-based executor puts on each REQUEST (attempt, execution timeout, expiry),
 * seen by a hand-driven fake worker on the memory transport.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_TIMER_MS, Task, TfError, TfHeader, linearFlow, type MessageHeaders } from '@tf/core';
import { decodeMessage } from '@tf/core/internal';
import { load } from '@tf/engine';
import { MemoryTransport } from '@tf/transport-memory';

class Remote extends Task {
  static override taskName = 'remote.Task';
  override execute(): never {
    throw new Error('runs on a worker, never here');
  }
}
class Bounded extends Remote {
  static override taskName = 'remote.Bounded';
  static override executionTimeoutMs: number | undefined = 1_234;
}
class Unbounded extends Remote {
  static override taskName = 'remote.Unbounded';
  static override executionTimeoutMs: number | undefined = MAX_TIMER_MS + 1;
}
class AtTheLimit extends Remote {
  static override taskName = 'remote.AtTheLimit';
  static override executionTimeoutMs: number | undefined = MAX_TIMER_MS;
}
class Zero extends Remote {
  static override taskName = 'remote.Zero';
  static override executionTimeoutMs: number | undefined = 0;
}

let exchangeCounter = 0;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** A fake worker that answers NOTIFY with `tasks` and every REQUEST with SUCCESS, keeping each REQUEST's headers. */
async function fakeWorker(exchange: string, tasks: string[]) {
  const requests: { taskName: string; headers: MessageHeaders; receivedAt: number }[] = [];
  const transport = new MemoryTransport();
  await transport.connect();
  await transport.consume(exchange, 'workers', async (delivery) => {
    const message = decodeMessage(delivery);
    const reply = (body: unknown) =>
      transport.publish(exchange, message.properties.replyTo!, JSON.stringify(body), {
        type: message.type === 'NOTIFY' ? 'NOTIFY' : 'RESPONSE',
        correlationId: message.properties.correlationId!,
        headers: {},
      });
    if (message.type === 'NOTIFY') await reply({ topic: 'workers', tasks });
    else if (message.type === 'REQUEST') {
      requests.push({ taskName: message.body.task_cls, headers: message.properties.headers ?? {}, receivedAt: Date.now() });
      await reply({ state: 'SUCCESS', data: { result: null } });
    }
    await delivery.ack();
  });
  cleanups.push(() => transport.close());
  return requests;
}

const newExchange = () => `wbh-${process.pid}-${++exchangeCounter}`;
const allTasks = ['remote.Task', 'remote.Bounded', 'remote.Unbounded', 'remote.AtTheLimit', 'remote.Zero'];

function flowOfAll() {
  return linearFlow('f').add(
    new Remote({ name: 'plain' }),
    new Bounded({ name: 'bounded' }),
    new Unbounded({ name: 'unbounded' }),
    new AtTheLimit({ name: 'limit' }),
    new Zero({ name: 'zero' }),
  );
}

describe('worker-based executor: request headers', () => {
  it("sends attempt 1, a task class's own execution timeout when it is in (0, MAX_TIMER_MS], else the engine's, and the expiry", async () => {
    const exchange = newExchange();
    const requests = await fakeWorker(exchange, allTasks);
    const engine = load(flowOfAll(), {
      engine: 'worker-based',
      exchange,
      topics: ['workers'],
      transport: 'memory',
      notifyIntervalMs: 50,
      transitionTimeoutMs: 5_000,
      executionTimeoutMs: 777,
    });
    await engine.run();
    const byTask = new Map(requests.map((r) => [r.taskName, r]));
    expect([...byTask.keys()].sort()).toEqual([...allTasks].sort());
    for (const { headers } of requests) expect(headers[TfHeader.ATTEMPT]).toBe(1);
    expect(byTask.get('remote.Task')!.headers[TfHeader.EXECUTION_TIMEOUT_MS]).toBe(777);
    expect(byTask.get('remote.Bounded')!.headers[TfHeader.EXECUTION_TIMEOUT_MS]).toBe(1_234);
    expect(byTask.get('remote.Unbounded')!.headers[TfHeader.EXECUTION_TIMEOUT_MS]).toBe(777);
    expect(byTask.get('remote.AtTheLimit')!.headers[TfHeader.EXECUTION_TIMEOUT_MS]).toBe(MAX_TIMER_MS);
    expect(byTask.get('remote.Zero')!.headers[TfHeader.EXECUTION_TIMEOUT_MS]).toBe(777);
    for (const { headers, receivedAt } of requests) {
      const expiresAt = headers[TfHeader.EXPIRES_AT] as number;
      // Sent just before it was received: the expiry is the transition timeout after the send.
      expect(expiresAt).toBeGreaterThan(receivedAt + 2_500);
      expect(expiresAt).toBeLessThanOrEqual(receivedAt + 5_000);
    }
  });

  it('sends no execution timeout nor expiry when there is none', async () => {
    const exchange = newExchange();
    const requests = await fakeWorker(exchange, ['remote.Task']);
    const engine = load(linearFlow('f').add(new Remote({ name: 'plain' })), {
      engine: 'worker-based',
      exchange,
      topics: ['workers'],
      transport: 'memory',
      notifyIntervalMs: 50,
      transitionTimeoutMs: null,
    });
    await engine.run();
    expect(requests).toHaveLength(1);
    expect(Object.keys(requests[0]!.headers)).toEqual([TfHeader.ATTEMPT, TfHeader.RUNNING_OPTIONAL]);
    expect(requests[0]!.headers[TfHeader.RUNNING_OPTIONAL]).toBe(true);
  });

  it('refuses a task before start, naming it', async () => {
    const engine = load(linearFlow('f').add(new Remote({ name: 'plain' })), {
      engine: 'worker-based',
      exchange: newExchange(),
      topics: ['workers'],
      transport: 'memory',
    });
    const error = await Promise.resolve(engine.executor.execute(new Remote({ name: 'early' }), {}, { onProgress: () => {} } as never)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(TfError.is(error, 'TF_ENGINE_STOPPED')).toBe(true);
    expect((error as Error).message).toContain("'early' cannot be sent");
  });
});
