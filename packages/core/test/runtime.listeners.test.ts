import { describe, expect, it } from 'vitest';
import {
  CapturingListener,
  LoggingListener,
  Notifier,
  PrintingListener,
  TimingListener,
  type AtomEventDetails,
  type FlowEventDetails,
} from '@tf/core';

function observable() {
  return { notifier: new Notifier<FlowEventDetails>(), atomNotifier: new Notifier<AtomEventDetails>() };
}
const flow = (state: FlowEventDetails['state'], oldState: FlowEventDetails['oldState']): FlowEventDetails => ({
  flowName: 'f',
  flowUuid: 'u-1',
  oldState,
  state,
});
const atom = (state: AtomEventDetails['state'], oldState?: AtomEventDetails['oldState']): AtomEventDetails => ({
  atomName: 't',
  atomKind: 'task',
  flowUuid: 'u-1',
  state,
  ...(oldState === undefined ? {} : { oldState }),
});
const progress = (value: number): AtomEventDetails => ({ atomName: 'r', atomKind: 'retry', flowUuid: 'u-1', progress: value });

describe('the ready-made listeners', () => {
  it('PrintingListener writes one line per flow and atom transition, and progress in percent', () => {
    const engine = observable();
    const lines: string[] = [];
    const listener = new PrintingListener({ write: (line) => lines.push(line) }).attach(engine);
    engine.notifier.notify('RUNNING', flow('RUNNING', 'PENDING'));
    engine.atomNotifier.notify('RUNNING', atom('RUNNING', 'PENDING'));
    engine.atomNotifier.notify('update_progress', progress(0.456));
    engine.atomNotifier.notify('update_progress', { ...progress(0), progress: undefined });
    listener.detach();
    engine.notifier.notify('SUCCESS', flow('SUCCESS', 'RUNNING'));
    expect(lines).toEqual([
      "Flow 'f' (u-1) transitioned into state 'RUNNING' from state 'PENDING'",
      "Task 't' transitioned into state 'RUNNING' from state 'PENDING'",
      "Retry 'r' progress 46%",
      "Retry 'r' progress 0%",
    ]);
  });

  it('LoggingListener logs at debug by default, or at the level asked, with the fields', () => {
    const calls: [string, unknown, string][] = [];
    const logger = Object.fromEntries(
      ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level) => [
        level,
        (obj: unknown, msg: string) => calls.push([level, obj, msg]),
      ]),
    ) as never;
    const engine = observable();
    using _listener = new LoggingListener(logger).attach(engine);
    engine.notifier.notify('RUNNING', flow('RUNNING', 'PENDING'));
    engine.atomNotifier.notify('SUCCESS', atom('SUCCESS', 'RUNNING'));
    engine.atomNotifier.notify('update_progress', progress(0.5));
    expect(calls).toEqual([
      ['debug', { flow: 'f', flowUuid: 'u-1', from: 'PENDING', to: 'RUNNING' }, "flow 'f' RUNNING"],
      ['debug', { atom: 't', from: 'RUNNING', to: 'SUCCESS' }, "task 't' SUCCESS"],
      ['debug', { atom: 'r', progress: 0.5 }, "retry 'r' progress 0.5"],
    ]);
    calls.length = 0;
    const info = new LoggingListener(logger, { level: 'info' }).attach(engine);
    engine.notifier.notify('SUCCESS', flow('SUCCESS', 'RUNNING'));
    info.detach();
    expect(calls.map(([level]) => level)).toEqual(['debug', 'info']);
  });

  it('CapturingListener captures flow and atom transitions, progress only when asked, and each kind can be left out', () => {
    const engine = observable();
    const all = new CapturingListener().attach(engine);
    const withProgress = new CapturingListener({ progress: true }).attach(engine);
    const atomsOnly = new CapturingListener({ flow: false }).attach(engine);
    const flowOnly = new CapturingListener({ atoms: false }).attach(engine);
    engine.notifier.notify('RUNNING', flow('RUNNING', 'PENDING'));
    engine.atomNotifier.notify('RUNNING', atom('RUNNING', 'PENDING'));
    engine.atomNotifier.notify('update_progress', progress(0.5));
    expect(all.values).toEqual(['flow.f RUNNING', 't RUNNING']);
    expect(withProgress.values).toEqual(['flow.f RUNNING', 't RUNNING', 'r progress 0.5']);
    expect(atomsOnly.values).toEqual(['t RUNNING']);
    expect(flowOnly.values).toEqual(['flow.f RUNNING']);
  });

  it('attaching again first detaches, and disposing detaches', () => {
    const engine = observable();
    const listener = new CapturingListener();
    listener.attach(engine);
    listener.attach(engine);
    engine.notifier.notify('RUNNING', flow('RUNNING', 'PENDING'));
    expect(listener.values).toEqual(['flow.f RUNNING']);
    listener[Symbol.dispose]();
    engine.notifier.notify('SUCCESS', flow('SUCCESS', 'RUNNING'));
    expect(listener.values).toEqual(['flow.f RUNNING']);
    expect(engine.notifier.hasListeners).toBe(false);
    expect(engine.atomNotifier.hasListeners).toBe(false);
  });

  it('TimingListener times each atom from RUNNING or REVERTING to its end, and nothing it did not see start', async () => {
    const engine = observable();
    const timing = new TimingListener().attach(engine);
    const at = (name: string, state: AtomEventDetails['state']) => engine.atomNotifier.notify(state!, { ...atom(state), atomName: name });
    for (const end of ['SUCCESS', 'FAILURE', 'REVERTED', 'REVERT_FAILURE'] as const) {
      at(`run-${end}`, end === 'REVERTED' || end === 'REVERT_FAILURE' ? 'REVERTING' : 'RUNNING');
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const end of ['SUCCESS', 'FAILURE', 'REVERTED', 'REVERT_FAILURE'] as const) at(`run-${end}`, end);
    at('never-started', 'SUCCESS');
    at('still-running', 'RUNNING');
    at('still-running', 'PENDING');
    expect([...timing.durations.keys()].sort()).toEqual(['run-FAILURE', 'run-REVERTED', 'run-REVERT_FAILURE', 'run-SUCCESS']);
    for (const ms of timing.durations.values()) expect(ms).toBeGreaterThanOrEqual(15);
    // An end seen twice is timed once: the start is forgotten at the first.
    const first = timing.durations.get('run-SUCCESS');
    at('run-SUCCESS', 'SUCCESS');
    expect(timing.durations.get('run-SUCCESS')).toBe(first);
  });
});
