import { describe, expect, it } from 'vitest';
import {
  Failure,
  InvalidTransitionError,
  LocalTaskExecutor,
  Notifier,
  Storage,
  Task,
  TfError,
  Times,
  compile,
  linearFlow,
  type AtomEventDetails,
  type FlowEventDetails,
  type RevertContext,
} from '@tf/core';
import { checkFlowTransition, checkRetryTransition, checkTaskTransition, isPromiseLike } from '@tf/core/internal';
import type { AtomNode } from '../src/compiler/types';
import { ReadyQueue } from '../src/runtime/ready-queue';
import { Transitions } from '../src/runtime/transitions';

function thrown(make: () => unknown): Error {
  try {
    make();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

class Noop extends Task {
  override execute() {
    return 'done';
  }
}

describe('state transitions', () => {
  it('says false for the same state, true for a legal move, and throws naming the subject otherwise', () => {
    expect(checkTaskTransition('RUNNING', 'RUNNING')).toBe(false);
    expect(checkTaskTransition('PENDING', 'RUNNING')).toBe(true);
    expect(thrown(() => checkTaskTransition('PENDING', 'SUCCESS')).message).toBe('task cannot go from PENDING to SUCCESS');
    expect(checkRetryTransition('RETRYING', 'RETRYING')).toBe(false);
    expect(checkRetryTransition('SUCCESS', 'RETRYING')).toBe(true);
    expect(thrown(() => checkTaskTransition('SUCCESS', 'RETRYING')).message).toBe('task cannot go from SUCCESS to RETRYING');
    const error = thrown(() => checkRetryTransition('PENDING', 'SUCCESS'));
    expect(error).toBeInstanceOf(InvalidTransitionError);
    expect(error.message).toBe('retry cannot go from PENDING to SUCCESS');
    expect(error).toMatchObject({ subject: 'retry', from: 'PENDING', to: 'SUCCESS' });
    expect(checkFlowTransition('RUNNING', 'RUNNING')).toBe(false);
    expect(checkFlowTransition('RUNNING', 'SUCCESS')).toBe(true);
    expect(checkFlowTransition('SUCCESS', 'SUSPENDING')).toBe(false);
    expect(thrown(() => checkFlowTransition('PENDING', 'SUCCESS')).message).toBe('flow cannot go from PENDING to SUCCESS');
    expect(thrown(() => checkFlowTransition('PENDING', 'SUCCESS', "flow 'f'")).message).toBe("flow 'f' cannot go from PENDING to SUCCESS");
  });
});

describe('Transitions', () => {
  function setup() {
    const compiled = compile(linearFlow('f', { retry: new Times({ name: 'again' }) }).add(new Noop({ name: 'task' })));
    const storage = new Storage(compiled, { flowUuid: 'u' });
    const notifier = new Notifier<FlowEventDetails>();
    const atomNotifier = new Notifier<AtomEventDetails>();
    const transitions = new Transitions(storage, notifier, atomNotifier);
    return { compiled, storage, notifier, atomNotifier, transitions };
  }

  it('moves an atom, stores it, and tells listeners with the result only when there is one', () => {
    const { compiled, storage, atomNotifier, transitions } = setup();
    const events: [string, AtomEventDetails][] = [];
    atomNotifier.on('*', (event, details) => events.push([event, details]));
    const task = compiled.get('task') as AtomNode;
    transitions.changeState(task, 'RUNNING');
    transitions.changeState(task, 'RUNNING');
    transitions.changeState(task, 'SUCCESS', 'done');
    expect(storage.getState('task')).toBe('SUCCESS');
    expect(events).toStrictEqual([
      ['RUNNING', { atomName: 'task', atomKind: 'task', flowUuid: 'u', state: 'RUNNING', oldState: 'PENDING' }],
      ['SUCCESS', { atomName: 'task', atomKind: 'task', flowUuid: 'u', state: 'SUCCESS', oldState: 'RUNNING', result: 'done' }],
    ]);
    expect(thrown(() => transitions.changeState(task, 'RETRYING')).message).toBe("task 'task' cannot go from SUCCESS to RETRYING");
    const retry = compiled.get('again') as AtomNode;
    transitions.changeState(retry, 'RUNNING');
    transitions.changeState(retry, 'SUCCESS');
    transitions.changeState(retry, 'RETRYING');
    expect(storage.getState('again')).toBe('RETRYING');
    expect(thrown(() => transitions.changeState(retry, 'REVERTED')).message).toBe("retry 'again' cannot go from RETRYING to REVERTED");
  });

  it('records progress, and tells listeners with the details only when given', () => {
    const { compiled, storage, atomNotifier, transitions } = setup();
    const task = compiled.get('task') as AtomNode;
    transitions.progress(task, 0.25, undefined);
    expect(storage.getProgress('task')).toBe(0.25);
    const events: AtomEventDetails[] = [];
    atomNotifier.on('update_progress', (_e, details) => events.push(details));
    transitions.progress(task, 0.5, undefined);
    transitions.progress(task, 0.75, { note: 'x' });
    expect(events).toStrictEqual([
      { atomName: 'task', atomKind: 'task', flowUuid: 'u', progress: 0.5 },
      { atomName: 'task', atomKind: 'task', flowUuid: 'u', progress: 0.75, details: { note: 'x' } },
    ]);
  });

  it('moves the flow, telling listeners once per real change, and throws naming the flow', () => {
    const { storage, notifier, transitions } = setup();
    const events: FlowEventDetails[] = [];
    notifier.on('*', (_e, details) => events.push(details));
    transitions.setFlowState('RUNNING');
    transitions.setFlowState('RUNNING');
    transitions.setFlowState('SUCCESS');
    transitions.setFlowState('SUSPENDED');
    expect(storage.flowState).toBe('SUCCESS');
    expect(events).toStrictEqual([
      { flowName: 'f', flowUuid: 'u', oldState: 'PENDING', state: 'RUNNING' },
      { flowName: 'f', flowUuid: 'u', oldState: 'RUNNING', state: 'SUCCESS' },
    ]);
    expect(thrown(() => transitions.setFlowState('REVERTED')).message).toBe("flow 'f' cannot go from SUCCESS to REVERTED");
  });
});

describe('ReadyQueue', () => {
  const node = (index: number) => ({ index, name: `n${index}` }) as unknown as AtomNode;

  it('queues each atom once while queued, first in first out, and again once taken', () => {
    const queue = new ReadyQueue(4);
    const [a, b, c] = [node(0), node(1), node(2)];
    queue.push(a);
    queue.push(b);
    queue.push(a);
    expect(queue.some((n) => n === b)).toBe(true);
    expect(queue.some((n) => n === c)).toBe(false);
    expect(queue.shift()).toBe(a);
    expect(queue.some((n) => n === a)).toBe(false);
    queue.push(a);
    expect(queue.shift()).toBe(b);
    expect(queue.shift()).toBe(a);
    expect(queue.shift()).toBeUndefined();
  });

  it('keeps its order across the compaction of a long run of shifts', () => {
    const size = 5000;
    const queue = new ReadyQueue(size);
    const nodes = Array.from({ length: size }, (_, i) => node(i));
    for (const n of nodes.slice(0, 3000)) queue.push(n);
    const taken: number[] = [];
    for (let i = 0; i < 2000; i++) taken.push(queue.shift()!.index);
    for (const n of nodes.slice(3000)) queue.push(n);
    expect(queue.some((n) => n.index === 1999)).toBe(false);
    expect(queue.some((n) => n.index === 2000)).toBe(true);
    for (let n = queue.shift(); n; n = queue.shift()) taken.push(n.index);
    expect(taken).toEqual(nodes.map((n) => n.index));
  });
});

describe('ReadyQueue memory', () => {
  const node = (index: number) => ({ index, name: `n${index}` }) as unknown as AtomNode;
  function filled(count: number): ReadyQueue {
    const queue = new ReadyQueue(count);
    for (let i = 0; i < count; i++) queue.push(node(i));
    return queue;
  }
  const shiftTimes = (queue: ReadyQueue, times: number) => {
    for (let i = 0; i < times; i++) queue.shift();
  };

  it('keeps taken entries until more than 1024 were taken', () => {
    const queue = filled(2047);
    shiftTimes(queue, 1024);
    expect(queue.retained).toBe(2047);
    queue.shift();
    expect(queue.retained).toBe(1022);
    expect(queue.shift()?.index).toBe(1025);
  });

  it('drops taken entries only once they are more than half of what it holds', () => {
    const queue = filled(2050);
    shiftTimes(queue, 1025);
    expect(queue.retained).toBe(2050);
    queue.shift();
    expect(queue.retained).toBe(1024);
    expect(queue.shift()?.index).toBe(1026);
  });

  it('stays bounded by what is queued while a long flow streams through it', () => {
    const size = 100_000;
    const queue = new ReadyQueue(size);
    let next = 0;
    let most = 0;
    for (let i = 0; i < 100; i++) queue.push(node(next++));
    while (next < size) {
      queue.shift();
      queue.push(node(next++));
      most = Math.max(most, queue.retained);
    }
    expect(most).toBeLessThanOrEqual(1025 + 100);
  });
});

describe('LocalTaskExecutor and isPromiseLike', () => {
  it('tells promises and thenables from other values', () => {
    expect(isPromiseLike(Promise.resolve(1))).toBe(true);
    expect(isPromiseLike({ then: () => undefined })).toBe(true);
    expect(isPromiseLike(Object.assign(() => undefined, { then: () => undefined }))).toBe(true);
    for (const value of [null, undefined, 1, 'then', { then: 1 }, () => undefined]) expect(isPromiseLike(value)).toBe(false);
  });

  it('routes progress to the sink while a task runs, sync or async or throwing, and restores the previous one', async () => {
    const executor = new LocalTaskExecutor();
    const seen: number[] = [];
    class Progressing extends Task {
      override execute() {
        this.updateProgress(0.5);
        return 'sync';
      }
    }
    class Later extends Task {
      override async execute() {
        await new Promise((resolve) => setTimeout(resolve, 5));
        this.updateProgress(0.7);
        return 'async';
      }
    }
    class Throwing extends Task {
      override execute(): never {
        throw new TypeError('bad');
      }
    }
    const previous = () => undefined;
    const sync = new Progressing();
    sync.setProgressSink(previous);
    expect(executor.execute(sync, {}, { onProgress: (p) => seen.push(p) })).toBe('sync');
    expect(sync.setProgressSink(undefined)).toBe(previous);
    const later = new Later();
    const outcome = executor.execute(later, {}, { onProgress: (p) => seen.push(p) });
    expect(isPromiseLike(outcome)).toBe(true);
    expect(later.setProgressSink(undefined)).toBeTypeOf('function');
    later.setProgressSink(previous);
    const late = new Later();
    late.setProgressSink(previous);
    await expect(executor.execute(late, {}, { onProgress: (p) => seen.push(p) })).resolves.toBe('async');
    expect(late.setProgressSink(undefined)).toBe(previous);
    const throwing = new Throwing();
    throwing.setProgressSink(previous);
    expect(() => executor.execute(throwing, {}, { onProgress: () => undefined })).toThrow(TypeError);
    expect(throwing.setProgressSink(undefined)).toBe(previous);
    await outcome;
    expect(seen).toContain(0.5);
    expect(seen).toContain(0.7);
  });

  it('hands a task the signal it is given, or one read only when asked, and revert its signal, outcome and failures', () => {
    const executor = new LocalTaskExecutor();
    const signals: AbortSignal[] = [];
    const reverts: unknown[] = [];
    class Reads extends Task {
      override execute(_args: object, context: { signal: AbortSignal }) {
        signals.push(context.signal);
      }
      override revert(_args: object, context: RevertContext) {
        reverts.push(context);
      }
    }
    const controller = new AbortController();
    executor.execute(new Reads(), {}, { onProgress: () => undefined, signal: controller.signal });
    executor.execute(new Reads(), {}, { onProgress: () => undefined, abort: controller });
    executor.execute(new Reads(), {}, { onProgress: () => undefined });
    expect(signals[0]).toBe(controller.signal);
    expect(signals[1]).toBe(controller.signal);
    expect(signals[2]!.aborted).toBe(false);
    const failures = { a: Failure.fromError(new Error('x')) };
    executor.revert(new Reads(), {}, { onProgress: () => undefined, result: 'r', flowFailures: failures, signal: controller.signal });
    expect(reverts[0]).toStrictEqual({ result: 'r', flowFailures: failures, signal: controller.signal });
    executor.revert(new Reads(), {}, { onProgress: () => undefined, result: 'r', flowFailures: {} });
    expect((reverts[1] as RevertContext).signal).toBe(signals[2]);
    expect(TfError.is(new InvalidTransitionError('s', 'a', 'b'))).toBe(true);
  });
});
